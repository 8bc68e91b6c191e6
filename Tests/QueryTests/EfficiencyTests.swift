import ColumnStore
import Foundation
import Testing
@testable import Query

@Suite struct EfficiencyTests {
  /// A table with known per-bin sums, checked against a direct row loop.
  @Test func matchesRowByRowSums() throws {
    var state: UInt64 = 99
    func u() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) * 0x1p-53
    }
    let n = 50_000
    let p = (0..<n).map { _ in u() * 5 }
    let pid = (0..<n).map { i in i % 211 == 0 ? Double.nan : u() }
    let w = (0..<n).map { _ in u() * 1.5 - 0.25 }  // some negative, like sWeights
    let dz = (0..<n).map { _ in u() * 10 - 5 }
    let table = try MemoryTable(columns: [
      (ColumnInfo(name: "p", type: .float64), .float64(p)),
      (ColumnInfo(name: "pid", type: .float64), .float64(pid)),
      (ColumnInfo(name: "w", type: .float64), .float64(w)),
      (ColumnInfo(name: "dz", type: .float64), .float64(dz)),
    ], chunkRows: 4096)
    let edges = [0.5, 1.0, 2.0, 4.5]
    let q = try Query(cut: "abs(dz) < 4", weight: "w", source: table)
    let agg = EfficiencyAggregate([("p", try .variable(edges))], pass: ["pid > 0.2", "pid > 0.6"])
    let all = try q.run(agg, threads: 1)
    let r2 = try q.run(agg, threads: 2)
    #expect(all.total == r2.total && all.cuts.map(\.pass) == r2.cuts.map(\.pass))
    let r1 = (total: all.total, pass: all.cuts[1].pass, efficiency: all.cuts[1].efficiency, error: all.cuts[1].error)
    #expect(all.cuts[0].efficiency[2] > all.cuts[1].efficiency[2])
    for b in 0..<3 {
      var tw = 0.0, tw2 = 0.0, pw = 0.0, pw2 = 0.0
      for i in 0..<n where abs(dz[i]) < 4 && p[i] >= edges[b] && p[i] < edges[b + 1] {
        tw += w[i]; tw2 += w[i] * w[i]
        if pid[i] > 0.6 { pw += w[i]; pw2 += w[i] * w[i] }
      }
      let k = b + 1
      #expect(abs(r1.total.sumW[k] - tw) < 1e-9 * abs(tw))
      #expect(abs(r1.pass.sumW2[k] - pw2) < 1e-9 * pw2)
      let e = pw / tw
      let s = (abs((1 - 2 * e) * pw2 + e * e * tw2)).squareRoot() / abs(tw)
      #expect(abs(r1.efficiency[k] - e) < 1e-12)
      #expect(abs(r1.error[k] - s) < 1e-12)
    }
    // Empty bins (no rows at all below 0.5 pass the cut... the underflow has rows; an axis past the data has none).
    let far = try q.run(EfficiencyAggregate([("p", try .variable([10, 11]))], pass: "pid > 0.6"))
    #expect(far.cuts[0].efficiency[1].isNaN)
    #expect(throws: QueryError(.syntax, "empty cut", range: SourceRange(0, 0), expression: " ", notes: ["expected a condition"])) {
      _ = try q.run(EfficiencyAggregate([("p", try .variable(edges))], pass: ["pid > 0", " "]))
    }
    // A number as the pass cut is a condition: true when non-zero and not NaN.
    let truth = try q.run(EfficiencyAggregate([("p", try .variable(edges))], pass: ["pid - 0.5", "pid - 0.5 != 0 && !isnan(pid)"]))
    #expect(truth.cuts[0].pass == truth.cuts[1].pass)
    var passing = 0
    for i in 0..<n where abs(dz[i]) < 4 && p[i] >= edges[0] && p[i] < edges[3] && !pid[i].isNaN && pid[i] != 0.5 {
      passing += 1
    }
    let inRange = truth.cuts[0].pass.entries
      - (0..<n).filter { abs(dz[$0]) < 4 && (p[$0] < edges[0] || p[$0] >= edges[3]) && !pid[$0].isNaN && pid[$0] != 0.5 }.count
    #expect(inRange == passing)
  }

  @Test func unitWeightsGiveTheBinomialError() {
    let (e, s) = EfficiencyAggregate.efficiency(passW: 30, passW2: 30, totalW: 100, totalW2: 100)
    #expect(e == 0.3)
    #expect(abs(s - (0.3 * 0.7 / 100).squareRoot()) < 1e-15)
    let (e0, s0) = EfficiencyAggregate.efficiency(passW: 0, passW2: 0, totalW: 50, totalW2: 50)
    #expect(e0 == 0 && s0 == 0)
    // Jeffreys/Kish floor: p = 0.5/51, variance p(1-p)/50.
    let (_, sf) = EfficiencyAggregate.efficiency(passW: 0, passW2: 0, totalW: 50, totalW2: 50, jeffreysFloor: true)
    let p = 0.5 / 51
    #expect(abs(sf - (p * (1 - p) / 50).squareRoot()) < 1e-15)
  }
}
