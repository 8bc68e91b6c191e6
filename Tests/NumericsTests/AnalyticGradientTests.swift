import Foundation
import Testing
import TestSupport
@testable import Numerics

/// The analytic derivatives of normalised shapes and of the extended NLL against
/// central differences (Richardson-extrapolated) at random parameter points.
@Suite struct AnalyticGradientTests {
  /// Shapes with analytic derivatives, a range, and a typical scale per parameter
  /// (for random points and difference steps).
  static let cases: [(Shape, FitRange, [Double])] = [
    (.gaussian(mu: 1.865, sigma: 0.006), FitRange(1.8, 1.95), [0.004, 0.002]),
    (.gaussian(mu: 1.93, sigma: 0.02), FitRange(1.8, 1.95), [0.01, 0.005]),
    (.doubleGaussian(mu: 1.86484, sigma1: 0.0055, sigma2: 0.012, f: 0.7), FitRange(1.8, 1.95),
     [0.004, 0.002, 0.004, 0.2]),
    (.johnsonSU(mu: 0.4976, lambda: 0.004, gamma: 0.3, delta: 1.4), FitRange(0.45, 0.55), [0.003, 0.001, 0.4, 0.4]),
    (.johnsonSU(mu: 1.0, lambda: 0.3, gamma: -1.2, delta: 0.6), FitRange(0, 2), [0.2, 0.1, 0.5, 0.2]),
    (.johnsonSUGaussian(mu: 0.4976, lambda: 0.004, gamma: -0.05, delta: 1.6, sigma: 0.0028, fJohnson: 0.6),
     FitRange(0.45, 0.55), [0.003, 0.001, 0.4, 0.4, 0.001, 0.2]),
    (.chebychev(coefficients: []), FitRange(1.8, 1.95), []),
    (.chebychev(coefficients: [-0.2]), FitRange(1.8, 1.95), [0.2]),
    (.chebychev(coefficients: [-0.2, 0.05]), FitRange(1.8, 1.95), [0.2, 0.1]),
    (.chebychev(coefficients: [-0.1, 0.05, 0.02]), FitRange(0.45, 0.55), [0.2, 0.1, 0.05]),
    (.chebychev(coefficients: [0.3, -0.1, 0.05, 0.02, -0.01]), FitRange(0.1, 0.16), [0.1, 0.05, 0.05, 0.02, 0.02]),
  ]

  /// The shape with parameter j moved by h.
  static func moved(_ shape: Shape, _ j: Int, _ h: Double) -> Shape {
    var v = shape.parameterValues
    v[j] += h
    return shape.replacingParameterValues(v)
  }

  /// Central difference with one Richardson step: error O(h⁴).
  static func derivative(_ f: (Double) -> Double, step h: Double) -> Double {
    let d1 = (f(h) - f(-h)) / (2 * h)
    let d2 = (f(h / 2) - f(-h / 2)) / h
    return (4 * d2 - d1) / 3
  }

  /// A random point near the case's parameters (within ±1 scale; fractions kept in (0, 1)).
  static func randomPoint(_ index: Int, _ rng: inout TestRandom) -> Shape {
    let (shape, _, scales) = cases[index]
    var v = shape.parameterValues
    for j in v.indices {
      v[j] += scales[j] * (2 * rng.unit() - 1)
      if ["f", "fJohnson"].contains(shape.parameterNames[j]) { v[j] = min(max(v[j], 0.05), 0.95) }
    }
    return shape.replacingParameterValues(v)
  }

  @Test(arguments: 0..<cases.count)
  func shapeDerivativesMatchCentralDifferences(_ index: Int) throws {
    let (_, range, scales) = Self.cases[index]
    var rng = TestRandom(UInt64(100 + index))
    for _ in 0..<5 {
      let shape = Self.randomPoint(index, &rng)
      // events across the whole range, the edges included (not a multiple of 4: scalar tails too)
      let x = (0..<23).map { range.lo + range.width * Double($0) / 22 }
      let (p, dp) = try #require(shape.densityDerivatives(x, over: range))
      #expect(dp.count == shape.parameterValues.count)
      let pMax = p.max() ?? 0
      for (i, xi) in x.enumerated() {
        #expect(abs(p[i] - shape.density(at: xi, over: range)) <= 1e-13 * p[i] + 1e-300, "\(shape) p at \(xi)")
        // far tails (p < 1e-12 of the peak, beyond ≈ 7σ): ∂ln p/∂θ is so large that the
        // differences' truncation error dominates; they carry no weight in a fit
        guard p[i] > 1e-12 * pMax else { continue }
        for j in dp.indices {
          let h = 1e-3 * scales[j]
          let numeric = Self.derivative({ Self.moved(shape, j, $0).density(at: xi, over: range) }, step: h)
          // relative 1e-6, with a floor of 1e-9 of the density's scale p/scale (for derivatives ≈ 0)
          let tolerance = 1e-6 * max(abs(numeric), 1e-3 * p[i] / scales[j])
          #expect(abs(dp[j][i] - numeric) <= tolerance,
                  "\(shape.kind) ∂p/∂\(shape.parameterNames[j]) at x=\(xi): analytic \(dp[j][i]) numeric \(numeric)")
        }
      }
    }
  }

  /// D*-like and K_S0-like models with events drawn from them.
  static func models() -> [(ExtendedModel, [Double], [Double])] {
    var rng = Xoshiro256StarStar(seed: 11)
    let dst = ExtendedModel(range: FitRange(1.8, 1.95), species: [
      ModelComponent(name: "sig", yield: 3000,
                     shape: .doubleGaussian(mu: 1.86484, sigma1: 0.0055, sigma2: 0.012, f: 0.7)),
      ModelComponent(name: "bkg", yield: 5000, shape: .chebychev(coefficients: [-0.2, 0.05])),
    ])
    let ks = ExtendedModel(range: FitRange(0.45, 0.55), species: [
      ModelComponent(name: "sig", yield: 4000,
                     shape: .johnsonSUGaussian(mu: 0.4976, lambda: 0.004, gamma: -0.05, delta: 1.6, sigma: 0.0028,
                                               fJohnson: 0.6)),
      ModelComponent(name: "bkg", yield: 2000, shape: .chebychev(coefficients: [-0.1, 0.05, 0.02])),
    ])
    let gauss = ExtendedModel(range: FitRange(1.8, 1.95), species: [
      ModelComponent(name: "sig", yield: 1000, shape: .gaussian(mu: 1.865, sigma: 0.006)),
      ModelComponent(name: "peak2", yield: 500, shape: .johnsonSU(mu: 1.9, lambda: 0.01, gamma: 0.2, delta: 1.1)),
      ModelComponent(name: "bkg", yield: 2000, shape: .chebychev(coefficients: [0.1])),
    ])
    var out: [(ExtendedModel, [Double], [Double])] = []
    for (m, scales) in [(dst, [60, 0.001, 0.001, 0.002, 0.1, 80, 0.05, 0.05]),
                        (ks, [60, 0.001, 0.001, 0.1, 0.1, 0.001, 0.1, 50, 0.05, 0.05, 0.05]),
                        (gauss, [30, 0.001, 0.001, 20, 0.002, 0.002, 0.1, 0.1, 40, 0.05])] {
      var data: [Double] = []
      for s in m.species { data += sample(s.shape, over: m.range, count: Int(s.yield), rng: &rng) }
      out.append((m, data, scales))
    }
    return out
  }

  @Test func nllGradientMatchesCentralDifferencesAndIgnoresThreadCount() throws {
    var rng = TestRandom(5)
    for (model, data, scales) in Self.models() {
      let fit = ExtendedModelFit(model: model, nll: ExtendedNLL(data: [], range: model.range))
      let base = fit.parameters.map(\.value)
      #expect(base.count == scales.count)
      for (weighted, workers) in [(false, 1), (true, 2)] {
        let weights = weighted ? data.indices.map { 0.5 + Double($0 % 7) / 6 } : nil
        let nll = ExtendedNLL(data: data, weights: weights, range: model.range, workers: workers)
        for _ in 0..<3 {
          // a random point away from the truth (where the gradient is not ≈ 0)
          let point = zip(base, scales).map { $0 + 2 * $1 * (2 * rng.unit() - 1) }
          let m = fit.model(at: point)
          let (value, gradient) = try #require(nll.valueAndGradient(m))
          #expect(abs(value - nll.value(m)) <= 1e-9 * abs(value))
          for j in point.indices {
            let h = 1e-2 * scales[j]
            let numeric = Self.derivative({ d in
              var q = point
              q[j] += d
              return nll.value(fit.model(at: q))
            }, step: h)
            // floor: the NLL's rounding (≈ 1e-15·|NLL|) over the step
            let tolerance = 1e-6 * max(abs(numeric), 1e-6 * Double(data.count) / scales[j])
            #expect(abs(gradient[j] - numeric) <= tolerance,
                    "\(fit.parameters[j].name): analytic \(gradient[j]) numeric \(numeric)")
          }
          // the same bits for any number of threads
          for w in [1, 3] {
            var other = nll
            other.workers = w
            let (v2, g2) = try #require(other.valueAndGradient(m))
            #expect(v2.bitPattern == value.bitPattern)
            #expect(zip(g2, gradient).allSatisfy { $0.bitPattern == $1.bitPattern })
          }
        }
      }
    }
  }

  @Test func shapesWithoutDerivativesFallBackToNumerical() {
    let range = FitRange(5.2, 5.3)
    let model = ExtendedModel(range: range, species: [
      ModelComponent(name: "sig", yield: 100, shape: .crystalBall(m0: 5.28, sigma: 0.01, alpha: 1.5, n: 3)),
      ModelComponent(name: "bkg", yield: 100, shape: .chebychev(coefficients: [0.1])),
    ])
    let nll = ExtendedNLL(data: [5.25, 5.27, 5.28], range: range)
    #expect(!nll.hasAnalyticGradient(model))
    #expect(nll.valueAndGradient(model) == nil)
  }

  @Test func analyticAndNumericalFitsAgree() {
    let toy = GaussianPlusChebychevToy()
    let data = toy.generate(seed: 77)
    var start = toy
    start.signal *= 0.8
    start.sigma *= 1.3
    var problem = ExtendedModelFit(model: start.model, nll: ExtendedNLL(data: data, range: GaussianPlusChebychevToy.range))
    problem.configure("sig.sigma", lowerLimit: 0.001, upperLimit: 0.03)
    problem.configure("sig.mu", lowerLimit: 1.85, upperLimit: 1.88)
    let analytic = problem.fit()
    let numerical = problem.fit(analyticGradient: false)
    #expect(analytic.result.status.isValid)
    #expect(numerical.result.status.isValid)
    #expect(analytic.result.ngrad > 0)
    #expect(numerical.result.ngrad == 0)
    #expect(analytic.result.nfcn < numerical.result.nfcn)
    #expect(abs(analytic.nll - numerical.nll) < 1e-3)
    for (i, name) in analytic.result.parameterNames.enumerated() {
      let e = numerical.result.errors[i]
      #expect(abs(analytic.result.values[i] - numerical.result.values[i]) < 0.02 * e, "\(name)")
      #expect(abs(analytic.result.errors[i] / e - 1) < 0.01, "\(name) error")
    }
  }
}
