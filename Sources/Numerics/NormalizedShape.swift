import Foundation

/// A `Shape` prepared for one fit range: its terms with coefficients
/// (mixture fraction / term integral) computed once, then evaluated over blocks.
struct NormalizedShape: Sendable {
  let terms: [(coefficient: Double, term: ShapeTerm)]
  /// False when a normalisation integral is ≤ 0 or not finite (then densities are meaningless).
  let isValid: Bool

  init(_ shape: Shape, over range: FitRange) {
    var parts: [(Double, ShapeTerm)]
    switch shape {
    case .gaussian(let mu, let sigma):
      parts = [(1, .gaussian(mu: mu, sigma: sigma))]
    case .doubleGaussian(let mu, let s1, let s2, let f):
      parts = [(f, .gaussian(mu: mu, sigma: s1)), (1 - f, .gaussian(mu: mu, sigma: s2))]
    case .johnsonSU(let mu, let lambda, let gamma, let delta):
      parts = [(1, .johnson(mu: mu, lambda: lambda, gamma: gamma, delta: delta))]
    case .johnsonSUGaussian(let mu, let lambda, let gamma, let delta, let sigma, let f):
      parts = [(f, .johnson(mu: mu, lambda: lambda, gamma: gamma, delta: delta)),
               (1 - f, .gaussian(mu: mu, sigma: sigma))]
    case .chebychev(let c):
      parts = [(1, .chebychev(ChebychevSeries(coefficients: c, mappedFrom: range)))]
    case .exponential(let c):
      parts = [(1, .exponential(c: c, pivot: c > 0 ? range.hi : range.lo))]
    case .polynomial(let a, let order):
      parts = [(1, .polynomial(coefficients: a, lowestOrder: order))]
    case .crystalBall(let m0, let sigma, let alpha, let n):
      parts = [(1, .crystalBall(CrystalBallProfile(m0: m0, sigma: sigma, alpha: alpha, n: n)))]
    case .doubleSidedCrystalBall(let m0, let sigma, let aL, let nL, let aR, let nR):
      parts = [(1, .crystalBall(CrystalBallProfile(m0: m0, sigma: sigma, alphaL: aL, nL: nL, alphaR: aR, nR: nR)))]
    case .argus(let m0, let c, let p):
      parts = [(1, .argus(m0: m0, c: c, p: p))]
    case .bifurcatedGaussian(let mu, let sL, let sR):
      parts = [(1, .bifurcatedGaussian(mu: mu, sigmaL: sL, sigmaR: sR))]
    case .threshold(let m0, let power):
      parts = [(1, .threshold(m0: m0, power: power))]
    }
    var valid = true
    terms = parts.map { fraction, term in
      let norm = term.integral(range.lo, range.hi)
      if !(norm > 0 && norm.isFinite) { valid = false }
      return (fraction / norm, term)
    }
    isValid = valid
  }

  @inline(__always)
  func value(_ x: Double) -> Double {
    var s = 0.0
    for (c, t) in terms { s += c * t.value(x) }
    return s
  }

  /// out[i] += scale · p(x[i]).
  func accumulate(_ x: UnsafeBufferPointer<Double>, scale: Double, into out: UnsafeMutableBufferPointer<Double>) {
    for (c, t) in terms { t.accumulate(x, coefficient: scale * c, into: out) }
  }

  /// ∫_a^b p dx for a sub-interval of the range.
  func probability(_ a: Double, _ b: Double) -> Double {
    var s = 0.0
    for (c, t) in terms { s += c * t.integral(a, b) }
    return s
  }
}

extension Shape {
  /// The density normalised over `range` at `x` (0 outside the range).
  public func density(at x: Double, over range: FitRange) -> Double {
    range.contains(x) ? NormalizedShape(self, over: range).value(x) : 0
  }

  /// Normalised densities at every `x` (assumed inside `range`), written to `out`.
  public func densities(_ x: UnsafeBufferPointer<Double>, over range: FitRange,
                        into out: UnsafeMutableBufferPointer<Double>) {
    precondition(out.count >= x.count)
    let prepared = NormalizedShape(self, over: range)
    let block = 1024
    var start = 0
    while start < x.count {
      let end = min(start + block, x.count)
      let o = UnsafeMutableBufferPointer(rebasing: out[start..<end])
      o.update(repeating: 0)
      prepared.accumulate(UnsafeBufferPointer(rebasing: x[start..<end]), scale: 1, into: o)
      start = end
    }
  }

  /// Normalised densities at every `x` (assumed inside `range`).
  public func densities(_ x: [Double], over range: FitRange) -> [Double] {
    var out = [Double](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { xs in out.withUnsafeMutableBufferPointer { densities(xs, over: range, into: $0) } }
    return out
  }

  /// Natural logs of the normalised densities (−∞ where the density is ≤ 0).
  public func logDensities(_ x: [Double], over range: FitRange) -> [Double] {
    densities(x, over: range).map { $0 > 0 ? log($0) : -.infinity }
  }

  /// ∫_a^b of the normalised density, for [a, b] inside `range`.
  public func probability(from a: Double, to b: Double, over range: FitRange) -> Double {
    NormalizedShape(self, over: range).probability(max(a, range.lo), min(b, range.hi))
  }

  /// min over `range` of the un-normalised Chebychev g on a fine grid (nil for other kinds):
  /// report it after a fit, since positivity is not guaranteed (§1.4).
  public func chebychevMinimum(over range: FitRange) -> Double? {
    guard case .chebychev(let c) = self else { return nil }
    return ChebychevSeries(coefficients: c, mappedFrom: range).minimum(over: range)
  }
}
