import ColumnStore
import Foundation
import Testing
import TestSupport

@testable import Query

@Suite struct SelectionHistogramsAggregateTests {
  /// Two tracks, an empty selection and a selection per track: every bin equals a direct loop, for
  /// 1 and 2 threads, and a partial survives the exchange format and merges as the engine merges.
  @Test func sumsMatchARowLoopAndPartialsMerge() throws {
    var r = TestRandom(7)
    let n = 20_000
    var cols: [String: [Double]] = [:]
    for t in ["a", "b"] {
      cols["\(t)_x"] = (0..<n).map { i in i % 101 == 0 ? .nan : r.unit() * 4 - 0.5 }
      cols["\(t)_q"] = (0..<n).map { _ in r.unit() < 0.5 ? -1 : 1 }
    }
    cols["w"] = (0..<n).map { _ in r.unit() * 1.4 - 0.2 }
    cols["m"] = (0..<n).map { _ in r.unit() }
    let table = try MemoryTable(
      columns: cols.keys.sorted().map { (ColumnInfo(name: $0, type: .float64), .float64(cols[$0]!)) }, chunkRows: 2500)
    let axis = try HistogramAxis.regular(bins: 7, lower: 0, upper: 3.5)
    let agg = SelectionHistogramsAggregate(
      axis: axis, tracks: ["a", "b"].map { .init(expression: "\($0)_x", selections: ["", "\($0)_q > 0"]) })
    #expect(agg.conditions == ["a_q > 0", "b_q > 0"])
    let q = try Query(cut: "m < 0.8", weight: "w", source: table)
    let one = try q.run(agg, threads: 1)
    let two = try q.run(agg, threads: 2)
    #expect(one == two)
    #expect(one.tracks == 2 * cols["m"]!.filter { $0 < 0.8 }.count)
    for (k, positive) in [false, true].enumerated() {
      var sw = [Double](repeating: 0, count: axis.extent), sw2 = sw
      var entries = 0
      for i in 0..<n where cols["m"]![i] < 0.8 {
        for t in ["a", "b"] where !positive || cols["\(t)_q"]![i] > 0 {
          let b = axis.index(cols["\(t)_x"]![i])
          let w = cols["w"]![i]
          sw[b] += w
          sw2[b] += w * w
          entries += 1
        }
      }
      let h = one.histograms[k]
      #expect(h.entries == entries)
      for b in 0..<axis.extent {
        #expect(abs(h.sumW[b] - sw[b]) <= 1e-9 * max(1, abs(sw[b])))
        #expect(abs(h.sumW2[b] - sw2[b]) <= 1e-9 * max(1, sw2[b]))
      }
    }
  }

  @Test func partialsRoundTripAndMerge() throws {
    let axis = try HistogramAxis.variable([0, 1, 2, 4])
    let agg = SelectionHistogramsAggregate(axis: axis, tracks: [.init(expression: "x", selections: ["", "x > 1"])])
    let table = try MemoryTable(columns: [(ColumnInfo(name: "x", type: .float64), .float64([0.5, 1.5, 3, 9, -1, .nan, 1.5]))], chunkRows: 3)
    let whole = try Query(source: table).run(agg, threads: 1)
    #expect(whole.histograms[0].sumW == [1, 1, 2, 1, 2])  // underflow, 3 bins, overflow (9 and NaN)
    #expect(whole.histograms[1].sumW == [0, 0, 2, 1, 1])
    var p = agg.makePartial()
    var q = agg.makePartial()
    p.histograms[0].sumW[1] = 2
    q.histograms[0].sumW[1] = 3
    q.tracks = 4
    let decoded = try PartialCoding.decode(SelectionHistogramsAggregate.Partial.self, from: try PartialCoding.encode(q))
    #expect(decoded == q)
    agg.merge(decoded, into: &p)
    #expect(agg.finish(p).histograms[0].sumW[1] == 5)
    #expect(agg.finish(p).tracks == 4)
  }
}
