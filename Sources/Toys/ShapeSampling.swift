import ColumnStore
import Foundation
import Modes
import Numerics

/// Sampling and moments of `ShapeModel`s on a range. Mixtures are fraction
/// sums of components each normalised on the range (fits-and-splot.md §1.2),
/// so a component is chosen first, then sampled truncated to the range.
extension ShapeModel {
  /// Components as (fraction, un-normalised density).
  public func components(lo: Double, hi: Double) -> [(Double, @Sendable (Double) -> Double)] {
    let p = parameters
    func gauss(_ mu: Double, _ s: Double) -> @Sendable (Double) -> Double {
      { x in let z = (x - mu) / s; return exp(-0.5 * z * z) }
    }
    func johnson(_ mu: Double, _ l: Double, _ g: Double, _ d: Double) -> @Sendable (Double) -> Double {
      { x in
        let u = (x - mu) / l
        let z = g + d * asinh(u)
        return d / (l * (2 * Double.pi).squareRoot()) / (1 + u * u).squareRoot() * exp(-0.5 * z * z)
      }
    }
    switch kind {
    case "gaussian":
      return [(1, gauss(p["mu"]!, p["sigma"]!))]
    case "doubleGaussian":
      let f = p["f"]!
      return [(f, gauss(p["mu"]!, p["sigma1"]!)), (1 - f, gauss(p["mu"]!, p["sigma2"]!))]
    case "johnsonSU":
      return [(1, johnson(p["mu"]!, p["lambda"]!, p["gamma"]!, p["delta"]!))]
    case "johnsonSU+gaussian":
      let f = p["fJohnson"]!
      return [(f, johnson(p["mu"]!, p["lambda"]!, p["gamma"]!, p["delta"]!)),
              (1 - f, gauss(p["mu"]!, p["sigma"]!))]
    case "chebychev":
      let c = chebychevCoefficients
      return [(1, { x in
        let t = (2 * x - (lo + hi)) / (hi - lo)
        var tkm1 = 1.0, tk = t, g = 1.0
        for k in 0..<c.count {
          g += c[k] * tk
          let next = 2 * t * tk - tkm1
          tkm1 = tk
          tk = next
        }
        return max(g, 0)
      })]
    case "threshold":
      let m0 = p["m0"]!, k = p["power"]!
      return [(1, { x in x > m0 ? pow(x - m0, k) : 0 })]
    default:
      return []
    }
  }

  /// Mean and standard deviation of the shape truncated to [lo, hi]
  /// (Simpson's rule, 20 000 intervals per component).
  public func moments(lo: Double, hi: Double) -> (mean: Double, sigma: Double) {
    var m0 = 0.0, m1 = 0.0, m2 = 0.0
    for (f, g) in components(lo: lo, hi: hi) {
      let n = 20_000
      let h = (hi - lo) / Double(n)
      var s0 = 0.0, s1 = 0.0, s2 = 0.0
      for i in 0...n {
        let x = lo + Double(i) * h
        let w: Double = (i == 0 || i == n) ? 1 : (i % 2 == 1 ? 4 : 2)
        let v = g(x) * w
        s0 += v
        s1 += v * x
        s2 += v * x * x
      }
      guard s0 > 0 else { continue }
      m0 += f
      m1 += f * s1 / s0
      m2 += f * s2 / s0
    }
    let mean = m1 / m0
    return (mean, max(0, m2 / m0 - mean * mean).squareRoot())
  }
}

/// A sampler of one shape on a range, prepared once for speed.
struct ShapeSampler: Sendable {
  /// The kinds it samples (any other is refused by the generator, never drawn uniformly).
  static let generatedKinds: Set<String> = [
    "gaussian", "doubleGaussian", "johnsonSU", "johnsonSU+gaussian", "chebychev", "threshold",
  ]
  enum Kind: Sendable {
    case gaussian(mu: Double, sigma: Double)
    case doubleGaussian(mu: Double, s1: Double, s2: Double, f: Double)
    case johnson(mu: Double, lambda: Double, gamma: Double, delta: Double)
    case johnsonGauss(mu: Double, lambda: Double, gamma: Double, delta: Double, sigma: Double, f: Double)
    case chebychev(c: SIMD8<Double>, order: Int, gmax: Double)
    case threshold(m0: Double, a: Double, b: Double, inversePower: Double)
    case uniform
  }
  let kind: Kind
  let lo: Double
  let hi: Double

  init(_ shape: ShapeModel, lo: Double, hi: Double) {
    self.lo = lo
    self.hi = hi
    let p = shape.parameters
    switch shape.kind {
    case "gaussian": kind = .gaussian(mu: p["mu"]!, sigma: p["sigma"]!)
    case "doubleGaussian":
      kind = .doubleGaussian(mu: p["mu"]!, s1: p["sigma1"]!, s2: p["sigma2"]!, f: p["f"]!)
    case "johnsonSU":
      kind = .johnson(mu: p["mu"]!, lambda: p["lambda"]!, gamma: p["gamma"]!, delta: p["delta"]!)
    case "johnsonSU+gaussian":
      kind = .johnsonGauss(mu: p["mu"]!, lambda: p["lambda"]!, gamma: p["gamma"]!, delta: p["delta"]!,
                           sigma: p["sigma"]!, f: p["fJohnson"]!)
    case "chebychev":
      let c = Array(shape.chebychevCoefficients.prefix(8))
      var v = SIMD8<Double>()
      for (i, x) in c.enumerated() { v[i] = x }
      kind = .chebychev(c: v, order: c.count, gmax: 1 + c.reduce(0) { $0 + abs($1) })
    case "threshold":
      let m0 = p["m0"]!, k = p["power"]!
      kind = .threshold(m0: m0, a: pow(max(lo, m0) - m0, k + 1), b: pow(max(hi, m0) - m0, k + 1),
                        inversePower: 1 / (k + 1))
    default: kind = .uniform
    }
  }

  @inline(__always)
  func truncatedGauss(_ mu: Double, _ s: Double, _ rng: inout Xoshiro256StarStar) -> Double {
    for _ in 0..<1000 {
      let x = mu + s * rng.normal()
      if x >= lo && x <= hi { return x }
    }
    return min(max(mu, lo), hi)
  }

  @inline(__always)
  func truncatedJohnson(_ mu: Double, _ l: Double, _ g: Double, _ d: Double,
                        _ rng: inout Xoshiro256StarStar) -> Double {
    for _ in 0..<1000 {
      let x = mu + l * sinh((rng.normal() - g) / d)
      if x >= lo && x <= hi { return x }
    }
    return min(max(mu, lo), hi)
  }

  func sample(_ rng: inout Xoshiro256StarStar) -> Double {
    switch kind {
    case .gaussian(let mu, let s):
      return truncatedGauss(mu, s, &rng)
    case .doubleGaussian(let mu, let s1, let s2, let f):
      return truncatedGauss(mu, rng.uniform() < f ? s1 : s2, &rng)
    case .johnson(let mu, let l, let g, let d):
      return truncatedJohnson(mu, l, g, d, &rng)
    case .johnsonGauss(let mu, let l, let g, let d, let s, let f):
      return rng.uniform() < f ? truncatedJohnson(mu, l, g, d, &rng) : truncatedGauss(mu, s, &rng)
    case .chebychev(let c, let order, let gmax):
      for _ in 0..<10_000 {
        let t = 2 * rng.uniform() - 1
        var tkm1 = 1.0, tk = t, g = 1.0
        for k in 0..<order {
          g += c[k] * tk
          let next = 2 * t * tk - tkm1
          tkm1 = tk
          tk = next
        }
        if rng.uniform() * gmax < g { return lo + (t + 1) * 0.5 * (hi - lo) }
      }
      return 0.5 * (lo + hi)
    case .threshold(let m0, let a, let b, let inv):
      let y = a + rng.uniform() * (b - a)
      return m0 + (inv == 2.0 / 3.0 ? cbrt(y * y) : pow(y, inv))
    case .uniform:
      return rng.uniform(lo, hi)
    }
  }
}
