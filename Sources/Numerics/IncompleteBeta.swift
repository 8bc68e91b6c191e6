import Foundation

/// The regularized incomplete beta function I_x(a, b) and its inverse in x:
/// the CDF and quantiles of the Beta(a, b) distribution (Clopper–Pearson
/// intervals). I_x is evaluated by its continued fraction (modified Lentz),
/// using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where that converges
/// faster. The prefactor's `lgamma` differences lose about 1e-16·(a + b) in
/// absolute accuracy: ~1e-14 for counts up to a few hundred, ~1e-10 at 1e5
/// (far below any interval's statistical meaning).
public enum IncompleteBeta {
  /// I_x(a, b) for a, b > 0 and x in [0, 1]; NaN outside.
  public static func regularized(_ x: Double, a: Double, b: Double) -> Double {
    guard a > 0, b > 0, x >= 0, x <= 1 else { return .nan }
    if x == 0 || x == 1 { return x }
    let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
    if x < (a + 1) / (a + b + 2) {
      return exp(logFront) * continuedFraction(x, a, b) / a
    }
    return 1 - exp(logFront) * continuedFraction(1 - x, b, a) / b
  }

  /// The x with I_x(a, b) = p, p in [0, 1], by bisection to the last bit
  /// (I_x is monotone in x; tables need a few hundred of these, so
  /// robustness matters more than speed).
  public static func inverse(_ p: Double, a: Double, b: Double) -> Double {
    guard a > 0, b > 0, p >= 0, p <= 1 else { return .nan }
    if p == 0 { return 0 }
    if p == 1 { return 1 }
    var lo = 0.0
    var hi = 1.0
    for _ in 0..<200 {
      let mid = 0.5 * (lo + hi)
      guard mid > lo, mid < hi else { break }
      if regularized(mid, a: a, b: b) < p { lo = mid } else { hi = mid }
    }
    return 0.5 * (lo + hi)
  }

  /// The continued fraction of I_x(a, b) (Numerical Recipes' `betacf` form, Lentz's method).
  static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
    let tiny = 1e-300
    let qab = a + b, qap = a + 1, qam = a - 1
    var c = 1.0
    var d = 1 - qab * x / qap
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...10_000 {
      let m = Double(m), m2 = 2 * m
      var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      h *= d * c
      aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < 1e-16 { break }
    }
    return h
  }
}

/// The Clopper–Pearson ("exact") interval of a binomial proportion k/n: the
/// shortest central interval whose coverage is at least `level` for every
/// true proportion. ROOT's `TEfficiency::ClopperPearson`, with the same
/// one-sided ends at k = 0 (lower 0) and k = n (upper 1).
public enum ClopperPearson {
  /// 68.27 %: the ±1σ of a Gaussian.
  public static let oneSigma = 0.682_689_492_137_085_9

  /// The (lower, upper) bounds for k passing of n, 0 ≤ k ≤ n, n > 0.
  public static func interval(passed k: Double, total n: Double, level: Double = oneSigma) -> (lower: Double, upper: Double) {
    guard n > 0, k >= 0, k <= n else { return (.nan, .nan) }
    let alpha = 1 - level
    let lower = k == 0 ? 0 : IncompleteBeta.inverse(alpha / 2, a: k, b: n - k + 1)
    let upper = k == n ? 1 : IncompleteBeta.inverse(1 - alpha / 2, a: k + 1, b: n - k)
    return (lower, upper)
  }
}
