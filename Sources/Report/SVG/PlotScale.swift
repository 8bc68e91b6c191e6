import Foundation

/// A map from data values to pixels, linear or logarithmic, with "nice"
/// tick values as matplotlib's default locators pick them: 1, 2, 2.5, 5 × 10ⁿ
/// steps on a linear scale, powers of ten (and 2…9 × 10ⁿ minor ticks) on a
/// log scale.
public struct PlotScale: Sendable {
  public enum Kind: Sendable, Equatable { case linear, log }

  public var lo: Double
  public var hi: Double
  public var pixelLo: Double
  public var pixelHi: Double
  public var kind: Kind

  /// - Parameter kind: `.log` needs `0 < lo < hi` (a non-positive `lo` is
  ///   replaced by `hi` / 10⁶; values ≤ 0 map far outside the pixel range,
  ///   so a clipped drawing leaves them out).
  public init(_ lo: Double, _ hi: Double, pixels: (Double, Double), kind: Kind = .linear) {
    self.kind = kind
    var lo = lo, hi = hi
    if kind == .log {
      if !(hi > 0) || !hi.isFinite { hi = 1 }
      if !(lo > 0) || !lo.isFinite || lo >= hi { lo = hi / 1e6 }
    }
    self.lo = lo
    self.hi = hi == lo ? lo + 1 : hi
    pixelLo = pixels.0
    pixelHi = pixels.1
  }

  /// The position of `x` on the scale: 0 at `lo`, 1 at `hi`.
  public func fraction(_ x: Double) -> Double {
    switch kind {
    case .linear: return (x - lo) / (hi - lo)
    case .log:
      // non-positive values: ten decades below the axis (outside any frame)
      let v = x > 0 ? log10(x) : log10(lo) - 10
      return (v - log10(lo)) / (log10(hi) - log10(lo))
    }
  }

  public func callAsFunction(_ x: Double) -> Double {
    pixelLo + fraction(x) * (pixelHi - pixelLo)
  }

  /// Tick values inside [lo, hi], about `target` of them (log: the powers of
  /// ten, every k-th when there are many decades; 1, 2, 5 × 10ⁿ within less
  /// than two decades).
  public func ticks(target: Int = 6) -> [Double] {
    switch kind {
    case .linear: return Self.linearTicks(lo, hi, target: target)
    case .log:
      let a = Int(ceil(log10(lo) - 1e-9)), b = Int(floor(log10(hi) + 1e-9))
      if b - a < 1 {
        var fine: [Double] = []
        let (low, high) = (lo * (1 - 1e-9), hi * (1 + 1e-9))
        for k in (a - 1)...b {
          let p: Double = pow(10, Double(k))
          for m: Double in [1, 2, 5] where m * p >= low && m * p <= high { fine.append(m * p) }
        }
        return fine.count >= 2 ? fine : Self.linearTicks(lo, hi, target: target)
      }
      let every = max(1, Int(ceil(Double(b - a + 1) / Double(max(target, 2)))))
      return stride(from: a, through: b, by: every).map { pow(10, Double($0)) }
    }
  }

  /// Minor ticks of a log scale (2…9 × 10ⁿ inside the range); none on a linear one.
  public func minorTicks() -> [Double] {
    guard kind == .log else { return [] }
    let a = Int(floor(log10(lo))), b = Int(ceil(log10(hi)))
    guard b - a <= 12 else { return [] }
    var out: [Double] = []
    for k in a...b {
      let p: Double = pow(10, Double(k))
      for m in 2...9 where Double(m) * p > lo && Double(m) * p < hi { out.append(Double(m) * p) }
    }
    return out
  }

  /// The labels of `ticks`: decimals as the step needs (linear), `10^{k}`
  /// (drawn with a superscript by `SVGDocument.text`) for powers of ten.
  public func labels(_ ticks: [Double]) -> [String] {
    let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
    return ticks.map { t in
      if kind == .log {
        let k = log10(t)
        if abs(k - k.rounded()) < 1e-9 { return Self.power(Int(k.rounded())) }
        return String(format: "%g", t)
      }
      return Self.label(t, step: step)
    }
  }

  /// `10^{k}`, every power written so (as matplotlib's log formatter: 10⁰, 10¹).
  public static func power(_ k: Int) -> String { "10^{\(k)}" }

  static func linearTicks(_ lo: Double, _ hi: Double, target: Int) -> [Double] {
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

  /// A tick label with as many decimals as the step needs; very large or
  /// small values as `m×10^{k}`.
  public static func label(_ x: Double, step: Double) -> String {
    if abs(x) >= 1e6 || (x != 0 && abs(x) < 1e-4) {
      var k = Int(floor(log10(abs(x))))
      if abs(x / pow(10, Double(k))) >= 9.995 { k += 1 }  // 9.9996e6 is 1×10^{7}, not 10×10^{6}
      let m = x / pow(10, Double(k))
      let mantissa = String(format: "%.3g", m)
      return (mantissa == "1" ? "" : mantissa == "-1" ? "-" : mantissa + "×") + power(k)
    }
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
