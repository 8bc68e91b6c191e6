import Foundation
import Analysis
import ColumnStore
import Query

/// Text tables of query results, tab-separated, one line per bin.
enum ResultTables {
  static func count(_ c: CountAggregate.Result) -> String {
    "entries \(c.entries)\nsum_w   \(number(c.sumW))\nsum_w2  \(number(c.sumW2))\n"
  }

  /// One line per bin (flow bins included), per-axis bounds then Σw and Σw².
  static func histogram(_ report: HistogramReport) -> String {
    let h = report.result
    var lines = ["# histogram of " + h.expressions.joined(separator: " × ") + ", \(h.entries) entries; NaN counts as overflow"]
    var header: [String] = []
    for e in h.expressions { header += ["\(e).lower", "\(e).upper"] }
    lines.append((header + ["sum_w", "sum_w2"]).joined(separator: "\t"))
    for flat in 0..<h.sumW.count {
      let idx = h.indices(ofFlat: flat)
      var cells: [String] = []
      for (a, i) in zip(h.axes, idx) {
        cells += [i == 0 ? "-inf" : edge(a.edges[i - 1]), i == a.extent - 1 ? "inf" : edge(a.edges[i])]
      }
      lines.append((cells + [number(h.sumW[flat]), number(h.sumW2[flat])]).joined(separator: "\t"))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Each table of `syscorr efficiency`: a heading, then one line per bin
  /// (limits, Σw selected, ε, its errors, flags).
  static func efficiencyTable(_ t: EfficiencyTable) -> String {
    var lines = [
      "# \(t.particle) tracks (\(t.tracks.joined(separator: ", "))), \(Output.grouped(t.entries)) read"
        + (t.weight.map { ", weight \($0)" } ?? (t.unweighted ? ", unweighted (Clopper–Pearson intervals)" : ""))
        + (t.selection.isEmpty ? "" : ", selection \(t.selection)")
        + (t.subtracted.map { "\n# subtracted: \($0)" } ?? "")
    ]
    for e in t.tables {
      lines.append("")
      lines.append("# " + (e.precut.isEmpty ? "" : "precut \(e.precut), ") + "cut \(e.cut)")
      var header = t.axes.flatMap { ["\($0.variable).lower", "\($0.variable).upper"] }
      header += ["sum_w", "eff", t.unweighted ? "err_low" : "err", t.unweighted ? "err_high" : "", "flags"]
      var rows: [[String]] = []
      for b in e.bins {
        var cells = zip(b.lower, b.upper).flatMap { [edge($0), edge($1)] }
        cells += [number(b.totalW), String(format: "%.5f", b.efficiency)]
        cells += t.unweighted
          ? [String(format: "%.5f", b.errorLow), String(format: "%.5f", b.errorHigh)]
          : [String(format: "%.5f", b.error), ""]
        cells.append(b.flags.joined(separator: ","))
        rows.append(cells)
      }
      lines.append(Output.table(header, rows, numeric: Set(0..<(header.count - 1))))
      if e.outsideW != 0 { lines.append("# sum_w \(number(e.outsideW)) outside the bins (not shown)") }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Each table of `syscorr weights`: one line per bin with both
  /// efficiencies, the ratio and its uncertainties.
  static func weightTable(_ w: WeightTable) -> String {
    var lines = [
      "# data/MC weights of \(w.particle) tracks; data weight \(w.dataWeight ?? "none"), MC weight \(w.mcWeight ?? "none")"
        + (w.systematicWeight.map { ", systematic weight \($0)" } ?? ", no systematic weight")
    ]
    for e in w.tables {
      lines.append("")
      lines.append("# " + (e.precut.isEmpty ? "" : "precut \(e.precut), ") + "cut \(e.cut)")
      var header = w.axes.flatMap { ["\($0.variable).lower", "\($0.variable).upper"] }
      header += ["eff_data", "eff_mc", "ratio", "stat_up", "stat_dn", "sys", "flags"]
      let rows = e.bins.map { b -> [String] in
        zip(b.lower, b.upper).flatMap { [edge($0), edge($1)] }
          + [b.dataEfficiency, b.mcEfficiency, b.ratio, b.statUp, b.statDown, b.sysUp].map { String(format: "%.5f", $0) }
          + [b.flags.joined(separator: ",")]
      }
      lines.append(Output.table(header, rows, numeric: Set(0..<(header.count - 1))))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// `syscorr roc`: per curve its bin, AUC and the point nearest to threshold 0.5.
  static func roc(_ r: ROCCurve) -> String {
    var rows: [[String]] = []
    for c in r.curves {
      let bin = zip(r.axes, zip(c.lower, c.upper)).map { "\($0.variable) [\(edge($1.0)), \(edge($1.1)))" }.joined(separator: " ")
      let mid = c.points.min { abs($0.threshold - 0.5) < abs($1.threshold - 0.5) }
      rows.append([
        c.variable, bin.isEmpty ? "all" : bin, String(format: "%.5f ± %.5f", c.auc, c.aucError),
        mid.map { String(format: "%g", $0.threshold) } ?? "-",
        mid.map { String(format: "%.4f ± %.4f", $0.efficiency, $0.efficiencyError) } ?? "-",
        mid.map { String(format: "%.4f ± %.4f", $0.misID, $0.misIDError) } ?? "-",
      ])
    }
    return "# ROC: \(r.signalParticle) efficiency vs \(r.misIDParticle) mis-ID rate\n"
      + Output.table(["variable", "bin", "AUC", "t", "efficiency", "mis-ID"], rows) + "\n"
  }

  /// The printed rows of `query --columns`, and a line saying whether more pass.
  static func rows(_ t: RowTable) -> String {
    let body = (0..<t.rowCount).map { i in t.values.map { RowTable.Cell($0, i).text } }
    let numeric = Set(t.values.indices.filter { t.values[$0].type != ColumnType.bool })
    let note = t.rowCount == 0
      ? "no rows pass"
      : t.more ? "first \(Output.grouped(t.rowCount)) passing rows; more with --limit N, all with --out FILE.h5"
      : "\(Output.grouped(t.rowCount)) passing row\(t.rowCount == 1 ? "" : "s")"
    return Output.table(t.columns, body, numeric: numeric) + "\n# " + note + "\n"
  }

  /// One line per in-range bin: bounds, Σw of all selected rows, then ε ± σ
  /// per cut; a closing comment counts what fell outside the axes.
  static func efficiency(_ e: EfficiencyAggregate.Result) -> String {
    let h = e.total
    var lines = ["# efficiency in bins of " + h.expressions.joined(separator: " × ") + ", \(h.entries) selected entries"]
    for (i, c) in e.cuts.enumerated() { lines.append("# cut \(i + 1): \(c.cut)") }
    var header: [String] = []
    for x in h.expressions { header += ["\(x).lower", "\(x).upper"] }
    header.append("sum_w")
    for i in e.cuts.indices { header += ["eff\(i + 1)", "err\(i + 1)"] }
    lines.append(header.joined(separator: "\t"))
    var outside = 0.0
    for flat in 0..<h.sumW.count {
      let idx = h.indices(ofFlat: flat)
      if zip(h.axes, idx).contains(where: { $1 == 0 || $1 == $0.extent - 1 }) {
        outside += h.sumW[flat]
        continue
      }
      var cells: [String] = []
      for (a, i) in zip(h.axes, idx) { cells += [edge(a.edges[i - 1]), edge(a.edges[i])] }
      cells.append(number(h.sumW[flat]))
      for c in e.cuts { cells += [String(format: "%.5f", c.efficiency[flat]), String(format: "%.5f", c.error[flat])] }
      lines.append(cells.joined(separator: "\t"))
    }
    if outside != 0 { lines.append("# sum_w \(number(outside)) outside the axes' range (under/overflow, NaN) not shown") }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Whole numbers without a decimal point, others with 10 significant digits.
  static func number(_ x: Double) -> String {
    if x == x.rounded() && Swift.abs(x) < 1e15 { return String(Int64(x)) }
    return x.isFinite ? String(format: "%.10g", x) : "\(x)"
  }

  /// A bin edge, at most 12 significant digits (`0.04515`, not `0.04515000000000002`).
  static func edge(_ x: Double) -> String {
    let s = String(format: "%.12g", x)
    return s.contains(".") || s.contains("e") || s.contains("n") ? s : s + ".0"
  }
}
