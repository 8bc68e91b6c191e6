import Foundation
import Testing
@testable import Numerics

@Suite struct LikelihoodFitTests {
  @Test func nllMatchesDirectSumAndIsThreadCountInvariant() {
    let toy = GaussianPlusChebychevToy(signal: 30_000, background: 70_000)
    let data = toy.generate(seed: 7)
    var nll = ExtendedNLL(data: data, range: GaussianPlusChebychevToy.range, workers: 1)
    let model = toy.model
    let one = nll.value(model)
    nll.workers = 2
    let two = nll.value(model)
    nll.workers = 4
    let four = nll.value(model)
    #expect(one.bitPattern == two.bitPattern)
    #expect(one.bitPattern == four.bitPattern)
    // the same sum done plainly, event by event
    var direct = CompensatedSum()
    for x in data { direct.add(-log(model.density(at: x))) }
    direct.add(model.totalYield)
    #expect(abs(direct.value - one) < 1e-8 * abs(one))
  }

  @Test func outOfRangeEventsAreDroppedAndWeightsEnter() {
    let range = FitRange(0, 1)
    let model = ExtendedModel(range: range, species: [ModelComponent(name: "flat", yield: 3, shape: .chebychev(coefficients: []))])
    let nll = ExtendedNLL(data: [0.2, 1.5, 0.7, -0.1], weights: [2, 9, 0.5, 9], range: range)
    #expect(nll.droppedEvents == 2)
    #expect(nll.sumOfWeights == 2.5)
    // −ln L = ν − Σ w ln(ν·1) with D = 3 everywhere
    #expect(abs(nll.value(model) - (3 - 2.5 * log(3.0))) < 1e-14)
  }

  @Test func negativeDensityGivesLargeFiniteValue() {
    let range = FitRange(0, 1)
    let model = ExtendedModel(range: range, species: [ModelComponent(name: "b", yield: 10, shape: .chebychev(coefficients: [1.5]))])
    let nll = ExtendedNLL(data: [0.05, 0.5, 0.9], range: range)
    let v = nll.value(model)
    #expect(v.isFinite)
    #expect(v > 900)
  }

  @Test func toyFitRecoversTruthWithSqrtNErrors() {
    let toy = GaussianPlusChebychevToy()
    let data = toy.generate(seed: 2024)
    let out = toy.fit(data)
    let r = out.result
    #expect(r.status.isValid)
    #expect(r.status.covarianceQuality == .accurate)
    #expect(r.edm < r.edmMaximum)
    for (name, truth) in [("sig.yield", toy.signal), ("bkg.yield", toy.background), ("sig.mu", toy.mu),
                          ("sig.sigma", toy.sigma), ("bkg.c1", toy.c1)] {
      let pull = (r.value(name)! - truth) / r.error(name)!
      #expect(abs(pull) < 4, "\(name): pull \(pull)")
    }
    // extended ML: Σ N̂ = N_obs, and the error of the total is √N_obs
    let i = r.parameterNames.firstIndex(of: "sig.yield")!, j = r.parameterNames.firstIndex(of: "bkg.yield")!
    let total = r.values[i] + r.values[j]
    // (within MIGRAD's tolerance: EDM < 1e-4 allows ≈ 0.014σ)
    #expect(abs(total - Double(data.count)) < 0.02 * Double(data.count).squareRoot())
    let varTotal = r.covariance[i][i] + r.covariance[j][j] + 2 * r.covariance[i][j]
    #expect(abs(varTotal.squareRoot() / Double(data.count).squareRoot() - 1) < 0.01)
    #expect(r.error("sig.yield")! > Double(toy.signal).squareRoot())
    // reported NLL is the un-offset one
    #expect(abs(out.nll - ExtendedNLL(data: data, range: GaussianPlusChebychevToy.range).value(out.model)) < 1e-6)
    #expect(out.chebychevMinima["bkg"]! > 0)
  }

  @Test func pullsOfSmallToysHaveUnitWidth() {
    let toy = GaussianPlusChebychevToy(signal: 600, background: 1400)
    var pulls: [Double] = []
    var invalid = 0
    for seed in 0..<40 {
      let r = toy.fit(toy.generate(seed: 1000 + UInt64(seed))).result
      if !r.status.isValid { invalid += 1; continue }
      pulls.append((r.value("sig.yield")! - toy.signal) / r.error("sig.yield")!)
    }
    #expect(invalid <= 1)
    let n = Double(pulls.count)
    let mean = pulls.reduce(0, +) / n
    let width = (pulls.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
    // 40 toys: σ(mean) ≈ 0.16, σ(width) ≈ 0.11
    #expect(abs(mean) < 0.5, "pull mean \(mean)")
    #expect(abs(width - 1) < 0.35, "pull width \(width)")
  }

  @Test func binnedFitAgreesWithUnbinned() {
    let toy = GaussianPlusChebychevToy()
    let data = toy.generate(seed: 99)
    let unbinned = toy.fit(data).result
    let binnedNLL = BinnedExtendedNLL(data: data, range: GaussianPlusChebychevToy.range, bins: 600)
    var fitModel = ExtendedModelFit(model: toy.model, nll: ExtendedNLL(data: [], range: GaussianPlusChebychevToy.range))
    fitModel.configure("sig.sigma", lowerLimit: 0.001, upperLimit: 0.03)
    let f = fitModel
    let r = Minimizer().minimize({ binnedNLL.value(f.model(at: $0)) }, parameters: fitModel.parameters)
    #expect(r.status.isValid)
    for name in ["sig.yield", "bkg.yield", "sig.mu", "sig.sigma", "bkg.c1"] {
      let diff = abs(r.value(name)! - unbinned.value(name)!) / unbinned.error(name)!
      #expect(diff < 0.1, "\(name) differs by \(diff)σ")
      #expect(abs(r.error(name)! / unbinned.error(name)! - 1) < 0.03)
    }
    // bin integrals add up to the yields
    let expected = binnedNLL.expectedCounts(toy.model).reduce(0, +)
    #expect(abs(expected - toy.model.totalYield) < 1e-8)
  }

  @Test func fitOutcomeRoundTripsThroughJSON() throws {
    let toy = GaussianPlusChebychevToy(signal: 300, background: 700)
    let out = toy.fit(toy.generate(seed: 3))
    let back = try JSONDecoder().decode(ExtendedFitOutcome.self, from: JSONEncoder().encode(out))
    #expect(back == out)
  }
}
