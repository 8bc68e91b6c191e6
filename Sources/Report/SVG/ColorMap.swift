import Foundation

/// A sequential colour map: colours at equally spaced stops, linearly
/// interpolated in RGB. `viridis` is matplotlib's default (its 10-colour
/// sample), perceptually uniform and readable in grey and by colour-blind
/// readers.
public struct ColorMap: Sendable {
  /// RGB stops in [0, 1], first for 0, last for 1.
  public var stops: [(r: Double, g: Double, b: Double)]

  public init(hex: [String]) {
    stops = hex.map { h in
      let v = Int(h.dropFirst(), radix: 16) ?? 0
      return (Double((v >> 16) & 255) / 255, Double((v >> 8) & 255) / 255, Double(v & 255) / 255)
    }
  }

  public static let viridis = ColorMap(hex: [
    "#440154", "#482878", "#3e4a89", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6dcd59", "#b4de2c", "#fde725",
  ])

  /// The colour at `t` (clamped to [0, 1]; NaN gives the first stop).
  public func rgb(_ t: Double) -> (r: Double, g: Double, b: Double) {
    let u = t.isFinite ? Swift.min(Swift.max(t, 0), 1) : 0
    let x = u * Double(stops.count - 1)
    let i = Swift.min(Int(x), stops.count - 2)
    let f = x - Double(i)
    let a = stops[i], b = stops[i + 1]
    return (a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b))
  }

  /// `#rrggbb` at `t`.
  public func hex(_ t: Double) -> String {
    let c = rgb(t)
    func byte(_ v: Double) -> Int { Int((v * 255).rounded()) }
    return String(format: "#%02x%02x%02x", byte(c.r), byte(c.g), byte(c.b))
  }

  /// Black or white, whichever reads better on the colour at `t` (cell labels).
  public func textColor(_ t: Double) -> String {
    let c = rgb(t)
    return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b > 0.5 ? "#000" : "#fff"
  }

  /// A vertical colour bar in `frame` for values [lo, hi]: the gradient, a
  /// frame, ticks and labels on the right, `title` rotated beside them.
  public func drawBar(_ svg: inout SVGDocument, frame: (x: Double, y: Double, width: Double, height: Double),
                      range: (lo: Double, hi: Double), title: String? = nil) {
    let steps = 64
    let h = frame.height / Double(steps)
    for k in 0..<steps {
      // from the bottom (lo) up; slightly taller cells so no seams show
      let t = (Double(k) + 0.5) / Double(steps)
      svg.rect(frame.x, frame.y + frame.height - Double(k + 1) * h, frame.width, h + 0.5, fill: hex(t))
    }
    svg.rect(frame.x, frame.y, frame.width, frame.height, stroke: "#000", width: 1)
    let scale = PlotScale(range.lo, range.hi, pixels: (frame.y + frame.height, frame.y))
    let ticks = scale.ticks(target: Swift.max(3, Int(frame.height / 50)))
    for (t, label) in zip(ticks, scale.labels(ticks)) {
      let py = scale(t)
      svg.line(frame.x + frame.width, py, frame.x + frame.width - 4, py)
      svg.text(label, x: frame.x + frame.width + 5, y: py + 4, size: 11)
    }
    if let title {
      svg.text(title, x: frame.x + frame.width + 46, y: frame.y, size: 13, anchor: .start, rotate: 90)
    }
  }
}
