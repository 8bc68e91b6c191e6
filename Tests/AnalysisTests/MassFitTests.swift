import ColumnStore
import Foundation
import Modes
import Numerics
import Query
import TestSupport
import Testing

@testable import Analysis

/// Toys drawn from a mode's own mass model (Poisson yields), fitted back.
func toy(_ model: MassModel, signal: Double, background: Double, seed: UInt64) throws -> FitSampleAggregate.Result {
  var rng = Xoshiro256StarStar(seed: seed)
  let range = FitRange(model.lo, model.hi)
  let values = sample(try model.signal.shape(), over: range, count: poisson(signal, rng: &rng), rng: &rng)
    + sample(try model.background.shape(), over: range, count: poisson(background, rng: &rng), rng: &rng)
  return FitSampleAggregate.Result(
    rowNumbers: values.indices.map(Int64.init), values: values, weights: nil, outside: 0)
}

@Suite struct MassFitTests {
  /// ≥ 100 toys per framework model: the pulls of the signal yield and of the
  /// peak position have mean 0 and width 1 within their statistical precision.
  /// D* and Λ0 are fitted unbinned at 2.5k events a toy. The K_S0 model (a
  /// Johnson S_U and a Gaussian sharing μ, six signal parameters) is not
  /// identifiable with so few events — a fifth of such fits end at degenerate
  /// minima — so its toys have 40k events, fitted binned (200 bins) to keep
  /// the test fast; the unbinned fit of the same model is checked against
  /// iminuit in the interop tests.
  @Test(arguments: [("Dst", 1500.0, 1000.0, nil), ("Lambda0", 1500, 1000, nil), ("KS", 30000, 10000, 200)] as [(String, Double, Double, Int?)])
  func pullStudy(mode: String, nSignal: Double, nBackground: Double, bins: Int?) throws {
    let model = try #require(CalibrationMode.builtin(named: mode)?.fit)
    let trueMu = model.signal.parameters["mu"]!
    var yieldPulls: [Double] = []
    var muPulls: [Double] = []
    var failures = 0
    for k in 0..<100 {
      let data = try toy(model, signal: nSignal, background: nBackground, seed: 1000 * UInt64(k) + 17)
      guard let r = try? MassFit(model: model, threads: 1, bins: bins).fit(data).report else {
        failures += 1
        continue
      }
      yieldPulls.append((r.yields["signal"]!.value - nSignal) / r.yields["signal"]!.error)
      muPulls.append((r.parameters["signal.mu"]!.value - trueMu) / r.parameters["signal.mu"]!.error)
    }
    #expect(failures <= 2, "\(failures) of 100 toys did not converge")
    for (name, pulls) in [("yield", yieldPulls), ("mu", muPulls)] {
      let n = Double(pulls.count)
      let mean = pulls.reduce(0, +) / n
      let width = (pulls.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
      // mean ± 3.5/√n, width ± 3.5/√(2n)
      #expect(abs(mean) < 3.5 / n.squareRoot(), "\(mode) \(name): pull mean \(mean)")
      #expect(abs(width - 1) < 3.5 / (2 * n).squareRoot(), "\(mode) \(name): pull width \(width)")
    }
  }

  @Test func reportNamesEveryParameterAndTheCovariance() throws {
    let model = CalibrationMode.dst.fit!
    let r = try MassFit(model: model).fit(try toy(model, signal: 3000, background: 2000, seed: 5)).report
    #expect(r.valid && r.status == "valid")
    #expect(Set(r.yields.keys) == ["signal", "background"])
    #expect(Set(r.parameters.keys) == ["signal.mu", "signal.sigma1", "signal.sigma2", "signal.f", "background.c1", "background.c2"])
    #expect(r.covariance.names.count == 8 && r.covariance.matrix.count == 8)
    for (i, name) in r.covariance.names.enumerated() {
      let e = name.hasSuffix(".yield") ? r.yields[String(name.dropLast(6))]!.error : r.parameters[name]!.error
      #expect(abs(r.covariance.matrix[i][i].squareRoot() - e) <= 1e-9 * e)
    }
    #expect(abs(r.yields["signal"]!.value + r.yields["background"]!.value - Double(r.events)) < 1e-3 * Double(r.events))
  }

  @Test func binnedFitAgreesWithUnbinned() throws {
    let model = CalibrationMode.dst.fit!
    let data = try toy(model, signal: 20_000, background: 10_000, seed: 9)
    let unbinned = try MassFit(model: model).fit(data).report
    let binned = try MassFit(model: model, bins: 300).fit(data).report
    let s = unbinned.yields["signal"]!
    #expect(abs(binned.yields["signal"]!.value - s.value) < 0.1 * s.error)
  }

  @Test func failuresAreTyped() throws {
    let model = CalibrationMode.dst.fit!
    let empty = FitSampleAggregate.Result(rowNumbers: [], values: [], weights: nil, outside: 7)
    #expect {
      try MassFit(model: model).fit(empty)
    } throws: { e in
      guard case MassFitError.noEventsInRange(let column, _, let outside) = e else { return false }
      return column == "D0_M" && outside == 7
    }
    var starved = MassFit(model: model)
    starved.minimizer.maxCalls = 15
    #expect {
      try starved.fit(try toy(model, signal: 2000, background: 1000, seed: 2))
    } throws: { e in
      guard case MassFitError.notConverged(let r) = e else { return false }
      return !r.valid && r.status.contains("call limit")
    }
  }
}

@Suite struct FitSampleTests {
  let table = try! MemoryTable(columns: [
    (ColumnInfo(name: "m", type: .float64), .float64([1.0, 1.85, .nan, 1.9, 2.5, 1.81, 1.95, 1.8])),
    (ColumnInfo(name: "w", type: .float64), .float64([1, 2, 3, 4, 5, 6, 7, 8])),
  ], chunkRows: 3)

  @Test func keepsTheRangeWeightsAndRowNumbers() throws {
    let r = try Query(cut: "w > 1", weight: "w * 0.5", source: table).run(FitSampleAggregate("m", lo: 1.8, hi: 1.95), threads: 2)
    #expect(r.rowNumbers == [1, 3, 5, 6, 7])
    #expect(r.values == [1.85, 1.9, 1.81, 1.95, 1.8])
    #expect(r.weights == [1, 2, 3, 3.5, 4])
    #expect(r.outside == 2)  // NaN and 2.5 (1.0 fails the cut)
    let unweighted = try Query(source: table).run(FitSampleAggregate("m", lo: 1.8, hi: 1.95), threads: 1)
    #expect(unweighted.weights == nil)
  }

  @Test func shardsMergeToTheWholeSample() throws {
    let q = try Query(weight: "w", source: table)
    let agg = FitSampleAggregate("m", lo: 1.8, hi: 1.95)
    let parts = try (0..<q.chunkCount).map { try q.partial(agg, chunks: $0..<($0 + 1)) }
    #expect(try Query.finish(agg, partials: parts) == q.run(agg))
  }

  /// sWeights over the set's rows: zero and `in_fit` false outside the sample.
  @Test func sWeightColumnsCoverEveryRow() throws {
    let model = CalibrationMode.dst.fit!
    let data = try toy(model, signal: 2000, background: 1500, seed: 4)
    let nominal = try MassFit(model: model).fit(data)
    let syst = try MassFit(model: model.alternative!).fit(data)
    let sw = try SWeightColumns(nominal: nominal.model, systematic: syst.model, sample: data)
    // spread the sample over a larger set: rows 2e, the odd rows are not in the fit
    var spread = data
    spread.rowNumbers = data.rowNumbers.map { 2 * $0 }
    let t = try sw.table(rowCount: 2 * data.count, sample: spread)
    let signal = try t.read(columns: ["sweight"], chunk: 0)["sweight"]!.doubles
    let inFit = try t.read(columns: ["in_fit"], chunk: 0)["in_fit"]!
    #expect(signal.count == 2 * data.count)
    #expect(stride(from: 1, to: signal.count, by: 2).allSatisfy { signal[$0] == 0 && inFit.double(at: $0) == 0 })
    var sum = CompensatedSum()
    signal.forEach { sum.add($0) }
    #expect(abs(sum.value - sw.nominal.yields[0]) < 1e-6 * sw.nominal.yields[0])
    #expect(sw.checks.nominal.maxUnitSumDeviation < 1e-9)
    #expect(sw.checks.systematic.maxUnitSumDeviation < 1e-9)
  }
}
