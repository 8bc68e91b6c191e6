import Foundation

/// MINUIT's map between the external (bounded) value and the unbounded
/// internal variable the minimiser works with (fits-and-splot.md §3):
/// two limits: ext = lo + (hi − lo)(sin θ + 1)/2; one limit: square-root forms.
struct ParameterTransform: Sendable {
  let lower: Double?
  let upper: Double?

  var isBounded: Bool { lower != nil || upper != nil }

  func external(_ i: Double) -> Double {
    switch (lower, upper) {
    case let (lo?, hi?): return lo + 0.5 * (hi - lo) * (sin(i) + 1)
    case let (lo?, nil): return lo - 1 + (i * i + 1).squareRoot()
    case let (nil, hi?): return hi + 1 - (i * i + 1).squareRoot()
    case (nil, nil): return i
    }
  }

  /// The internal value; external values at or beyond a limit are moved just inside
  /// (an internal point exactly at a limit has zero derivative and cannot move).
  func `internal`(_ e: Double) -> Double {
    switch (lower, upper) {
    case let (lo?, hi?):
      let s = 2 * (e - lo) / (hi - lo) - 1
      return asin(min(max(s, -1 + 1e-9), 1 - 1e-9))
    case let (lo?, nil):
      let r = max(e - lo, 1e-9) + 1
      return (r * r - 1).squareRoot()
    case let (nil, hi?):
      let r = max(hi - e, 1e-9) + 1
      return (r * r - 1).squareRoot()
    case (nil, nil): return e
    }
  }

  /// d external / d internal.
  func derivative(_ i: Double) -> Double {
    switch (lower, upper) {
    case let (lo?, hi?): return 0.5 * (hi - lo) * cos(i)
    case (_?, nil): return i / (i * i + 1).squareRoot()
    case (nil, _?): return -i / (i * i + 1).squareRoot()
    case (nil, nil): return 1
    }
  }

  /// An internal step matching an external step `d` at internal point `i`.
  func internalStep(at i: Double, external d: Double) -> Double {
    guard isBounded else { return abs(d) }
    let e = external(i)
    var up = abs(`internal`(e + abs(d)) - i)
    let down = abs(`internal`(e - abs(d)) - i)
    if !(up > 0) || (upper != nil && e + abs(d) >= upper!) { up = down }
    let s = max(up, down > 0 ? min(up, down) : up)
    return min(max(s, 1e-8), 1)
  }

  /// Whether the internal point sits at a limit (derivative ≈ 0): within
  /// 1e-5 of the range for two limits; |θ| < 0.005 (within ≈ 1.3e-5) for one.
  func isAtLimit(_ i: Double) -> Bool {
    switch (lower, upper) {
    case (_?, _?): return 1 - abs(sin(i)) < 2e-5
    case (nil, nil): return false
    default: return abs(i) < 0.005
    }
  }
}
