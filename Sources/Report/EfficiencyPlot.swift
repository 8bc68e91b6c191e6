import Analysis
import Foundation

/// Efficiency against the first axis of a table, one panel per precut × cut,
/// one series (colour) per bin of the second axis; points at the bin centre
/// with horizontal bars over the bin and vertical bars of the interval
/// (Clopper–Pearson for unweighted tables). `data` holds every number drawn.
public struct EfficiencyPlot: Sendable {
  public var svg: String
  public var data: EfficiencyPlotData

  public init(_ table: EfficiencyTable, title: String = "") {
    var panels: [EfficiencyPlotData.Panel] = []
    let xAxis = table.axes[0]
    let seriesAxis = table.axes.count > 1 ? table.axes[1] : nil
    for entry in table.tables {
      var series: [EfficiencyPlotData.Series] = []
      let groups = seriesAxis.map { a in (0..<(a.edges.count - 1)).map { Optional($0) } } ?? [nil]
      for g in groups {
        // bins of this series; further axes (3-D tables) are drawn at their first bin
        let bins = entry.bins.filter { b in
          (g.map { b.index[1] == $0 } ?? true) && b.index.dropFirst(2).allSatisfy { $0 == 0 }
        }.sorted { $0.index[0] < $1.index[0] }
        let label = g.map { i in
          "\(seriesAxis!.variable) ∈ [\(Self.number(seriesAxis!.edges[i])), \(Self.number(seriesAxis!.edges[i + 1])))"
        } ?? "all"
        series.append(.init(
          label: label, x: bins.map { 0.5 * ($0.lower[0] + $0.upper[0]) }, halfWidth: bins.map { 0.5 * ($0.upper[0] - $0.lower[0]) },
          efficiency: bins.map(\.efficiency), errorLow: bins.map(\.errorLow), errorHigh: bins.map(\.errorHigh)))
      }
      panels.append(.init(precut: entry.precut, cut: entry.cut, series: series))
    }
    data = EfficiencyPlotData(
      x: xAxis.variable, edges: xAxis.edges, particle: table.particle, weight: table.weight, panels: panels)
    svg = Self.draw(data, title: title)
  }

  static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

  static func number(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e6 ? String(Int(x)) : String(format: "%.4g", x)
  }

  static func draw(_ d: EfficiencyPlotData, title: String) -> String {
    let panelHeight = 300.0
    var svg = SVGDocument(width: 760, height: 60 + Double(d.panels.count) * (panelHeight + 70))
    if !title.isEmpty { svg.text(title, x: 90, y: 24, size: 14) }
    for (k, p) in d.panels.enumerated() {
      let values = p.series.flatMap { s in s.efficiency.indices.map { s.efficiency[$0] + s.errorHigh[$0] } }.filter(\.isFinite)
      let lows = p.series.flatMap { s in s.efficiency.indices.map { s.efficiency[$0] - s.errorLow[$0] } }.filter(\.isFinite)
      // zoomed on the points, with head room for the legend
      let hiData = values.max() ?? 1, loData = lows.min() ?? 0
      let spread = max(hiData - loData, 0.01)
      let yHi = hiData + 0.1 * spread + (p.series.count > 1 ? 0.06 * spread * Double(p.series.count) + 0.1 * spread : 0)
      let yLo = loData - 0.1 * spread
      let top = 50 + Double(k) * (panelHeight + 70)
      let panel = PlotPanel(
        frame: (90, top, 620, panelHeight), x: (d.edges.first!, d.edges.last!), y: (yLo, yHi),
        xTitle: d.x, yTitle: "efficiency")
      panel.drawAxes(&svg)
      if yLo < 1 && yHi > 1 { panel.drawHorizontal(&svg, at: 1) }
      if yLo < 0 && yHi > 0 { panel.drawHorizontal(&svg, at: 0) }
      var legend: [(String, String, PlotPanel.LegendMark)] = []
      for (i, s) in p.series.enumerated() {
        let color = palette[i % palette.count]
        // series side by side within each bin, so their points do not hide each other
        let n = Double(p.series.count)
        let shift = n > 1 ? (Double(i) + 0.5) / n - 0.5 : 0
        panel.drawIntervals(
          &svg,
          points: s.x.indices.map {
            (s.x[$0] + shift * 1.2 * s.halfWidth[$0], s.efficiency[$0], s.errorLow[$0], s.errorHigh[$0], s.halfWidth[$0] / n)
          },
          color: color)
        if p.series.count > 1 { legend.append((s.label, color, .point)) }
      }
      if !legend.isEmpty { panel.drawLegend(&svg, legend) }
      let heading = (p.precut.isEmpty ? "" : p.precut + ": ") + p.cut + " (\(d.particle))"
      svg.text(heading, x: 90, y: top - 8, size: 13)
    }
    return svg.render()
  }
}

/// Every number of an efficiency plot (written as JSON beside the SVG).
public struct EfficiencyPlotData: Sendable, Codable, Equatable {
  public struct Series: Sendable, Codable, Equatable {
    public var label: String
    public var x: [Double]
    public var halfWidth: [Double]
    public var efficiency: [Double]
    public var errorLow: [Double]
    public var errorHigh: [Double]

    enum CodingKeys: String, CodingKey {
      case label, x, efficiency, halfWidth = "half_width", errorLow = "error_low", errorHigh = "error_high"
    }
  }

  public struct Panel: Sendable, Codable, Equatable {
    public var precut: String
    public var cut: String
    public var series: [Series]
  }

  public var x: String
  public var edges: [Double]
  public var particle: String
  public var weight: String?
  public var panels: [Panel]
}
