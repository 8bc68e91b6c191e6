import Foundation

/// One set of axes in a figure: a frame with inward ticks on all sides (the
/// mplhep look), tick labels, axis titles, and the series drawn in it,
/// clipped to the frame.
public struct PlotPanel: Sendable {
  public var x: PlotScale
  public var y: PlotScale
  public var frame: (x: Double, y: Double, width: Double, height: Double)
  public var xTitle: String?
  public var yTitle: String?
  /// Whether to print x tick labels (off for a main panel above a ratio panel).
  public var xLabels = true
  /// About how many y ticks (default: one per 60 px, at least 3).
  public var yTickTarget: Int?

  public init(frame: (x: Double, y: Double, width: Double, height: Double), x: (Double, Double), y: (Double, Double),
              xTitle: String? = nil, yTitle: String? = nil, yKind: PlotScale.Kind = .linear) {
    self.frame = frame
    self.x = PlotScale(x.0, x.1, pixels: (frame.x, frame.x + frame.width))
    self.y = PlotScale(y.0, y.1, pixels: (frame.y + frame.height, frame.y), kind: yKind)
    self.xTitle = xTitle
    self.yTitle = yTitle
  }

  /// The frame, ticks and titles.
  public func drawAxes(_ svg: inout SVGDocument) {
    let f = frame
    svg.rect(f.x, f.y, f.width, f.height, stroke: "#000", width: 1.2)
    let xt = x.ticks()
    for (t, label) in zip(xt, x.labels(xt)) {
      let px = x(t)
      svg.line(px, f.y + f.height, px, f.y + f.height - 6)
      svg.line(px, f.y, px, f.y + 6)
      if xLabels { svg.text(label, x: px, y: f.y + f.height + 17, size: 12, anchor: .middle) }
    }
    let yt = y.ticks(target: yTickTarget ?? max(3, Int(f.height / 60)))
    for (t, label) in zip(yt, y.labels(yt)) {
      let py = y(t)
      svg.line(f.x, py, f.x + 6, py)
      svg.line(f.x + f.width, py, f.x + f.width - 6, py)
      svg.text(label, x: f.x - 6, y: py + 4, size: 12, anchor: .end)
    }
    for t in y.minorTicks() {
      let py = y(t)
      svg.line(f.x, py, f.x + 3, py, width: 0.8)
      svg.line(f.x + f.width, py, f.x + f.width - 3, py, width: 0.8)
    }
    if let xTitle, xLabels { svg.text(xTitle, x: f.x + f.width, y: f.y + f.height + 36, size: 14, anchor: .end) }
    if let yTitle { svg.text(yTitle, x: f.x - 52, y: f.y, size: 14, anchor: .end, rotate: -90) }
  }

  /// Points with vertical error bars (data).
  public func drawErrorBars(_ svg: inout SVGDocument, points: [(x: Double, y: Double, error: Double)],
                            color: String = "#000") {
    drawIntervals(&svg, points: points.map { ($0.x, $0.y, $0.error, $0.error, 0) }, color: color)
  }

  /// Points with asymmetric vertical error bars (`low` below, `high` above)
  /// and a horizontal bar of half-width `halfWidth` (the bin), clipped to the frame.
  public func drawIntervals(
    _ svg: inout SVGDocument, points: [(x: Double, y: Double, low: Double, high: Double, halfWidth: Double)],
    color: String = "#000"
  ) {
    for p in points where p.y.isFinite {
      let px = x(p.x)
      guard px >= frame.x, px <= frame.x + frame.width else { continue }
      let top = max(y(p.y + p.high), frame.y), bottom = min(y(p.y - p.low), frame.y + frame.height)
      if p.low > 0 || p.high > 0 { svg.line(px, top, px, bottom, stroke: color, width: 1.2) }
      let py = y(p.y)
      guard py >= frame.y && py <= frame.y + frame.height else { continue }
      if p.halfWidth > 0 {
        let x0 = max(x(p.x - p.halfWidth), frame.x), x1 = min(x(p.x + p.halfWidth), frame.x + frame.width)
        svg.line(x0, py, x1, py, stroke: color, width: 1.2)
      }
      svg.circle(px, py, r: 2.2, fill: color)
    }
  }

  /// A curve, clipped to the frame.
  public func drawCurve(_ svg: inout SVGDocument, _ points: [(Double, Double)], color: String, width: Double = 1.8,
                        dash: String? = nil) {
    let clip = svg.clipRect(frame.x, frame.y, frame.width, frame.height)
    svg.polyline(points.map { (x($0.0), y($0.1)) }, stroke: color, width: width, dash: dash, clip: clip)
  }

  /// A histogram drawn as bars from `base` (pulls) or as a step outline.
  public func drawBars(_ svg: inout SVGDocument, edges: [Double], values: [Double], base: Double = 0, fill: String) {
    for i in values.indices where values[i].isFinite {
      let x0 = x(edges[i]), x1 = x(edges[i + 1])
      let v = min(max(values[i], y.lo), y.hi)
      let y0 = y(base), y1 = y(v)
      svg.rect(x0, min(y0, y1), x1 - x0, abs(y1 - y0), fill: fill)
    }
  }

  /// A histogram as a step outline over `edges` (clipped to the frame),
  /// optionally filled down to the axis.
  public func drawSteps(_ svg: inout SVGDocument, edges: [Double], values: [Double], color: String, width: Double = 1.6,
                        fill: String? = nil, fillOpacity: Double = 0.35) {
    let clip = svg.clipRect(frame.x, frame.y, frame.width, frame.height)
    let bottom = frame.y + frame.height
    // a value the scale cannot show (≤ 0 on a log scale, NaN) drops to the bottom of the frame
    func py(_ v: Double) -> Double { v.isFinite ? Swift.min(Swift.max(y(v), frame.y - 1), bottom + 1) : bottom + 1 }
    var points: [(Double, Double)] = []
    for i in values.indices {
      points.append((x(edges[i]), py(values[i])))
      points.append((x(edges[i + 1]), py(values[i])))
    }
    if let fill, let first = points.first, let last = points.last {
      svg.polygon([(first.0, bottom + 1)] + points + [(last.0, bottom + 1)], fill: fill, opacity: fillOpacity, clip: clip)
    }
    var outline = points
    if let first = points.first, let last = points.last { outline = [(first.0, bottom + 1)] + points + [(last.0, bottom + 1)] }
    svg.polyline(outline, stroke: color, width: width, clip: clip)
  }

  /// A band from `low` to `high` per bin (a histogram's ±σ), clipped to the frame.
  public func drawBand(_ svg: inout SVGDocument, edges: [Double], low: [Double], high: [Double], color: String,
                       opacity: Double = 0.3) {
    let clip = svg.clipRect(frame.x, frame.y, frame.width, frame.height)
    let bottom = frame.y + frame.height
    for i in low.indices where low[i].isFinite && high[i].isFinite && high[i] > low[i] {
      let top = Swift.max(y(high[i]), frame.y - 1), base = Swift.min(y(low[i]), bottom + 1)
      guard base > top else { continue }
      svg.rect(x(edges[i]), top, x(edges[i + 1]) - x(edges[i]), base - top, fill: color, opacity: opacity, clip: clip)
    }
  }

  /// A 2-D histogram: one cell per (x bin, y bin), `values` row-major with x
  /// slowest, coloured by `colors` on [lo, hi]; NaN cells are left white.
  public func drawMap(_ svg: inout SVGDocument, xEdges: [Double], yEdges: [Double], values: [Double], colors: ColorMap,
                      range: (lo: Double, hi: Double)) {
    let ny = yEdges.count - 1
    for i in 0..<(xEdges.count - 1) {
      for j in 0..<ny {
        let v = values[i * ny + j]
        guard v.isFinite else { continue }
        let t = range.hi > range.lo ? (v - range.lo) / (range.hi - range.lo) : 0.5
        let x0 = x(xEdges[i]), x1 = x(xEdges[i + 1]), y0 = y(yEdges[j]), y1 = y(yEdges[j + 1])
        svg.rect(x0, Swift.min(y0, y1), x1 - x0, abs(y1 - y0), fill: colors.hex(t))
      }
    }
  }

  /// A horizontal reference line across the panel.
  public func drawHorizontal(_ svg: inout SVGDocument, at value: Double, color: String = "#888", dash: String? = "4,3") {
    svg.line(frame.x, y(value), frame.x + frame.width, y(value), stroke: color, width: 1, dash: dash)
  }

  /// A legend in the upper right corner: (label, color, kind) per entry.
  public enum LegendMark: Sendable { case line(dash: String?), point, box, band }

  public func drawLegend(_ svg: inout SVGDocument, _ entries: [(String, String, LegendMark)], width: Double = 200) {
    var ly = frame.y + 20
    let lx = frame.x + frame.width - width
    for (label, color, mark) in entries {
      switch mark {
      case .line(let dash): svg.line(lx, ly - 4, lx + 26, ly - 4, stroke: color, width: 2, dash: dash)
      case .point:
        svg.circle(lx + 13, ly - 4, r: 2.5, fill: color)
        svg.line(lx + 13, ly - 10, lx + 13, ly + 2, stroke: color, width: 1.2)
      case .box: svg.rect(lx + 4, ly - 10, 18, 12, fill: color)
      case .band:
        svg.rect(lx + 4, ly - 10, 18, 12, fill: color, opacity: 0.35)
        svg.line(lx + 4, ly - 10, lx + 22, ly - 10, stroke: color, width: 1.6)
      }
      svg.text(label, x: lx + 34, y: ly, size: 13)
      ly += 20
    }
  }
}
