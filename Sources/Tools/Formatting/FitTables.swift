import Analysis
import Foundation
import Modes
import Workflow

/// The text of `syscorr fit`.
enum FitTables {
  static func text(_ r: FitJobResult, mode: CalibrationMode) -> String {
    var out: [String] = []
    let n = r.fit.nominal.report
    out.append("fit of \(n.column) in [\(ResultTables.edge(n.range[0])), \(ResultTables.edge(n.range[1]))]: "
      + "\(Output.grouped(n.events)) events (\(Output.grouped(n.outside)) selected outside the range)")
    out.append(model("nominal", n))
    if let s = r.fit.systematic?.report { out.append(model("systematic", s)) }
    if let c = r.summary?.splot, let friend = r.friend {
      out.append("sWeights: \(friend) (sweight, sweight_bkg, sweight_syst, in_fit)")
      for (label, m) in [("nominal", c.nominal), ("systematic", c.systematic)] {
        let sums = m.sumOfWeights.sorted { $0.key > $1.key }.map { k, v in
          String(format: "Σw(%@) = %.2f (N = %.2f)", k, v, m.yields[k] ?? .nan)
        }
        out.append("  \(label): " + sums.joined(separator: ", ")
          + String(format: ", max |Σ_n w − 1| = %.1e", m.maxUnitSumDeviation))
      }
    }
    if let v = r.validation, let p = v.probe, !v.bins.isEmpty {
      let truth = v.bins.contains { $0.truth != nil }
      out.append("validation: \(p.pid) > \(p.threshold) in bins of \(p.momentum), sWeighted"
        + (truth ? " vs truth-matched" : " (no truth in data)"))
      var rows: [[String]] = []
      for b in v.bins {
        var row = ["\(ResultTables.edge(b.lo))–\(ResultTables.edge(b.hi))", String(format: "%.4f ± %.4f", b.sweighted.value, b.sweighted.error)]
        if truth {
          row += [b.truth.map { String(format: "%.4f ± %.4f", $0.value, $0.error) } ?? "-", b.pull.map { String(format: "%+.2f", $0) } ?? "-"]
        }
        rows.append(row)
      }
      out.append(Output.table(["p (GeV/c)", "sWeighted"] + (truth ? ["truth", "pull"] : []), rows, numeric: [1, 2, 3]))
    }
    if !r.files.isEmpty { out.append("wrote " + r.files.joined(separator: ", ")) }
    return out.joined(separator: "\n")
  }

  static func model(_ label: String, _ r: MassFitReport) -> String {
    var rows: [[String]] = []
    for (name, v) in r.yields.sorted(by: { $0.key > $1.key }) {
      rows.append(["\(name).yield", value(v.value), value(v.error), flags(v)])
    }
    for (name, v) in r.parameters.sorted(by: { $0.key < $1.key }) {
      rows.append([name, value(v.value), value(v.error), flags(v)])
    }
    let table = Output.table(["parameter", "value", "error", ""], rows, numeric: [1, 2])
    let status = String(
      format: "%@: %@, edm %.2g (max %.2g), nll %.4f, %d calls, %.2f s", label, r.status, r.edm, r.edmMaximum, r.nll,
      r.calls, r.seconds)
    let cheb = r.chebychevMinimum.map { k, v in String(format: "  %@ Chebychev minimum over the range: %.3g%@", k, v, v <= 0 ? " (negative: unphysical)" : "") }
    return ([status, table] + cheb).joined(separator: "\n")
  }

  static func value(_ x: Double) -> String { String(format: "%.6g", x) }

  static func flags(_ v: ValueWithError) -> String { v.fixed ? "fixed" : v.atLimit ? "at limit" : "" }
}
