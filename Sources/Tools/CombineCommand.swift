import Analysis
import ArgumentParser
import ColumnStore
import Foundation

/// `syscorr combine`: merge, compare or convert tables.
struct CombineCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "combine",
    abstract: "Merge tables of several processings, compare two (difference, ratio), or convert a table's format.",
    discussion: """
      Tables are the JSON files of `syscorr efficiency --out T.json` or
      `syscorr weights --out W.json`, all of one kind, with the same bins and
      cuts. Efficiency tables merge by summing their Σw and Σw² (or, with
      --luminosity, as the L-weighted mean); weight tables by precision
      (inverse-variance weighted ratio) or by --luminosity. --difference and
      --ratio compare two tables bin by bin (efficiencies, or data/MC
      ratios), errors in quadrature. One table and --out converts it
      (JSON → CSV; weight tables also to PIDVar with --pidvar).

      Examples:
        syscorr combine K-proc12.json K-proc13.json --luminosity 62.8,110.5 --out K-combined.json
        syscorr combine K-proc12.json K-proc13.json --difference --out K-diff.csv
        syscorr combine K-weights.json --out K-weights.csv
      """)

  @Argument(help: "Table files (JSON).")
  var tables: [String]

  @Option(help: "Luminosities L1,L2,... (one per table): merge as the L-weighted mean.")
  var luminosity: String?

  @Flag(help: "Compare two tables: A − B per bin.")
  var difference = false

  @Flag(help: "Compare two tables: A / B per bin.")
  var ratio = false

  @Option(help: "The result: FILE.json or FILE.csv.")
  var out: String?

  @Option(help: "Weight tables: also write the PIDVar/SysVar table (FILE.csv).")
  var pidvar: String?

  @Flag(help: "Replace output files that exist.")
  var force = false

  @Flag(help: "Print JSON instead of a summary.")
  var json = false

  func validate() throws {
    if tables.isEmpty { throw ValidationError("give the table files to combine") }
    if difference && ratio { throw ValidationError("--difference and --ratio: choose one") }
    if (difference || ratio) && tables.count != 2 { throw ValidationError("--difference and --ratio compare exactly two tables") }
    if let out, !["csv", "json"].contains(URL(fileURLWithPath: out).pathExtension.lowercased()) {
      throw ValidationError("--out \(out): write the result as .csv or .json")
    }
  }

  enum Loaded {
    case efficiency([EfficiencyTable])
    case weights([WeightTable])
  }

  func load() throws -> Loaded {
    var eff: [EfficiencyTable] = []
    var w: [WeightTable] = []
    for path in tables {
      guard let data = FileManager.default.contents(atPath: path) else { throw CommandError("cannot read \(path)") }
      if let t = try? OutputFile.decodeJSON(WeightTable.self, from: data) {
        w.append(t)
      } else if let t = try? OutputFile.decodeJSON(EfficiencyTable.self, from: data) {
        eff.append(t)
      } else {
        throw CommandError("\(path) is neither an efficiency table nor a weight table (the JSON of `syscorr efficiency/weights --out`)")
      }
    }
    guard eff.isEmpty || w.isEmpty else { throw CommandError("mix of efficiency and weight tables; combine one kind at a time") }
    return w.isEmpty ? .efficiency(eff) : .weights(w)
  }

  func run() throws {
    for path in [out, pidvar].compactMap({ $0 }) { try FileOutputOptions.checkTarget(path, force: force) }
    let method: TableCombination.Method = try luminosity.map {
      .luminosity(try QueryCommand.parseNumbers($0, option: "--luminosity"))
    } ?? .precision
    let operation: TableComparison.Operation? = difference ? .difference : ratio ? .ratio : nil
    let csv: String
    let json: Data
    var summary: String
    switch try load() {
    case .efficiency(let t):
      if let operation {
        let c = try TableComparison(operation, t[0], t[1])
        (csv, json, summary) = (c.csv(), try OutputFile.json(c), Self.summary(c))
      } else {
        let m = try TableCombination.merge(t, method: method)
        (csv, json) = (m.csv(), try OutputFile.json(m))
        summary = "merged \(t.count) efficiency table\(t.count == 1 ? "" : "s"): \(m.tables.count) tables, \(m.tables.first?.bins.count ?? 0) bins each"
      }
      if pidvar != nil { throw CommandError("--pidvar needs weight tables") }
    case .weights(let t):
      if let operation {
        let c = try TableComparison(operation, t[0], t[1])
        (csv, json, summary) = (c.csv(), try OutputFile.json(c), Self.summary(c))
        if pidvar != nil { throw CommandError("--pidvar writes a weight table, not a comparison") }
      } else {
        let m = try TableCombination.merge(t, method: method)
        (csv, json) = (m.csv(), try OutputFile.json(m))
        summary = "merged \(t.count) weight table\(t.count == 1 ? "" : "s"): \(m.tables.count) tables, \(m.tables.first?.bins.count ?? 0) bins each"
        if let pidvar { try OutputFile.write(Data(try m.pidvarCSV().utf8), to: pidvar) }
      }
    }
    if let out { try OutputFile.write(out.lowercased().hasSuffix(".csv") ? Data(csv.utf8) : json, to: out) }
    if self.json {
      print(String(decoding: json, as: UTF8.self))
    } else {
      print(summary)
      for path in [out, pidvar].compactMap({ $0 }) { print("wrote \(path)") }
    }
  }

  static func summary(_ c: TableComparison) -> String {
    let pulls = c.tables.flatMap { $0.bins }.compactMap { b -> Double? in
      let ref = c.operation == .difference ? 0.0 : 1.0
      return b.error > 0 && b.value.isFinite ? (b.value - ref) / b.error : nil
    }
    let chi2 = pulls.reduce(0) { $0 + $1 * $1 }
    return "\(c.operation.rawValue) of \(c.tables.count) table\(c.tables.count == 1 ? "" : "s"): "
      + String(format: "χ² = %.2f for %d bins (against %@)", chi2, pulls.count, c.operation == .difference ? "0" : "1")
  }
}
