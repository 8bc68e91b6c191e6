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

  public init(frame: (x: Double, y: Double, width: Double, height: Double), x: (Double, Double), y: (Double, Double),
              xTitle: String? = nil, yTitle: String? = nil) {
    self.frame = frame
    self.x = PlotScale(x.0, x.1, pixels: (frame.x, frame.x + frame.width))
    self.y = PlotScale(y.0, y.1, pixels: (frame.y + frame.height, frame.y))
    self.xTitle = xTitle
    self.yTitle = yTitle
  }

  /// The frame, ticks and titles.
  public func drawAxes(_ svg: inout SVGDocument) {
    let f = frame
    svg.rect(f.x, f.y, f.width, f.height, stroke: "#000", width: 1.2)
    let xt = x.ticks()
    let xStep = xt.count > 1 ? xt[1] - xt[0] : 1
    for t in xt {
      let px = x(t)
      svg.line(px, f.y + f.height, px, f.y + f.height - 6)
      svg.line(px, f.y, px, f.y + 6)
      if xLabels { svg.text(PlotScale.label(t, step: xStep), x: px, y: f.y + f.height + 17, size: 12, anchor: .middle) }
    }
    let yt = y.ticks(target: max(3, Int(f.height / 60)))
    let yStep = yt.count > 1 ? yt[1] - yt[0] : 1
    for t in yt {
      let py = y(t)
      svg.line(f.x, py, f.x + 6, py)
      svg.line(f.x + f.width, py, f.x + f.width - 6, py)
      svg.text(PlotScale.label(t, step: yStep), x: f.x - 6, y: py + 4, size: 12, anchor: .end)
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

  /// A horizontal reference line across the panel.
  public func drawHorizontal(_ svg: inout SVGDocument, at value: Double, color: String = "#888", dash: String? = "4,3") {
    svg.line(frame.x, y(value), frame.x + frame.width, y(value), stroke: color, width: 1, dash: dash)
  }

  /// A legend in the upper right corner: (label, color, kind) per entry.
  public enum LegendMark: Sendable { case line(dash: String?), point, box }

  public func drawLegend(_ svg: inout SVGDocument, _ entries: [(String, String, LegendMark)]) {
    var ly = frame.y + 20
    let lx = frame.x + frame.width - 200
    for (label, color, mark) in entries {
      switch mark {
      case .line(let dash): svg.line(lx, ly - 4, lx + 26, ly - 4, stroke: color, width: 2, dash: dash)
      case .point:
        svg.circle(lx + 13, ly - 4, r: 2.5, fill: color)
        svg.line(lx + 13, ly - 10, lx + 13, ly + 2, stroke: color, width: 1.2)
      case .box: svg.rect(lx + 4, ly - 10, 18, 12, fill: color)
      }
      svg.text(label, x: lx + 34, y: ly, size: 13)
      ly += 20
    }
  }
}
