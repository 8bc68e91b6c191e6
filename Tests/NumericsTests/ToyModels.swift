import Foundation
import TestSupport
@testable import Numerics

/// Gaussian signal + order-1 Chebychev background on [1.8, 1.95], generated exactly.
struct GaussianPlusChebychevToy {
  static let range = FitRange(1.8, 1.95)
  var signal = 6000.0
  var background = 14000.0
  var mu = 1.865
  var sigma = 0.006
  var c1 = -0.2

  var model: ExtendedModel {
    ExtendedModel(range: Self.range, species: [
      ModelComponent(name: "sig", yield: signal, shape: .gaussian(mu: mu, sigma: sigma)),
      ModelComponent(name: "bkg", yield: background, shape: .chebychev(coefficients: [c1])),
    ])
  }

  /// Poisson-fluctuated yields; Gaussian by rejection to the range, the linear
  /// background by inversion of its CDF.
  func generate(seed: UInt64) -> [Double] {
    var rng = Xoshiro256StarStar(seed: seed)
    let ns = poisson(signal, rng: &rng), nb = poisson(background, rng: &rng)
    var x: [Double] = []
    x.reserveCapacity(ns + nb)
    while x.count < ns {
      let v = rng.normal(mu, sigma)
      if Self.range.contains(v) { x.append(v) }
    }
    // g(t) = 1 + c₁t on t ∈ [−1, 1]: CDF (t + 1 + c₁(t² − 1)/2)/2 = u
    for _ in 0..<nb {
      let u = rng.uniform()
      let t: Double
      if abs(c1) < 1e-12 { t = 2 * u - 1 } else {
        // c₁/2 t² + t + (1 − c₁/2 − 2u) = 0, root in [−1, 1]
        let a = c1 / 2, b = 1.0, c = 1 - c1 / 2 - 2 * u
        t = (-b + (b * b - 4 * a * c).squareRoot()) / (2 * a)
      }
      x.append(1.875 + 0.075 * t)
    }
    return x
  }

  func fit(_ data: [Double], minimizer: Minimizer = Minimizer()) -> ExtendedFitOutcome {
    var start = self
    start.signal *= 0.8
    start.background *= 1.1
    start.mu += 0.002
    start.sigma *= 1.3
    start.c1 = 0
    var fit = ExtendedModelFit(model: start.model, nll: ExtendedNLL(data: data, range: Self.range))
    fit.configure("sig.sigma", lowerLimit: 0.001, upperLimit: 0.03)
    fit.configure("sig.mu", lowerLimit: 1.85, upperLimit: 1.88)
    return fit.fit(minimizer: minimizer)
  }
}
