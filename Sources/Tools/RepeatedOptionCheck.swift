import ArgumentParser
import Foundation
import Synchronization

/// Refuses an option that takes one value but is given twice
/// (`--mode Dst --mode KS`): the argument parser would silently keep the
/// last. Repeatable options (`--hist`, `--alias`, …) and flags are fine.
///
/// The check costs nothing on ordinary command lines: only when some
/// `--name` occurs twice is the command's option list consulted (through the
/// parser's own description of its arguments, so no list is kept by hand).
enum RepeatedOptionCheck {
  /// - Throws: `CommandError` naming the option and both values.
  static func check(_ arguments: [String], root: any ParsableCommand.Type) throws {
    var words = Array(arguments.prefix { $0 != "--" })
    var seen = Set<String>()
    let repeated = words.contains { w in w.hasPrefix("--") && !seen.insert(optionName(w)).inserted }
    guard repeated, let first = words.first, !first.hasPrefix("-") else { return }
    // the subcommand (only one level of subcommands exists)
    guard let command = root.configuration.subcommands.first(where: { $0._commandName == first }) else { return }
    words.removeFirst()
    let options = try singleValueOptions(of: command)
    var values: [String: String] = [:]
    var i = 0
    while i < words.count {
      let w = words[i]
      i += 1
      guard w.hasPrefix("--"), let kind = options[optionName(w)] else { continue }
      let name = optionName(w)
      var value = ""
      if let eq = w.firstIndex(of: "=") {
        value = String(w[w.index(after: eq)...])
      } else if kind.takesValue, i < words.count {
        value = words[i]
        i += 1
      }
      guard kind.single else { continue }
      if let earlier = values[name] {
        throw CommandError("--\(name) is given twice ('\(earlier)' and '\(value)'); give it once (see 'syscorr \(first) --help')")
      }
      values[name] = value
    }
  }

  static func optionName(_ word: String) -> String {
    String(word.dropFirst(2).prefix { $0 != "=" })
  }

  struct Kind {
    var takesValue: Bool
    var single: Bool
  }

  /// Long option name → whether it takes a value and whether it may be given once only
  /// (computed once per command: the parser's description is costly to build).
  static func singleValueOptions(of command: any ParsableCommand.Type) throws -> [String: Kind] {
    let name = command._commandName
    if let known = cache.withLock({ $0[name] }) { return known }
    let kinds = try describe(command)
    cache.withLock { $0[name] = kinds }
    return kinds
  }

  private static let cache = Mutex<[String: [String: Kind]]>([:])

  private static func describe(_ command: any ParsableCommand.Type) throws -> [String: Kind] {
    struct Dump: Decodable {
      struct Command: Decodable { var arguments: [Argument]? }
      struct Argument: Decodable {
        struct Name: Decodable { var kind: String; var name: String }
        var names: [Name]?
        var kind: String
        var isRepeating: Bool
      }
      var command: Command
    }
    let dump = try JSONDecoder().decode(Dump.self, from: Data(command._dumpHelp().utf8))
    var kinds: [String: Kind] = [:]
    for a in dump.command.arguments ?? [] {
      for n in a.names ?? [] where n.kind == "long" {
        kinds[n.name] = Kind(takesValue: a.kind == "option", single: a.kind == "option" && !a.isRepeating)
      }
    }
    return kinds
  }
}

