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
      statistics stored with the data (no scan of the values).

      Examples:
        syscorr show-variables Dst --proc proc12 --sample data --match '*kaonID*' --stats
        syscorr show-variables --input export.h5 --json
      """)

  @Argument(help: "Calibration mode (Dst, Lambda0, KS, tau3x1), or --mode; omit with --input.")
  var modeName: String?

  @OptionGroup var input: InputOptions

  @Option(help: "Only columns matching this glob, e.g. 'D0_K_*'.")
  var match: String?

  @Flag(help: "Add min, max and NaN count from the stored chunk statistics.")
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

  func run() throws {
    var options = input
    if let modeName { options.mode = modeName }
    let source = try options.openSource()
    let columns = source.columns.filter { c in match.map { fnmatch($0, c.name, 0) == 0 } ?? true }
    if let match, columns.isEmpty {
      throw CommandError("no column matches '\(match)' (\(source.columns.count) columns; try --match '*\(match)*')")
    }
    let rows = columns.map { c -> Row in
      var row = Row(name: c.name, type: c.type.rawValue, unit: c.unit, description: c.description, variable: c.variable, particle: c.particle)
      if stats {
        let s = source.chunkRanges.indices.compactMap { source.statistics(column: c.name, chunk: $0) }
        if s.count == source.chunkRanges.count, let total = s.dropFirst().reduce(s.first, { $0?.merged(with: $1) }) {
          row.min = total.min
          row.max = total.max
          row.nanCount = total.nanCount
        }
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
        cells += [r.min.map(Output.compact) ?? "?", r.max.map(Output.compact) ?? "?", r.nanCount.map(Output.grouped) ?? "?"]
      }
      return cells
    }
    print(Output.table(header, body, numeric: stats ? [4, 5, 6] : []))
    print("\(rows.count) of \(source.columns.count) columns, \(Output.grouped(source.rowCount)) rows")
  }
}
