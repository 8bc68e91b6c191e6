import Foundation

/// A minimal SVG writer: shapes appended in drawing order, rendered as one
/// standalone document. Numbers are printed with 2 decimals (1/100 px).
///
/// Why not a library: no Swift package for plots runs on Linux without a
/// browser or a C graphics stack, and a physics plot needs only lines,
/// rectangles, text and clip paths — a few hundred lines that render
/// identically everywhere (ROOT and matplotlib users open the SVG in any
/// browser, or restyle from the data file written beside it).
public struct SVGDocument: Sendable {
  public let width: Double
  public let height: Double
  private var body: [String] = []
  private var clipCount = 0

  public init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  static func n(_ x: Double) -> String {
    guard x.isFinite else { return "0" }
    let r = (x * 100).rounded() / 100
    return r == r.rounded() ? String(Int(r)) : String(format: "%.2f", r)
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000",
                            width: Double = 1, dash: String? = nil) {
    body.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" "
      + "stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"" + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>")
  }

  /// A polyline through `points`; segments with non-finite points are broken.
  public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5, dash: String? = nil,
                                clip: String? = nil) {
    var runs: [[(Double, Double)]] = [[]]
    for p in points {
      if p.0.isFinite && p.1.isFinite { runs[runs.count - 1].append(p) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
    }
    for run in runs where run.count > 1 {
      let pts = run.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
      body.append("<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\""
        + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + (clip.map { " clip-path=\"url(#\($0))\"" } ?? "") + "/>")
    }
  }

  public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String = "none",
                            stroke: String? = nil, width: Double = 1, opacity: Double? = nil, clip: String? = nil) {
    body.append("<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(w, 0)))\" height=\"\(Self.n(max(h, 0)))\" "
      + "fill=\"\(fill)\"" + (stroke.map { " stroke=\"\($0)\" stroke-width=\"\(Self.n(width))\"" } ?? "")
      + (opacity.map { " fill-opacity=\"\(Self.n($0))\"" } ?? "") + (clip.map { " clip-path=\"url(#\($0))\"" } ?? "") + "/>")
  }

  /// A closed, filled outline (no stroke), e.g. the area under a histogram.
  public mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double? = nil, clip: String? = nil) {
    let pts = points.filter { $0.0.isFinite && $0.1.isFinite }
    guard pts.count > 2 else { return }
    body.append("<polygon points=\"" + pts.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ") + "\" fill=\"\(fill)\""
      + (opacity.map { " fill-opacity=\"\(Self.n($0))\"" } ?? "") + (clip.map { " clip-path=\"url(#\($0))\"" } ?? "") + "/>")
  }

  public mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String) {
    body.append("<circle cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"\(Self.n(r))\" fill=\"\(fill)\"/>")
  }

  public enum Anchor: String, Sendable { case start, middle, end }

  public mutating func text(_ s: String, x: Double, y: Double, size: Double = 13, anchor: Anchor = .start,
                            rotate: Double? = nil, color: String = "#000", bold: Bool = false) {
    let transform = rotate.map { " transform=\"rotate(\(Self.n($0)) \(Self.n(x)) \(Self.n(y)))\"" } ?? ""
    body.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor.rawValue)\" "
      + "fill=\"\(color)\"" + (bold ? " font-weight=\"bold\"" : "") + transform + ">\(Self.markup(s, size: size))</text>")
  }

  /// Escaped text with `^{…}` written as a raised, smaller `tspan` (10^{-3},
  /// GeV^{2}); text after a superscript returns to the baseline.
  static func markup(_ s: String, size: Double) -> String {
    guard s.contains("^{") else { return escape(s) }
    var out = ""
    var rest = Substring(s)
    let rise = n(0.4 * size)
    var raised = false
    func plain(_ t: Substring) {
      guard !t.isEmpty else { return }
      // back to the baseline after a superscript
      out += raised ? "<tspan dy=\"\(rise)\">\(escape(String(t)))</tspan>" : escape(String(t))
      raised = false
    }
    while let open = rest.range(of: "^{"), let close = rest[open.upperBound...].firstIndex(of: "}") {
      plain(rest[..<open.lowerBound])
      out += "<tspan dy=\"\(raised ? "0" : "-" + rise)\" font-size=\"\(n(0.72 * size))\">\(escape(String(rest[open.upperBound..<close])))</tspan>"
      raised = true
      rest = rest[rest.index(after: close)...]
    }
    plain(rest)
    return out
  }

  /// A clip rectangle; returns its id for `polyline(clip:)`.
  public mutating func clipRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double) -> String {
    clipCount += 1
    let id = "clip\(clipCount)"
    body.append("<clipPath id=\"\(id)\"><rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(w))\" height=\"\(Self.n(h))\"/></clipPath>")
    return id
  }

  /// The document.
  public func render() -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.n(width))" height="\(Self.n(height))" \
    viewBox="0 0 \(Self.n(width)) \(Self.n(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
    <rect width="100%" height="100%" fill="#fff"/>
    \(body.joined(separator: "\n"))
    </svg>

    """
  }
}
