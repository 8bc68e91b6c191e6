import ArgumentParser
import ColumnStore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

struct ShowVariablesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show-variables",
    abstract: "List the columns of an ntuple set: names, types, units, descriptions.",
    discussion: """
      --stats adds min, max and NaN count of every column from the per-chunk
      statistics stored with the data (no scan of the values); files that
      store none (ROOT, foreign HDF5) are read to compute them. --match is a
      glob, matched ignoring case.

      Examples:
        syscorr show-variables Dst --proc proc12 --sample data --match '*kaonID*' --stats
        syscorr show-variables --input export.h5 --json
      """)

  @Argument(help: "Calibration mode (Dst, Lambda0, KS, tau3x1), or --mode; omit with --input.")
  var modeName: String?

  @OptionGroup var input: InputOptions

  @Option(help: "Only columns matching this glob, e.g. 'D0_K_*'.")
  var match: String?

  @Flag(help: "Add min, max and NaN count (stored chunk statistics, or a scan when the file has none).")
  var stats = false

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  struct Row: Encodable {
    var name, type, unit, description, variable, particle: String
    var min, max: Double?
    var nanCount: Int?
    enum CodingKeys: String, CodingKey {
      case name, type, unit, description, variable, particle, min, max
      case nanCount = "nan_count"
    }
  }

  /// The glob `pattern` matches `name`, ignoring case.
  static func matches(_ pattern: String, _ name: String) -> Bool {
    fnmatch(pattern.lowercased(), name.lowercased(), 0) == 0
  }

  func run() throws {
    var options = input
    if let modeName {
      if let other = input.mode, other != modeName {
        throw CommandError("the mode is given twice ('\(modeName)' and --mode \(other)); give it once")
      }
      options.mode = modeName
    }
    let source = try options.openSource()
    let columns = source.columns.filter { c in match.map { Self.matches($0, c.name) } ?? true }
    if let match, columns.isEmpty {
      let names = source.columns.map(\.name)
      if let why = source.unreadableColumns.first(where: { Self.matches(match, $0.key) }) {
        throw CommandError("'\(why.key)' exists but cannot be read: \(why.value)")
      }
      let near = NameSuggestions.suggestions(for: match, in: names)
      let hint = near.isEmpty ? "a glob such as --match '*\(match)*'" : "did you mean " + near.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
      throw CommandError("no column matches '\(match)' (\(names.count) columns); \(hint)?")
    }
    var scanned = false
    let rows = try columns.map { c -> Row in
      var row = Row(name: c.name, type: c.type.rawValue, unit: c.unit, description: c.description, variable: c.variable, particle: c.particle)
      if stats {
        let (total, read) = try source.columnStatistics(c.name)
        scanned = scanned || read
        row.min = total.count > total.nanCount ? total.min : nil
        row.max = total.count > total.nanCount ? total.max : nil
        row.nanCount = total.nanCount
      }
      return row
    }
    if json {
      print(try Output.json(rows))
      return
    }
    var header = ["name", "type", "unit", "description"]
    if stats { header += ["min", "max", "NaN"] }
    let body = rows.map { r -> [String] in
      var cells = [r.name, r.type, r.unit, r.description]
      if stats {
        cells += [r.min.map(Output.compact) ?? "-", r.max.map(Output.compact) ?? "-", r.nanCount.map(Output.grouped) ?? "-"]
      }
      return cells
    }
    print(Output.table(header, body, numeric: stats ? [4, 5, 6] : []))
    print("\(rows.count) of \(source.columns.count) columns, \(Output.grouped(source.rowCount)) rows")
    if scanned { print("statistics computed by reading the values: the file stores none") }
    if stats, rows.contains(where: { $0.min == nil }) { print("- : no values other than NaN") }
  }
}
