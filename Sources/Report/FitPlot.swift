import Analysis
import Foundation
import Numerics
import Query

/// The plot of a mass fit: the data histogram with √(Σw²) errors, the total
/// model and its species (each scaled to events per bin), and a pull panel
/// (data − model integral over the bin) / error. `data` holds every number
/// drawn, for restyling in Python.
public struct FitPlot: Sendable {
  public var svg: String
  public var data: FitPlotData

  /// - Parameters:
  ///   - bins: histogram bins over the fit range.
  ///   - title: a line above the plot (mode, processing, sample).
  public init(outcome: MassFitOutcome, sample: FitSampleAggregate.Result, variable: String, unit: String,
              bins: Int = 100, title: String = "") {
    let range = outcome.model.range
    let width = (range.hi - range.lo) / Double(bins)
    var sumW = [Double](repeating: 0, count: bins)
    var sumW2 = [Double](repeating: 0, count: bins)
    for (i, x) in sample.values.enumerated() {
      let b = Swift.min(Swift.max(Int((x - range.lo) / width), 0), bins - 1)
      let w = sample.weights?[i] ?? 1
      sumW[b] += w
      sumW2[b] += w * w
    }
    self.init(outcome: outcome, sumW: sumW, sumW2: sumW2, variable: variable, unit: unit, title: title)
  }

  /// The plot of a binned fit: its histogram's plot bins (`FitHistogramAggregate`, binned as above).
  public init(outcome: MassFitOutcome, histogram: FitHistogramAggregate.Result, variable: String, unit: String,
              title: String = "") {
    self.init(outcome: outcome, sumW: histogram.plotSumW, sumW2: histogram.plotSumW2, variable: variable, unit: unit,
              title: title)
  }

  init(outcome: MassFitOutcome, sumW: [Double], sumW2: [Double], variable: String, unit: String, title: String) {
    let model = outcome.model
    let range = model.range
    let bins = sumW.count
    let width = (range.hi - range.lo) / Double(bins)
    let edges = (0...bins).map { range.lo + Double($0) * width }
    let errors = sumW2.map { $0.squareRoot() }
    // expected events per bin: yields × bin probabilities
    var expected = [Double](repeating: 0, count: bins)
    for s in model.species {
      for b in 0..<bins {
        expected[b] += s.yield * s.shape.probability(from: edges[b], to: edges[b + 1], over: range)
      }
    }
    let pulls = (0..<bins).map { b in errors[b] > 0 ? (sumW[b] - expected[b]) / errors[b] : .nan }
    // curves: events per bin width at 400 points
    let xs = (0...400).map { range.lo + Double($0) / 400 * (range.hi - range.lo) }
    var curves: [String: [Double]] = [:]
    var total = [Double](repeating: 0, count: xs.count)
    for s in model.species {
      let ys = xs.map { s.yield * width * s.shape.density(at: $0, over: range) }
      curves[s.name] = ys
      for i in xs.indices { total[i] += ys[i] }
    }
    curves["total"] = total
    data = FitPlotData(
      variable: variable, unit: unit, edges: edges, sumW: sumW, errors: errors, expected: expected, pulls: pulls,
      curveX: xs, curves: curves, yields: Dictionary(uniqueKeysWithValues: model.species.map { ($0.name, $0.yield) }),
      status: outcome.report.status)
    svg = Self.draw(data, title: title, report: outcome.report)
  }

  static let colors = ["total": "#1f77b4", "signal": "#d62728", "background": "#2ca02c"]

  static func draw(_ d: FitPlotData, title: String, report: MassFitReport) -> String {
    var svg = SVGDocument(width: 720, height: 620)
    let top = d.sumW.indices.map { d.sumW[$0] + d.errors[$0] }.max() ?? 1
    let ymax = Swift.max(top, d.curves["total"]?.max() ?? 0) * 1.25
    let binWidth = d.edges[1] - d.edges[0]
    let unit = d.unit.isEmpty ? "" : " [\(d.unit)]"
    var main = PlotPanel(
      frame: (90, 40, 600, 400), x: (d.edges.first!, d.edges.last!), y: (0, ymax),
      yTitle: "Candidates / \(PlotScale.label(binWidth, step: binWidth / 10))\(d.unit.isEmpty ? "" : " " + d.unit)")
    main.xLabels = false
    main.drawAxes(&svg)
    for (name, dash) in [("background", "6,4"), ("signal", "2,3")] {
      if let ys = d.curves[name] {
        main.drawCurve(&svg, Array(zip(d.curveX, ys)), color: colors[name] ?? "#555", dash: dash)
      }
    }
    if let total = d.curves["total"] { main.drawCurve(&svg, Array(zip(d.curveX, total)), color: colors["total"]!, width: 2.2) }
    let centers = (0..<d.sumW.count).map { 0.5 * (d.edges[$0] + d.edges[$0 + 1]) }
    main.drawErrorBars(&svg, points: centers.indices.map { (centers[$0], d.sumW[$0], d.errors[$0]) })
    main.drawLegend(&svg, [
      ("data", "#000", .point), ("total fit", colors["total"]!, .line(dash: nil)),
      ("signal", colors["signal"]!, .line(dash: "2,3")), ("background", colors["background"]!, .line(dash: "6,4")),
    ])
    var lines = [title]
    if let s = report.yields["signal"] { lines.append(String(format: "N(signal) = %.1f ± %.1f", s.value, s.error)) }
    if let b = report.yields["background"] { lines.append(String(format: "N(background) = %.1f ± %.1f", b.value, b.error)) }
    lines.append("fit \(report.status), EDM \(String(format: "%.1e", report.edm))")
    for (i, l) in lines.enumerated() where !l.isEmpty { svg.text(l, x: 102, y: 62 + 18 * Double(i), size: 13) }
    let pullMax = Swift.max(3.5, (d.pulls.filter(\.isFinite).map(abs).max() ?? 0) * 1.1)
    let pull = PlotPanel(
      frame: (90, 450, 600, 120), x: (d.edges.first!, d.edges.last!), y: (-pullMax, pullMax),
      xTitle: "\(d.variable)\(unit)", yTitle: "Pull")
    pull.drawAxes(&svg)
    pull.drawBars(&svg, edges: d.edges, values: d.pulls, fill: "#7f7f7f")
    pull.drawHorizontal(&svg, at: 0, color: "#000", dash: nil)
    for v in [-2.0, 2.0] { pull.drawHorizontal(&svg, at: v) }
    return svg.render()
  }
}

/// Every number of a fit plot (written as JSON beside the SVG).
public struct FitPlotData: Sendable, Codable, Equatable {
  public var variable: String
  public var unit: String
  public var edges: [Double]
  public var sumW: [Double]
  public var errors: [Double]
  /// Model expectation per bin (integral of the fitted model over the bin).
  public var expected: [Double]
  public var pulls: [Double]
  public var curveX: [Double]
  /// Events per bin width along `curve_x`: total and each species.
  public var curves: [String: [Double]]
  public var yields: [String: Double]
  public var status: String

  enum CodingKeys: String, CodingKey {
    case variable, unit, edges, sumW = "sum_w", errors, expected, pulls, curveX = "curve_x", curves, yields, status
  }
}
