import Analysis
import Foundation

/// The validation plot of a PID density: along one axis, the data's
/// weighted histogram (points ± √Σw², as a density) against the estimate's
/// projection (the density integrated over the other axes), and the
/// bandwidth variants when the density has them; a pull panel below.
public struct DensityProjectionPlot: Sendable {
  /// Every number drawn.
  public struct Numbers: Sendable, Codable, Equatable {
    public var variable: String
    public var edges: [Double]
    /// The data's histogram as a density (Σw / (Σw_total · width)) and its error.
    public var data: [Double]
    public var dataErrors: [Double]
    /// The estimate's projection per cell (mean density over the cell).
    public var estimate: [Double]
    /// Variant name → projection.
    public var variants: [String: [Double]]
    /// (data − estimate) / error, NaN where the error is 0.
    public var pulls: [Double]
    public var transform: String

    enum CodingKeys: String, CodingKey {
      case variable, edges, data, estimate, variants, pulls, transform
      case dataErrors = "data_errors"
    }
  }

  public var svg: String
  public var data: Numbers

  /// - Parameter axis: the grid axis (kinematic axes, then the PID).
  public init(_ density: PIDDensity, axis: Int, title: String = "") {
    let s = density.settings
    let a = density.density.axes[axis]
    let names = s.kinematics + [s.pid]
    let edges = (0...a.cells).map { a.lower + Double($0) * a.width }
    let zeros = [Double](repeating: 0, count: a.cells)
    let m: (sumW: [Double], sumW2: [Double]) = axis < density.dataMarginals.count ? density.dataMarginals[axis] : (zeros, zeros)
    let total = m.sumW.reduce(0, +)
    let scale = total != 0 ? 1 / (total * a.width) : 0
    let values = m.sumW.map { $0 * scale }
    let errors = m.sumW2.map { $0.squareRoot() * abs(scale) }
    let estimate = density.projection(axis)
    var variants: [String: [Double]] = [:]
    for name in ["bw_down", "bw_up"] {
      if let g = density.variants[name] {
        let other = g.cellVolume / g.axes[axis].width
        variants[name] = g.marginal(axis).map { $0 * other }
      }
    }
    let pulls = zip(zip(values, errors), estimate).map { ve, e in ve.1 > 0 ? (ve.0 - e) / ve.1 : .nan }
    let isPID = axis == density.density.axes.count - 1
    let variable = names[axis] + (isPID && s.transform != .none ? " (\(s.transform.rawValue))" : "")
    data = Numbers(
      variable: variable, edges: edges, data: values, dataErrors: errors, estimate: estimate, variants: variants, pulls: pulls,
      transform: isPID ? s.transform.rawValue : "none")
    svg = Self.draw(data, title: title)
  }

  static func draw(_ n: Numbers, title: String) -> String {
    var svg = SVGDocument(width: 720, height: 600)
    let lo = n.edges.first!, hi = n.edges.last!
    let tops = zip(n.data, n.dataErrors).map { $0 + $1 } + n.estimate + n.variants.values.flatMap { $0 }
    let yMax = tops.filter(\.isFinite).max() ?? 1
    var main = PlotPanel(
      frame: (90, 40, 600, 380), x: (lo, hi), y: (0, (yMax > 0 ? yMax : 1) * 1.3), xTitle: n.variable,
      yTitle: "probability density")
    main.xLabels = false
    main.drawAxes(&svg)
    let centres = zip(n.edges, n.edges.dropFirst()).map { 0.5 * ($0 + $1) }
    let half = 0.5 * (n.edges[1] - n.edges[0])
    var legend: [(String, String, PlotPanel.LegendMark)] = []
    for (name, color, dash) in [("bw_down", "#1f77b4", "5,3"), ("bw_up", "#2ca02c", "2,3")] {
      guard let v = n.variants[name] else { continue }
      main.drawCurve(&svg, Array(zip(centres, v)), color: color, width: 1.4, dash: dash)
      legend.append((name == "bw_down" ? "bandwidth × 0.5" : "bandwidth × 2", color, .line(dash: dash)))
    }
    main.drawCurve(&svg, Array(zip(centres, n.estimate)), color: "#d62728", width: 2)
    legend.insert(("kernel density", "#d62728", .line(dash: nil)), at: 0)
    // data points: at most ~100 drawn (neighbouring cells merged for display only)
    let group = Swift.max(1, n.data.count / 100)
    var points: [(x: Double, y: Double, low: Double, high: Double, halfWidth: Double)] = []
    for start in stride(from: 0, to: n.data.count, by: group) {
      let end = Swift.min(n.data.count, start + group)
      let k = Double(end - start)
      let v = n.data[start..<end].reduce(0, +) / k
      let e = n.dataErrors[start..<end].map { $0 * $0 }.reduce(0, +).squareRoot() / k
      points.append((0.5 * (centres[start] + centres[end - 1]), v, e, e, half * k))
    }
    main.drawIntervals(&svg, points: points, color: "#000")
    legend.insert(("data", "#000", .point), at: 0)
    main.drawLegend(&svg, legend, width: 190)
    if !title.isEmpty { svg.text(title, x: 102, y: 62, size: 13) }
    let finite = n.pulls.filter(\.isFinite)
    let reach = Swift.min(Swift.max(3, (finite.map(abs).max() ?? 3) * 1.1), 10)
    var pull = PlotPanel(frame: (90, 430, 600, 120), x: (lo, hi), y: (-reach, reach), xTitle: n.variable, yTitle: "pull")
    pull.yTickTarget = 4
    pull.drawAxes(&svg)
    pull.drawHorizontal(&svg, at: 0, color: "#000", dash: "4,3")
    pull.drawBars(&svg, edges: n.edges, values: n.pulls, fill: "#888")
    return svg.render()
  }
}
