import Analysis
import Foundation

/// Data against simulation of one expression (mplhep style): the simulation
/// as a filled step histogram with its ±σ band, the data as points with
/// error bars, one colour per overlaid selection, and under it a ratio panel
/// data / simulation. Without simulation: the data only. `data` (the
/// comparison) holds every number drawn.
public struct DistributionPlot: Sendable {
  public var svg: String
  public var data: DistributionComparison

  /// - Parameters:
  ///   - log: a logarithmic y axis on the main panel.
  ///   - xTitle: the x axis title (default: the expression, with the particle).
  ///   - names: the legend's names of the two samples.
  public init(_ c: DistributionComparison, title: String = "", log: Bool = false, xTitle: String? = nil,
              names: (data: String, simulation: String) = ("data", "simulation")) {
    data = c
    svg = Self.draw(c, title: title, log: log, xTitle: xTitle ?? (c.expression + (c.particle.map { " (\($0))" } ?? "")), names: names)
  }

  static let palette = EfficiencyPlot.palette

  static func label(_ selection: String) -> String { selection.isEmpty ? "all" : selection }

  static func draw(_ c: DistributionComparison, title: String, log: Bool, xTitle: String,
                   names: (data: String, simulation: String)) -> String {
    let hasMC = !c.mc.isEmpty
    let single = c.data.count == 1
    let width = 720.0
    let mainHeight = hasMC ? 380.0 : 440.0
    var svg = SVGDocument(width: width, height: hasMC ? 620 : 560)
    let lo = c.edges.first!, hi = c.edges.last!
    // the y range: every value and error bar, with head room for the legend
    let all = (c.data + c.mc).flatMap { h in h.values.indices.map { (h.values[$0], h.errors[$0]) } }
    let tops = all.map { $0.0 + $0.1 }.filter(\.isFinite)
    let yMax = tops.max() ?? 1
    let yRange: (Double, Double)
    if log {
      let positive = all.map(\.0).filter { $0 > 0 && $0.isFinite }
      let floor = pow(10, Foundation.floor(log10((positive.min() ?? 1) / 2)))
      let top = Swift.max(yMax, floor * 10)
      // a third of the decades above the highest point for the legend
      let decades = log10(top) - log10(floor)
      yRange = (floor, top * pow(10, 0.45 * decades + 0.1))
    } else {
      let legendRows = Double(c.data.count * (hasMC ? 2 : 1))
      yRange = (0, (yMax > 0 ? yMax : 1) * (1.2 + 0.06 * legendRows))
    }
    var main = PlotPanel(
      frame: (90, 40, 600, mainHeight), x: (lo, hi), y: yRange, xTitle: xTitle, yTitle: yTitle(c), yKind: log ? .log : .linear)
    main.xLabels = !hasMC
    main.drawAxes(&svg)
    var legend: [(String, String, PlotPanel.LegendMark)] = []
    func color(_ k: Int, data: Bool) -> String { single ? (data ? "#000" : palette[0]) : palette[k % palette.count] }
    for (k, m) in c.mc.enumerated() {
      let col = color(k, data: false)
      main.drawSteps(&svg, edges: c.edges, values: m.values, color: col, fill: single ? col : nil, fillOpacity: 0.3)
      main.drawBand(&svg, edges: c.edges, low: zip(m.values, m.errors).map { $0 - $1 }, high: zip(m.values, m.errors).map { $0 + $1 },
                    color: col, opacity: single ? 0.35 : 0.25)
      legend.append((single ? names.simulation : names.simulation + " " + label(m.selection), col, .band))
    }
    let centers = zip(c.edges, c.edges.dropFirst()).map { 0.5 * ($0 + $1) }
    let halves = zip(c.edges, c.edges.dropFirst()).map { 0.5 * ($1 - $0) }
    for (k, d) in c.data.enumerated() {
      let col = color(k, data: true)
      if hasMC || single {
        main.drawIntervals(&svg, points: d.values.indices.map { (centers[$0], d.values[$0], d.errors[$0], d.errors[$0], halves[$0]) }, color: col)
        legend.append((single ? names.data : names.data + " " + label(d.selection), col, .point))
      } else {
        // several selections of one sample: steps with their error bands
        main.drawSteps(&svg, edges: c.edges, values: d.values, color: col)
        main.drawBand(&svg, edges: c.edges, low: zip(d.values, d.errors).map { $0 - $1 }, high: zip(d.values, d.errors).map { $0 + $1 },
                      color: col, opacity: 0.25)
        legend.append((label(d.selection), col, .band))
      }
    }
    let longest = legend.map(\.0.count).max() ?? 10
    main.drawLegend(&svg, legend, width: Swift.min(Swift.max(120, 46 + 8 * Double(longest)), 420))
    var lines = [title]
    if !c.selection.isEmpty { lines.append(c.selection) }
    for (i, l) in lines.enumerated() where !l.isEmpty { svg.text(l, x: 102, y: 62 + 18 * Double(i), size: 13) }
    if hasMC {
      let finite = zip(c.ratios.flatMap(\.values), c.ratios.flatMap(\.errors)).filter { $0.0.isFinite && $0.1.isFinite }
      let spread = finite.map { Swift.max(abs($0.0 + $0.1 - 1), abs($0.0 - $0.1 - 1)) }.max() ?? 0.2
      let half = Swift.min(Swift.max(spread * 1.1, 0.2), 1.5)
      var ratio = PlotPanel(
        frame: (90, 40 + mainHeight + 10, 600, 130), x: (lo, hi), y: (Swift.max(0, 1 - half), 1 + half), xTitle: xTitle,
        yTitle: "data / sim.")
      ratio.yTickTarget = 4
      ratio.drawAxes(&svg)
      ratio.drawHorizontal(&svg, at: 1, color: "#000", dash: "4,3")
      for (k, r) in c.ratios.enumerated() {
        ratio.drawIntervals(
          &svg, points: r.values.indices.map { (centers[$0], r.values[$0], r.errors[$0], r.errors[$0], halves[$0]) },
          color: color(k, data: true))
      }
    }
    return svg.render()
  }

  static func yTitle(_ c: DistributionComparison) -> String {
    if c.density { return "normalised to unit area" }
    let widths = zip(c.edges, c.edges.dropFirst()).map { $1 - $0 }
    let w = widths[0]
    let regular = widths.allSatisfy { abs($0 - w) <= 1e-9 * abs(w) }
    let weighted = c.weight != nil
    let what = weighted ? "Σw" : "entries"
    return regular ? "\(what) / \(String(format: "%.3g", w))" : "\(what) per bin"
  }
}
