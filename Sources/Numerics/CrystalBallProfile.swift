import Foundation

/// A Gaussian core exp(−t²/2), t = (x − m₀)/σ, with optional power-law tails
/// A(B ∓ t)^(−n) below −α_L and above α_R, matched in value and slope
/// (RooCBShape when one side is absent; fits-and-splot.md §1.6).
struct CrystalBallProfile: Sendable {
  let m0: Double
  let sigma: Double
  /// nil: no tail on that side.
  let low: Tail?
  let high: Tail?

  struct Tail: Sendable {
    let alpha: Double
    let n: Double
    let A: Double
    let B: Double
    init(alpha: Double, n: Double) {
      let a = abs(alpha)
      self.alpha = a
      self.n = n
      A = pow(n / a, n) * exp(-0.5 * a * a)
      B = n / a - a
    }
    /// A(B + s)^(−n) at distance s = −t (low side) or s = t (high side).
    @inline(__always) func value(_ s: Double) -> Double { A * pow(B + s, -n) }
    /// ∫_{s1}^{s2} A (B + s)^(−n) ds.
    func integral(_ s1: Double, _ s2: Double) -> Double {
      if abs(n - 1) < 1e-5 { return A * (log(B + s2) - log(B + s1)) }
      return A / (1 - n) * (pow(B + s2, 1 - n) - pow(B + s1, 1 - n))
    }
  }

  /// RooCBShape: α > 0 tail low, α < 0 tail high.
  init(m0: Double, sigma: Double, alpha: Double, n: Double) {
    self.m0 = m0
    self.sigma = abs(sigma)
    low = alpha > 0 ? Tail(alpha: alpha, n: n) : nil
    high = alpha < 0 ? Tail(alpha: alpha, n: n) : nil
  }

  init(m0: Double, sigma: Double, alphaL: Double, nL: Double, alphaR: Double, nR: Double) {
    self.m0 = m0
    self.sigma = abs(sigma)
    low = Tail(alpha: alphaL, n: nL)
    high = Tail(alpha: alphaR, n: nR)
  }

  @inline(__always)
  func value(_ x: Double) -> Double {
    let t = (x - m0) / sigma
    if let low, t < -low.alpha { return low.value(-t) }
    if let high, t > high.alpha { return high.value(t) }
    return exp(-0.5 * t * t)
  }

  /// ∫_a^b g dx, piece by piece.
  func integral(_ a: Double, _ b: Double) -> Double {
    let ta = (a - m0) / sigma, tb = (b - m0) / sigma
    let coreLo = -(low?.alpha ?? .infinity), coreHi = high?.alpha ?? .infinity
    var s = 0.0
    if let low, ta < coreLo { s += low.integral(-min(tb, coreLo), -ta) }
    let ca = max(ta, coreLo), cb = min(tb, coreHi)
    if cb > ca { s += sqrtTwoPi * gaussianProbability(ca, cb) }
    if let high, tb > coreHi { s += high.integral(max(ta, coreHi), tb) }
    return s * sigma
  }
}
