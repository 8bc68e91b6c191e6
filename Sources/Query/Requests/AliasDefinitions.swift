import Foundation

/// Aliases (`name = expression`) from the command line and from alias files,
/// with where each came from, for located errors. One parser for every
/// command that takes `--alias` / `--alias-file`.
public struct AliasDefinitions: Sendable, Equatable {
  /// name → expression.
  public private(set) var expressions: [String: String] = [:]
  /// Names that later definitions may replace (a mode's default `selection`).
  private var replaceable: Set<String> = []

  public init() {}

  /// A predefined alias that the user may redefine (e.g. `selection`).
  public mutating func predefine(_ name: String, _ expression: String) {
    expressions[name] = expression
    replaceable.insert(name)
  }

  /// Adds one `name = expression` line; `origin` names where it came from
  /// (`--alias`, `aliases.txt:3`) in errors.
  public mutating func add(line: String, origin: String) throws(QueryError) {
    guard let eq = line.firstIndex(of: "=") else {
      throw QueryError(.alias, "\(origin): alias '\(line)' is not name=expr")
    }
    let name = line[..<eq].trimmingCharacters(in: .whitespaces)
    let body = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
    guard !name.isEmpty, !body.isEmpty else {
      throw QueryError(.alias, "\(origin): alias '\(line)' needs a name and an expression")
    }
    if expressions[name] != nil && !replaceable.contains(name) {
      throw QueryError(.alias, "\(origin): alias '\(name)' is defined twice")
    }
    replaceable.remove(name)
    expressions[name] = body
  }

  /// Adds the aliases of a file: one `name = expr` per line, `#` starts a comment.
  public mutating func add(fileText text: String, path: String) throws(QueryError) {
    for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let body = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
      if body.trimmingCharacters(in: .whitespaces).isEmpty { continue }
      try add(line: String(body), origin: "\(path):\(n + 1)")
    }
  }

  /// Reads and adds an alias file.
  public mutating func add(filePath path: String) throws(QueryError) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw QueryError(.alias, "cannot read alias file '\(path)': no such file")
    }
    guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
      throw QueryError(.alias, "cannot read alias file '\(path)': \(isDirectory.boolValue ? "a directory" : "not readable")")
    }
    try add(fileText: String(decoding: data, as: UTF8.self), path: path)
  }
}
