import ColumnStore
import Foundation
import Testing
import TestSupport

@testable import Query

@Suite struct EfficiencyTableAggregateTests {
  /// Two tracks, two precuts (one empty), two cuts: every sum equals a direct loop, for 1 and 2 threads.
  @Test func sumsMatchARowLoopOverTracksPrecutsAndCuts() throws {
    var r = TestRandom(5)
    let n = 30_000
    var cols: [String: [Double]] = [:]
    for t in ["a", "b"] {
      cols["\(t)_p"] = (0..<n).map { _ in r.unit() * 5 }
      cols["\(t)_pid"] = (0..<n).map { i in i % 97 == 0 ? .nan : r.unit() }
      cols["\(t)_q"] = (0..<n).map { _ in r.unit() < 0.5 ? -1 : 1 }
    }
    cols["w"] = (0..<n).map { _ in r.unit() * 1.4 - 0.2 }
    cols["m"] = (0..<n).map { _ in r.unit() }
    let table = try MemoryTable(
      columns: cols.keys.sorted().map { (ColumnInfo(name: $0, type: .float64), .float64(cols[$0]!)) }, chunkRows: 3000)
    let edges = [0.5, 1.5, 3.0, 4.5]
    let tracks = ["a", "b"].map { t in
      EfficiencyTableAggregate.Track(axes: ["\(t)_p"], precuts: ["", "\(t)_q > 0"], cuts: ["\(t)_pid > 0.3", "\(t)_pid > 0.8"])
    }
    let agg = EfficiencyTableAggregate(axes: [try .variable(edges)], tracks: tracks)
    let q = try Query(cut: "m < 0.9", weight: "w", source: table)
    let one = try q.run(agg, threads: 1)
    let two = try q.run(agg, threads: 2)
    #expect(one == two)
    #expect(one.tracks == 2 * cols["m"]!.filter { $0 < 0.9 }.count)
    for (j, precut) in [false, true].enumerated() {
      for (i, threshold) in [0.3, 0.8].enumerated() {
        for b in 0..<3 {
          var tw = 0.0, pw = 0.0, pw2 = 0.0
          for k in 0..<n where cols["m"]![k] < 0.9 {
            for t in ["a", "b"] {
              let p = cols["\(t)_p"]![k]
              guard p >= edges[b], p < edges[b + 1], !precut || cols["\(t)_q"]![k] > 0 else { continue }
              let w = cols["w"]![k]
              tw += w
              if cols["\(t)_pid"]![k] > threshold {
                pw += w
                pw2 += w * w
              }
            }
          }
          #expect(abs(one.total[j].sumW[b + 1] - tw) < 1e-9 * abs(tw))
          #expect(abs(one.pass[j][i].sumW[b + 1] - pw) < 1e-9 * abs(pw))
          #expect(abs(one.pass[j][i].sumW2[b + 1] - pw2) < 1e-9 * pw2)
        }
      }
    }
  }

  @Test func trackExpressionsRewriteBareVariablesOnly() {
    let columns: Set<String> = ["D0_K_p", "D0_K_kaonID", "D0_K_binaryPID_321_211", "D0_K_dz", "M", "p", "in_fit"]
    func rw(_ e: String) -> String { TrackExpressions.rewrite(e, prefix: "D0_K", columns: columns) }
    #expect(rw("kaonID > 0.2 && p > 1") == "D0_K_kaonID > 0.2 && D0_K_p > 1")
    #expect(rw("abs(dz) < 2 && M > 1.8 && in_fit") == "abs(D0_K_dz) < 2 && M > 1.8 && in_fit")
    #expect(rw("binaryPID(321, 211) > 0.5") == "D0_K_binaryPID_321_211 > 0.5")
    #expect(rw("binaryPID(321,211)>0.5||kaonID<0") == "D0_K_binaryPID_321_211>0.5||D0_K_kaonID<0")
    #expect(rw("D0_K_p > 1") == "D0_K_p > 1")  // already a column of the track
    #expect(rw("selection && pionID > 0") == "selection && pionID > 0")  // no D0_K_pionID: unchanged
    #expect(rw("((") == "((")
  }
}
