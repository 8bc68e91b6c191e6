import Analysis
import Foundation

/// ID efficiency (y) against mis-ID rate (x) of each variable, one panel per
/// kinematic bin; points with error bars joined by lines, AUC in the legend.
public struct ROCPlot: Sendable {
  public var svg: String

  public init(_ roc: ROCCurve, title: String = "") {
    let binsPerVariable = Dictionary(grouping: roc.curves, by: { $0.lower + $0.upper })
    let keys = roc.curves.map { $0.lower + $0.upper }.reduce(into: [[Double]]()) { if !$0.contains($1) { $0.append($1) } }
    let panelHeight = 360.0
    var svg = SVGDocument(width: 620, height: 50 + Double(keys.count) * (panelHeight + 80))
    if !title.isEmpty { svg.text(title, x: 90, y: 22, size: 14) }
    for (k, key) in keys.enumerated() {
      let curves = binsPerVariable[key] ?? []
      let top = 50 + Double(k) * (panelHeight + 80)
      let panel = PlotPanel(
        frame: (90, top, 480, panelHeight), x: (0, 1), y: (0, 1.02), xTitle: "mis-ID rate (\(roc.misIDParticle))",
        yTitle: "ID efficiency (\(roc.signalParticle))")
      panel.drawAxes(&svg)
      var legend: [(String, String, PlotPanel.LegendMark)] = []
      for (i, c) in curves.enumerated() {
        let color = EfficiencyPlot.palette[i % EfficiencyPlot.palette.count]
        let pts = c.points.filter { $0.misID.isFinite && $0.efficiency.isFinite }
        panel.drawCurve(&svg, pts.map { ($0.misID, $0.efficiency) }, color: color, width: 1.5)
        panel.drawErrorBars(&svg, points: pts.map { ($0.misID, $0.efficiency, $0.efficiencyError) }, color: color)
        legend.append((String(format: "%@  AUC %.4f ± %.4f", c.variable, c.auc, c.aucError), color, .line(dash: nil)))
      }
      panel.drawLegend(&svg, legend)
      if !key.isEmpty {
        let label = zip(roc.axes, zip(curves[0].lower, curves[0].upper)).map { a, r in
          "\(a.variable) ∈ [\(EfficiencyPlot.number(r.0)), \(EfficiencyPlot.number(r.1)))"
        }.joined(separator: ", ")
        svg.text(label, x: 90, y: top - 8, size: 13)
      }
    }
    self.svg = svg.render()
  }
}
