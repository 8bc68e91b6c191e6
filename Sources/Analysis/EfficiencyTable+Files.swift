import ColumnStore
import Foundation
import Query

extension EfficiencyTable {
  /// The file formats of a table, by the output's extension.
  public enum FileFormat: String, Sendable, CaseIterable {
    case csv, json, h5

    /// - Throws: `EfficiencyTableError.unknownFormat` for another extension.
    public init(path: String) throws {
      let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
      guard let f = FileFormat(rawValue: ext == "hdf5" ? "h5" : ext) else {
        throw EfficiencyTableError.unknownFormat(path: path, known: FileFormat.allCases.map(\.rawValue))
      }
      self = f
    }
  }

  /// Writes the table atomically as CSV (one line per table and bin), JSON
  /// (this type) or HDF5 (UHI histograms `total`/`pass_N`, per precut
  /// `total_pJ`/`pass_pJ_N` when there are several, readable by
  /// boost-histogram).
  public func write(to path: String, durable: Bool = false) throws {
    switch try FileFormat(path: path) {
    case .csv: try OutputFile.write(Data(csv().utf8), to: path, durable: durable)
    case .json: try OutputFile.write(try OutputFile.json(self), to: path, durable: durable)
    case .h5:
      guard let sums else { throw EfficiencyTableError.noHistograms }
      try UHIHistogramFile.write(uhi(sums), to: path, durable: durable)
    }
  }

  /// One line per table and in-range bin: the bin's limits per axis
  /// (`p_min,p_max,…`, [min, max)), then the precut, cut, sums, ε, errors and flags.
  public func csv() -> String {
    var header = axes.flatMap { ["\($0.variable)_min", "\($0.variable)_max"] }
    header += [
      "precut", "cut", "total_sum_w", "total_sum_w2", "pass_sum_w", "pass_sum_w2", "efficiency", "error", "error_low",
      "error_high", "flags",
    ]
    var lines = [header.joined(separator: ",")]
    for t in tables {
      for b in t.bins {
        var cells = zip(b.lower, b.upper).flatMap { [CSVText.number($0), CSVText.number($1)] }
        cells += [CSVText.quoted(t.precut), CSVText.quoted(t.cut)]
        cells += [b.totalW, b.totalW2, b.passW, b.passW2, b.efficiency, b.error, b.errorLow, b.errorHigh].map(CSVText.number)
        cells.append(b.flags.joined(separator: ";"))
        lines.append(cells.joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  func uhi(_ sums: EfficiencyTableAggregate.Sums) -> [(name: String, histogram: UHIHistogram)] {
    let several = sums.total.count > 1
    var out: [(name: String, histogram: UHIHistogram)] = []
    let common = ["particle": particle, "tracks": tracks.joined(separator: ","), "selection": selection, "weight": weight ?? ""]
    for (j, total) in sums.total.enumerated() {
      // tables are precut-major: precut j's first table is at j × (cuts per precut)
      let precut = tables[j * sums.pass[j].count].precut
      var labelled = total
      labelled.expressions = axes.map(\.variable)
      out.append(
        (several ? "total_p\(j + 1)" : "total", labelled.uhi(metadata: common.merging(["precut": precut, "content": "selected tracks"]) { $1 })))
      for (i, pass) in sums.pass[j].enumerated() {
        var p = pass
        p.expressions = labelled.expressions
        let cut = tables[j * sums.pass[j].count + i].cut
        out.append(
          (several ? "pass_p\(j + 1)_\(i + 1)" : "pass_\(i + 1)",
           p.uhi(metadata: common.merging(["precut": precut, "cut": cut, "content": "tracks passing " + cut]) { $1 })))
      }
    }
    return out
  }
}

/// Text cells of CSV files: numbers in the shortest form that reads back
/// exactly, text quoted when it holds a comma or a quote.
enum CSVText {
  static func number(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return "\(x)"
  }

  static func quoted(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
