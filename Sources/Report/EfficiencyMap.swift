import Analysis
import Foundation

/// A 2-D efficiency table as maps, one per precut × cut: the first axis
/// along x, the second along y, ε as viridis colour with a colour bar, and
/// "ε ± σ" written in each cell when the cells are large enough. Bins
/// without selected tracks stay white. `data` holds every number drawn.
public struct EfficiencyMap: Sendable {
  public var svg: String
  public var data: EfficiencyMapData

  /// - Precondition: `table.axes.count == 2`.
  public init(_ table: EfficiencyTable, title: String = "") {
    precondition(table.axes.count == 2, "an efficiency map needs a 2-D table")
    let (xa, ya) = (table.axes[0], table.axes[1])
    let ny = ya.edges.count - 1
    let cells = (xa.edges.count - 1) * ny
    let panels = table.tables.map { entry -> EfficiencyMapData.Panel in
      var e = [Double](repeating: .nan, count: cells)
      var low = e, high = e
      for b in entry.bins {
        let k = b.index[0] * ny + b.index[1]
        (e[k], low[k], high[k]) = (b.efficiency, b.errorLow, b.errorHigh)
      }
      return .init(precut: entry.precut, cut: entry.cut, efficiency: e, errorLow: low, errorHigh: high)
    }
    data = EfficiencyMapData(x: xa.variable, y: ya.variable, xEdges: xa.edges, yEdges: ya.edges, particle: table.particle,
                             weight: table.weight, panels: panels)
    svg = Self.draw(data, title: title)
  }

  static func draw(_ d: EfficiencyMapData, title: String) -> String {
    let panelHeight = 320.0
    let frameWidth = 540.0
    var svg = SVGDocument(width: 780, height: 60 + Double(d.panels.count) * (panelHeight + 80))
    if !title.isEmpty { svg.text(title, x: 90, y: 24, size: 14) }
    let ny = d.yEdges.count - 1, nx = d.xEdges.count - 1
    for (k, p) in d.panels.enumerated() {
      let top = 50 + Double(k) * (panelHeight + 80)
      let finite = p.efficiency.filter(\.isFinite)
      // the colour range: the efficiencies', widened to at least 0.02
      var lo = finite.min() ?? 0, hi = finite.max() ?? 1
      if hi - lo < 0.02 { (lo, hi) = ((lo + hi) / 2 - 0.01, (lo + hi) / 2 + 0.01) }
      let panel = PlotPanel(frame: (90, top, frameWidth, panelHeight), x: (d.xEdges[0], d.xEdges[nx]), y: (d.yEdges[0], d.yEdges[ny]),
                            xTitle: d.x, yTitle: d.y)
      let colors = ColorMap.viridis
      panel.drawMap(&svg, xEdges: d.xEdges, yEdges: d.yEdges, values: p.efficiency, colors: colors, range: (lo, hi))
      // cell labels where they fit
      let minWidth = (0..<nx).map { panel.x(d.xEdges[$0 + 1]) - panel.x(d.xEdges[$0]) }.min() ?? 0
      let minHeight = (0..<ny).map { panel.y(d.yEdges[$0]) - panel.y(d.yEdges[$0 + 1]) }.min() ?? 0
      if minWidth >= 58 && minHeight >= 26 {
        for i in 0..<nx {
          for j in 0..<ny {
            let e = p.efficiency[i * ny + j]
            guard e.isFinite else { continue }
            let cx = 0.5 * (panel.x(d.xEdges[i]) + panel.x(d.xEdges[i + 1]))
            let cy = 0.5 * (panel.y(d.yEdges[j]) + panel.y(d.yEdges[j + 1]))
            let err = 0.5 * (p.errorLow[i * ny + j] + p.errorHigh[i * ny + j])
            svg.text(String(format: "%.3f", e), x: cx, y: cy - 1, size: 11, anchor: .middle, color: colors.textColor((e - lo) / (hi - lo)))
            svg.text(String(format: "± %.3f", err), x: cx, y: cy + 12, size: 9, anchor: .middle,
                     color: colors.textColor((e - lo) / (hi - lo)))
          }
        }
      }
      panel.drawAxes(&svg)
      colors.drawBar(&svg, frame: (90 + frameWidth + 18, top, 18, panelHeight), range: (lo, hi), title: "efficiency")
      let heading = (p.precut.isEmpty ? "" : p.precut + ": ") + p.cut + " (\(d.particle))"
      svg.text(heading, x: 90, y: top - 8, size: 13)
    }
    return svg.render()
  }
}

extension EfficiencyPlot {
  /// Writes the plot of `table` with its numbers beside it (`PlotFile`): a
  /// 2-D table as maps (`EfficiencyMap`), any other as points per bin.
  /// - Returns: the paths written.
  @discardableResult
  public static func write(_ table: EfficiencyTable, title: String, to path: String) throws -> [String] {
    if table.axes.count == 2 {
      let map = EfficiencyMap(table, title: title)
      return try PlotFile.write(svg: map.svg, data: map.data, to: path)
    }
    let plot = EfficiencyPlot(table, title: title)
    return try PlotFile.write(svg: plot.svg, data: plot.data, to: path)
  }
}

/// Every number of an efficiency map (written as JSON beside the SVG):
/// per panel ε and its interval, row-major with x slowest (NaN: no tracks).
public struct EfficiencyMapData: Sendable, Codable, Equatable {
  public struct Panel: Sendable, Codable, Equatable {
    public var precut: String
    public var cut: String
    public var efficiency: [Double]
    public var errorLow: [Double]
    public var errorHigh: [Double]

    enum CodingKeys: String, CodingKey { case precut, cut, efficiency, errorLow = "error_low", errorHigh = "error_high" }
  }

  public var x: String
  public var y: String
  public var xEdges: [Double]
  public var yEdges: [Double]
  public var particle: String
  public var weight: String?
  public var panels: [Panel]

  enum CodingKeys: String, CodingKey { case x, y, xEdges = "x_edges", yEdges = "y_edges", particle, weight, panels }
}
