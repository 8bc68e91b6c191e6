import ColumnStore
import Foundation
import Modes
import Query
import Testing

@testable import Analysis

@Suite struct DistributionComparisonTests {
  func table(_ cols: [String: [Double]]) throws -> MemoryTable {
    try MemoryTable(columns: cols.keys.sorted().map { (ColumnInfo(name: $0, type: .float64), .float64(cols[$0]!)) }, chunkRows: 4)
  }

  /// Small samples computed by hand: the simulation scaled to the data, the ratio and its error.
  @Test func scalingAndRatioByHand() throws {
    let data = try table(["x": [0.1, 0.2, 0.6, 0.7, 0.8, 1.5, -1], "w": [1, 2, 1, 1, 2, 5, 3]])
    let mc = try table(["x": [0.1, 0.6, 0.6, 0.9], "w": [1, 1, 1, 1]])
    var r = DistributionComparison.Request(expression: "x", axis: try .regular(bins: 2, lower: 0, upper: 1))
    r.weight = "w"
    r.mcWeight = "w"
    let c = try DistributionComparison.compute(r, particle: nil, mode: nil, data: data, mc: mc)
    #expect(c.data[0].sumW == [3, 4])
    #expect(c.data[0].sumW2 == [5, 6])
    #expect((c.data[0].underflow, c.data[0].overflow) == (3, 5))
    // simulation: [1, 3] scaled by 7 / 4
    #expect(c.mc[0].scale == 7.0 / 4)
    #expect(c.mc[0].values == [1.75, 5.25])
    let (d, m, sd2, sm2) = (3.0, 1.75, 5.0, 1.75 * 1.75)
    #expect(abs(c.ratios[0].values[0] - d / m) < 1e-15)
    #expect(abs(c.ratios[0].errors[0] - (sd2 / (m * m) + d * d * sm2 / (m * m * m * m)).squareRoot()) < 1e-15)
    #expect(c.regular)
  }

  @Test func densityHasUnitArea() throws {
    let data = try table(["x": [0.1, 0.2, 0.6, 0.7, 0.8, 2.5, .nan]])
    var r = DistributionComparison.Request(expression: "x", axis: try .variable([0, 0.5, 1, 3]))
    r.density = true
    r.overlays = ["", "x > 0.15"]
    let c = try DistributionComparison.compute(r, particle: nil, mode: nil, data: data, mc: nil)
    for h in c.data {
      let area = zip(h.values, [0.5, 0.5, 2]).map { $0 * $1 }.reduce(0, +)
      #expect(abs(area - 1) < 1e-15)
    }
    let expected: [Double] = [2.0 / 6 / 0.5, 3.0 / 6 / 0.5, 1.0 / 6 / 2]
    #expect(zip(c.data[0].values, expected).allSatisfy { abs($0 - $1) < 1e-15 })
    #expect(c.data[1].entries == 5)  // NaN fails the selection
    #expect(c.data[0].overflow == 1)  // NaN is overflow
    #expect(c.mc.isEmpty && c.ratios.isEmpty && !c.regular)
  }

  /// --particle: bare names are the track's; a selection on the tracks goes to each track, one on the candidate stays the cut.
  @Test func particleRewritesEveryExpression() throws {
    let data = try table([
      "pi_0_p": [1, 2, 3], "pi_1_p": [1.5, 2.5, 3.5], "pi_0_q": [1, -1, 1], "pi_1_q": [-1, 1, -1], "sel": [1, 1, 0],
    ])
    var r = DistributionComparison.Request(expression: "p", axis: try .regular(bins: 4, lower: 0, upper: 4))
    r.overlays = ["q > 0"]
    r.selection = "sel > 0"
    // K_S0's two pions: the family `pi`
    let ks = try #require(CalibrationMode.builtin(named: "KS"))
    let c = try DistributionComparison.compute(r, particle: "pi", mode: ks, data: data, mc: nil)
    #expect(c.expressions == ["pi_0_p", "pi_1_p"])
    // candidates 0 and 1: positive tracks pi_0 (p = 1) and pi_1 (p = 2.5)
    #expect(c.data[0].sumW == [0, 1, 1, 0])
    r.selection = "q > 0"
    r.overlays = []
    let perTrack = try DistributionComparison.compute(r, particle: "pi", mode: ks, data: data, mc: nil)
    #expect(perTrack.data[0].sumW == [0, 1, 1, 1])  // pi_0 p = 1, 3 and pi_1 p = 2.5
    #expect(throws: EfficiencyTableError.self) {
      try DistributionComparison.compute(r, particle: "nope", mode: ks, data: data, mc: nil)
    }
  }

  @Test func uhiHistogramsKeepTheFlowBins() throws {
    let data = try table(["x": [0.1, 0.6, -1, 5]])
    let r = DistributionComparison.Request(expression: "x", axis: try .regular(bins: 2, lower: 0, upper: 1))
    let c = try DistributionComparison.compute(r, particle: nil, mode: nil, data: data, mc: data)
    let u = c.uhi()
    #expect(u.map(\.name) == ["data", "mc"])
    #expect(u[0].histogram.values == [1, 1, 1, 1])
    #expect(u[0].histogram.axes == [.regular(bins: 2, lower: 0, upper: 1, label: "x")])
  }
}
