import Foundation
import Testing
@testable import Numerics

@Suite struct SPlotTests {
  /// The reference toy of fits-and-splot.md §4.5: Gaussian(1.2, 0.1) + exponential
  /// (scale 0.5, i.e. exp(−2x)) on [0, 3], 5 000 + 10 000 generated.
  static func referenceToy(seed: UInt64) -> (ExtendedModel, [Double]) {
    var rng = Xoshiro256StarStar(seed: seed)
    var x: [Double] = []
    for _ in 0..<5000 { x.append(rng.normal(1.2, 0.1)) }
    for _ in 0..<10000 { x.append(0.5 * rng.exponential()) }
    x = x.filter { $0 >= 0 && $0 <= 3 }
    let model = ExtendedModel(range: FitRange(0, 3), species: [
      ModelComponent(name: "sig", yield: 5000, shape: .gaussian(mu: 1.2, sigma: 0.1)),
      ModelComponent(name: "bkg", yield: 10000, shape: .exponential(c: -2)),
    ])
    return (model, x)
  }

  @Test func referenceToyReproducesTheDocumentedSizes() throws {
    let (model, x) = Self.referenceToy(seed: 11)
    let sw = try SPlot.compute(model: model, data: x)
    // yields moved to the ML stationary point: sum rule and Σ_n w_n = 1 to rounding
    for s in sw.maximumLikelihoodSums { #expect(abs(s - 1) < 1e-12) }
    #expect(sw.maxUnitSumDeviation < 1e-9)
    #expect(abs(sw.yields.reduce(0, +) - Double(x.count)) < 1e-6)
    // check 1: Σ_e w_n = N_n
    for k in 0..<2 { #expect(abs(sw.sumOfWeights[k] - sw.yields[k]) < 1e-9 * sw.yields[k]) }
    // Σ_e w_s² = V_ss identically
    let w2 = sw.weights(species: 0).reduce(0) { $0 + $1 * $1 }
    #expect(abs(w2 - sw.covariance[0][0]) < 1e-9 * w2)
    // the documented toy: V = [[5993.76, −966.89], [−966.89, 10913.01]] (another sample: a few % apart)
    #expect(abs(sw.covariance[0][0] / 5993.76 - 1) < 0.05)
    #expect(abs(sw.covariance[0][1] / -966.89 - 1) < 0.15)
    #expect(abs(sw.covariance[1][1] / 10913.01 - 1) < 0.05)
    #expect(abs(sw.covariance[0][0].squareRoot() - 77.42) < 3)
  }

  @Test func covarianceEqualsHesseOfTheYieldsOnlyFit() throws {
    let (model, x) = Self.referenceToy(seed: 5)
    let sw = try SPlot.compute(model: model, data: x)
    var fit = ExtendedModelFit(model: model, nll: ExtendedNLL(data: x, range: model.range))
    for p in fit.parameters where !p.name.hasSuffix(".yield") { fit.configure(p.name, isFixed: true) }
    let r = fit.fit().result
    #expect(abs(r.value("sig.yield")! - sw.yields[0]) < 0.02 * sw.covariance[0][0].squareRoot())
    #expect(abs(r.covariance[0][0] / sw.covariance[0][0] - 1) < 1e-3)
    #expect(abs(r.covariance[0][3] / sw.covariance[0][1] - 1) < 1e-3)
  }

  @Test func weightsAreThreadCountInvariant() throws {
    let toy = GaussianPlusChebychevToy(signal: 20_000, background: 40_000)
    let data = toy.generate(seed: 8)
    let a = try SPlot.compute(model: toy.model, data: data, workers: 1)
    let b = try SPlot.compute(model: toy.model, data: data, workers: 2)
    let c = try SPlot.compute(model: toy.model, data: data, workers: 4)
    #expect(a == b)
    #expect(a == c)
  }

  @Test func weightedEventsAndOutOfRangeEvents() throws {
    let (model, x0) = Self.referenceToy(seed: 6)
    var rng = Xoshiro256StarStar(seed: 1)
    let weights = x0.map { _ in 0.5 + rng.uniform() }
    let x = x0 + [3.5, -1]
    let sw = try SPlot.compute(model: model, data: x, weights: weights + [1, 1])
    #expect(sw[species: 0, event: x.count - 1] == 0)
    #expect(sw[species: 1, event: x.count - 2] == 0)
    // check 1 with weights: Σ_e w_n = N_n; Σ_n N_n = Σ w at the stationary point
    for k in 0..<2 { #expect(abs(sw.sumOfWeights[k] - sw.yields[k]) < 1e-9 * sw.yields[k]) }
    var sumW = CompensatedSum()
    for w in weights { sumW.add(w) }
    #expect(abs(sw.yields.reduce(0, +) - sumW.value) < 1e-6)
  }

  @Test func identicalShapesAreRejected() {
    let model = ExtendedModel(range: FitRange(0, 1), species: [
      ModelComponent(name: "a", yield: 10, shape: .exponential(c: 0)),
      ModelComponent(name: "b", yield: 10, shape: .exponential(c: 0)),
    ])
    #expect(throws: SPlot.Failure.singularMatrix) {
      try SPlot.compute(model: model, data: [0.1, 0.5, 0.9], refitYields: false)
    }
  }
}
