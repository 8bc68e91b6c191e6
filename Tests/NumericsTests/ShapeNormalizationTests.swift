import Foundation
import Testing
@testable import Numerics

@Suite struct ShapeNormalizationTests {
  static let cases: [(Shape, FitRange)] = [
    (.gaussian(mu: 1.865, sigma: 0.006), FitRange(1.8, 1.95)),
    (.gaussian(mu: 0, sigma: 1), FitRange(3, 5)),
    (.doubleGaussian(mu: 1.86484, sigma1: 0.0055, sigma2: 0.012, f: 0.7), FitRange(1.8, 1.95)),
    (.johnsonSU(mu: 0.4976, lambda: 0.004, gamma: 0.3, delta: 1.4), FitRange(0.45, 0.55)),
    (.johnsonSU(mu: 1.0, lambda: 0.3, gamma: -1.2, delta: 0.6), FitRange(0, 2)),
    (.johnsonSUGaussian(mu: 0.4976, lambda: 0.004, gamma: 0.3, delta: 1.4, sigma: 0.003, fJohnson: 0.6),
     FitRange(0.45, 0.55)),
    (.chebychev(coefficients: [-0.2, 0.05]), FitRange(1.8, 1.95)),
    (.chebychev(coefficients: [0.3, -0.1, 0.05, 0.02, -0.01]), FitRange(0.1, 0.16)),
    (.exponential(c: -3.5), FitRange(5.2, 5.3)),
    (.exponential(c: 40), FitRange(1, 2)),
    (.exponential(c: 0), FitRange(1, 2)),
    (.polynomial(coefficients: [0.2, -0.05], lowestOrder: 1), FitRange(0, 3)),
    (.polynomial(coefficients: [2, 0.5, 0.1], lowestOrder: 0), FitRange(-1, 2)),
    (.crystalBall(m0: 5.28, sigma: 0.01, alpha: 1.5, n: 3), FitRange(5.2, 5.3)),
    (.crystalBall(m0: 5.28, sigma: 0.01, alpha: -0.8, n: 1.0), FitRange(5.2, 5.4)),
    (.doubleSidedCrystalBall(m0: 3.1, sigma: 0.02, alphaL: 1.2, nL: 4, alphaR: 2.1, nR: 1.5), FitRange(2.9, 3.3)),
    (.argus(m0: 5.29, c: -20, p: 0.5), FitRange(5.2, 5.3)),
    (.argus(m0: 5.29, c: 15, p: 0.5), FitRange(5.2, 5.29)),
    (.argus(m0: 5.29, c: -5, p: 1.3), FitRange(5.0, 5.29)),
    (.bifurcatedGaussian(mu: 1.1, sigmaL: 0.05, sigmaR: 0.12), FitRange(0.9, 1.5)),
    (.bifurcatedGaussian(mu: 0.5, sigmaL: 0.05, sigmaR: 0.12), FitRange(0.9, 1.5)),
    (.threshold(m0: 0.13957, power: 0.5), FitRange(0.139, 0.16)),
    (.threshold(m0: 0.13957, power: 1.7), FitRange(0.14, 0.16)),
  ]

  @Test(arguments: 0..<cases.count)
  func integratesToOneOverItsRange(_ index: Int) {
    let (shape, range) = Self.cases[index]
    // split at kinks (thresholds, tail joins, ARGUS end point) so Simpson converges
    var cuts = [range.lo, range.hi]
    for (name, v) in shape.parameters where ["m0", "mu"].contains(name) && range.lo < v && v < range.hi { cuts.append(v) }
    cuts.sort()
    var total = 0.0
    for i in 0..<(cuts.count - 1) {
      total += simpsonIntegral({ shape.density(at: $0, over: range) }, cuts[i], cuts[i + 1])
    }
    #expect(abs(total - 1) < 1e-9, "\(shape.kind) \(shape.parameters): ∫ = \(total)")
    #expect(abs(shape.probability(from: range.lo, to: range.hi, over: range) - 1) < 1e-12)
  }

  @Test func chebychevNormalisationMatchesNumericAndFullRangeFormula() {
    let range = FitRange(1.8, 1.95)
    let c = [-0.2, 0.05, 0.03, -0.02]
    let series = ChebychevSeries(coefficients: c, mappedFrom: range)
    let numeric = simpsonIntegral({ series.value($0) }, range.lo, range.hi)
    let analytic = series.integral(range.lo, range.hi)
    // full range: (hi − lo)(1 − c₂/3 − c₄/15)
    let closed = range.width * (1 - c[1] / 3 - c[3] / 15)
    #expect(abs(analytic - numeric) < 1e-12 * numeric)
    #expect(abs(analytic - closed) < 1e-14)
    // a sub-interval too (used by the binned NLL)
    let sub = simpsonIntegral({ series.value($0) }, 1.83, 1.9)
    #expect(abs(series.integral(1.83, 1.9) - sub) < 1e-12)
  }

  @Test func valuesMatchHandComputedAndScipyReferences() {
    // Gaussian μ=0 σ=1 on [−1, 1] at 0: φ(0)/erf(1/√2)
    #expect(abs(Shape.gaussian(mu: 0, sigma: 1).density(at: 0, over: FitRange(-1, 1))
      - 0.3989422804014327 / 0.6826894921370859) < 1e-14)
    // far-tail window [10, 11]: naive Φ differences would give 0
    #expect(abs(Shape.gaussian(mu: 0, sigma: 1).density(at: 10.5, over: FitRange(10, 11))
      / 0.06004696291802212 - 1) < 1e-10)
    // exponential c = −2 on [0, 1] at 0.5: 2e⁻¹/(1 − e⁻²)
    #expect(abs(Shape.exponential(c: -2).density(at: 0.5, over: FitRange(0, 1))
      - 2 * exp(-1.0) / (1 - exp(-2.0))) < 1e-14)
    // Chebychev c₁ = 0.3, c₂ = 0.1 on [0, 2] at 1.5: t = 0.5, g = 1 + 0.15 − 0.05 = 1.1, I = 2(1 − 0.1/3)
    #expect(abs(Shape.chebychev(coefficients: [0.3, 0.1]).density(at: 1.5, over: FitRange(0, 2))
      - 1.1 / (2 * (1 - 0.1 / 3))) < 1e-14)
    // double Gaussian: each normalised first, then mixed
    let g1 = 0.3989422804014327 / 0.5 / 0.9544997361036416  // σ = 0.5 on [−1, 1] at 0
    let g2 = 0.3989422804014327 / 1.0 / 0.6826894921370859
    #expect(abs(Shape.doubleGaussian(mu: 0, sigma1: 0.5, sigma2: 1, f: 0.3).density(at: 0, over: FitRange(-1, 1))
      - (0.3 * g1 + 0.7 * g2)) < 1e-13)
    // threshold (x − m₀)^p on [m₀, m₀ + 1], p = 2: 3(x − m₀)²
    #expect(abs(Shape.threshold(m0: 0.14, power: 2).density(at: 0.64, over: FitRange(0.14, 1.14)) - 0.75) < 1e-13)
    // scipy.stats references (johnsonsu, crystalball truncated to the range), ARGUS by scipy quad
    #expect(abs(Shape.johnsonSU(mu: 1, lambda: 0.3, gamma: 0.5, delta: 1.5).density(at: 0.8, over: FitRange(0, 2))
      / 1.5218699300689957 - 1) < 1e-12)
    let cb = Shape.crystalBall(m0: 5.28, sigma: 0.01, alpha: 1.5, n: 3)
    #expect(abs(cb.density(at: 5.25, over: FitRange(5.2, 5.3)) / 2.3399291811709424 - 1) < 1e-12)
    #expect(abs(cb.density(at: 5.275, over: FitRange(5.2, 5.3)) / 34.08877080873377 - 1) < 1e-12)
    #expect(abs(Shape.argus(m0: 5.29, c: -20, p: 0.5).density(at: 5.27, over: FitRange(5.2, 5.3))
      / 10.049001044080525 - 1) < 1e-10)
    // outside the range: 0
    #expect(Shape.gaussian(mu: 0, sigma: 1).density(at: 2, over: FitRange(-1, 1)) == 0)
  }

  @Test func vectorisedDensitiesEqualScalarOnes() {
    let range = FitRange(1.8, 1.95)
    let shape = Shape.doubleGaussian(mu: 1.86484, sigma1: 0.0055, sigma2: 0.012, f: 0.7)
    let xs = (0..<3000).map { range.lo + range.width * Double($0) / 2999 }
    let v = shape.densities(xs, over: range)
    for (x, d) in zip(xs, v) { #expect(d == shape.density(at: x, over: range)) }
    let logs = shape.logDensities(xs, over: range)
    #expect(abs(logs[1500] - log(v[1500])) < 1e-15)
  }

  @Test func kindStringsMapToTypedShapes() throws {
    let g = try Shape(kind: "doubleGaussian", parameters: ["mu": 1.86, "sigma1": 0.005, "sigma2": 0.01, "f": 0.7])
    #expect(g == .doubleGaussian(mu: 1.86, sigma1: 0.005, sigma2: 0.01, f: 0.7))
    let j = try Shape(kind: "johnsonSU+gaussian",
                      parameters: ["mu": 0.5, "lambda": 0.004, "gamma": 0.3, "delta": 1.4, "sigma": 0.003, "fJohnson": 0.6])
    #expect(j.parameterNames == ["mu", "lambda", "gamma", "delta", "sigma", "fJohnson"])
    let c = try Shape(kind: "chebychev", parameters: ["c1": -0.2, "c2": 0.05])
    #expect(c == .chebychev(coefficients: [-0.2, 0.05]))
    #expect(try Shape(kind: "threshold", parameters: ["m0": 0.1396, "power": 0.5]) == .threshold(m0: 0.1396, power: 0.5))
    #expect(throws: ShapeError.unknownKind("gauss")) { try Shape(kind: "gauss", parameters: [:]) }
    #expect(throws: ShapeError.missingParameter(kind: "gaussian", name: "sigma")) {
      try Shape(kind: "gaussian", parameters: ["mu": 1])
    }
    #expect(throws: ShapeError.missingParameter(kind: "chebychev", name: "c2")) {
      try Shape(kind: "chebychev", parameters: ["c1": 0.1, "c3": 0.2])
    }
    #expect(throws: ShapeError.invalidParameter(kind: "johnsonSU", name: "delta", value: -1, reason: "must be > 0")) {
      try Shape(kind: "johnsonSU", parameters: ["mu": 0, "lambda": 1, "gamma": 0, "delta": -1])
    }
    #expect(throws: ShapeError.unexpectedParameter(kind: "gaussian", name: "sgima")) {
      try Shape(kind: "gaussian", parameters: ["mu": 1, "sigma": 1, "sgima": 2])
    }
    for shape in Self.cases.map(\.0) {
      #expect(try Shape(kind: shape.kind, parameters: shape.parameters) == shape)
      let json = try JSONEncoder().encode(shape)
      #expect(try JSONDecoder().decode(Shape.self, from: json) == shape)
    }
  }
}
