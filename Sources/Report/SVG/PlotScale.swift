import Foundation

/// A linear map from data values to pixels, with "nice" tick values
/// (1, 2, 5 × 10ⁿ steps), as matplotlib's default locator picks them.
public struct PlotScale: Sendable {
  public var lo: Double
  public var hi: Double
  public var pixelLo: Double
  public var pixelHi: Double

  public init(_ lo: Double, _ hi: Double, pixels: (Double, Double)) {
    self.lo = lo
    self.hi = hi == lo ? lo + 1 : hi
    pixelLo = pixels.0
    pixelHi = pixels.1
  }

  public func callAsFunction(_ x: Double) -> Double {
    pixelLo + (x - lo) / (hi - lo) * (pixelHi - pixelLo)
  }

  /// Tick values inside [lo, hi], about `target` of them.
  public func ticks(target: Int = 6) -> [Double] {
    let span = hi - lo
    guard span > 0, span.isFinite else { return [lo] }
    let raw = span / Double(max(target, 1))
    let mag = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
    var out: [Double] = []
    var t = (lo / step).rounded(.up) * step
    while t <= hi + 1e-9 * step {
      out.append(abs(t) < 1e-12 * step ? 0 : t)
      t += step
    }
    return out
  }

  /// A tick label with as many decimals as the step needs.
  public static func label(_ x: Double, step: Double) -> String {
    if abs(x) >= 1e6 { return String(format: "%.3g", x) }
    // the fewest decimals that write the step exactly (0.025 → 3, 2.5 → 1, 5000 → 0)
    var decimals = 0
    while decimals < 8 {
      let scaled = step * pow(10, Double(decimals))
      if abs(scaled - scaled.rounded()) < 1e-6 * max(1, scaled) { break }
      decimals += 1
    }
    return String(format: "%.\(decimals)f", x)
  }
}
