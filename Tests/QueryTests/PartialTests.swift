import ColumnStore
import Foundation
import Numerics
import TestSupport
import Testing

@testable import Query

/// Shards: partials of chunk ranges, exchanged as JSON, merged in order.
@Suite struct PartialTests {
  let table = try! randomTable(rows: 12_000, seed: 11, chunkRows: 700)

  func shards(_ n: Int, of count: Int) -> [Range<Int>] {
    (0..<n).map { k in (k * count / n)..<((k + 1) * count / n) }
  }

  func roundTrip<P: Codable>(_ p: P) throws -> P {
    try PartialCoding.decode(P.self, from: PartialCoding.encode(p))
  }

  @Test func shardedEfficiencyEqualsOneRun() throws {
    let q = try Query(cut: "abs(g) < 2 || n > 0", weight: "f * 0.5 + 3", source: table)
    let agg = EfficiencyAggregate(
      try [("f", .regular(bins: 9, lower: -5, upper: 150)), ("s", .variable([-1, 0, 0.5, 2]))],
      pass: ["n > 1", "s < 0.3"])
    let whole = try q.run(agg, threads: 2)
    for n in [1, 2, 5] {
      let partials = try shards(n, of: q.chunkCount).map { try roundTrip(q.partial(agg, chunks: $0, threads: 2)) }
      let merged = try Query.finish(agg, partials: partials)
      // identical bits; NaN (an empty bin's 0/0) compares as NaN, whatever its sign bit
      func same(_ x: [Double], _ y: [Double]) -> Bool { x.count == y.count && zip(x, y).allSatisfy { $0.same($1) } }
      #expect(same(merged.total.sumW, whole.total.sumW))
      for (a, b) in zip(merged.cuts, whole.cuts) {
        #expect(same(a.pass.sumW2, b.pass.sumW2))
        #expect(same(a.efficiency, b.efficiency))
        #expect(same(a.error, b.error))
      }
    }
    let count = try Query.finish(CountAggregate(), partials: try shards(3, of: q.chunkCount).map {
      try q.partial(CountAggregate(), chunks: $0)
    })
    #expect(count.entries == (try q.count()).entries)
  }

  /// A fit sample's arrays travel packed: every bit back (NaN payloads, −0,
  /// infinities), row numbers in any order and up to ±2^63, and a weighted
  /// and an unweighted partial; corrupt text is a decoding error.
  @Test func packedFitSamplesRoundTripBitForBit() throws {
    var p = FitSampleAggregate.Partial()
    p.rowNumbers = [0, 1, 2, 700, 699, Int64.max, Int64.min, -5, 1 << 40]
    p.values = [1.5, -0.0, .infinity, -.infinity, Double(nan: 0x5a5a, signaling: false), .leastNonzeroMagnitude,
                .greatestFiniteMagnitude, 0.1, 2]
    p.outside = 7
    for weights in [[], [1, 2, 3, -4, 0.5, .nan, 0, -0.0, 1e300]] as [[Double]] {
      p.weights = weights
      let back = try roundTrip(p)
      #expect(back.rowNumbers == p.rowNumbers)
      #expect(back.values.map(\.bitPattern) == p.values.map(\.bitPattern))
      #expect(back.weights.map(\.bitPattern) == p.weights.map(\.bitPattern))
      #expect(back.outside == 7)
    }
    // a sample's rows, increasing: about two characters per row, not the ~8 of decimal text
    var rows = FitSampleAggregate.Partial()
    rows.rowNumbers = (0..<10_000).map { Int64($0 * 3 + 1_000_000) }
    rows.values = Array(repeating: 0.25, count: 10_000)
    let text = try #require(String(data: try PartialCoding.encode(rows), encoding: .utf8))
    #expect(text.count < 10_000 * (2 + 11) + 200)
    #expect(try roundTrip(rows).rowNumbers == rows.rowNumbers)
    for bad in [#"{"row_numbers":"!!","values":"","weights":"","outside":0}"#,
                #"{"row_numbers":"gA==","values":"","weights":"","outside":0}"#,
                #"{"row_numbers":"AA==","values":"AAAA","weights":"","outside":0}"#] {
      #expect(throws: DecodingError.self) { try PartialCoding.decode(FitSampleAggregate.Partial.self, from: Data(bad.utf8)) }
    }
  }

  /// A binned fit's histogram: the bins `BinnedExtendedNLL` makes of the same
  /// events (unweighted: exact counts), outside rows (NaN, ±inf, out of range)
  /// counted apart, and shards merging to the single run's bits (weighted).
  @Test func fitHistogramBinsAsTheBinnedLikelihoodAndShards() throws {
    let agg = FitHistogramAggregate("f", lo: 0, hi: 100, bins: 37, plotBins: 10)
    let q = try Query(cut: "n > -4", source: table)
    let h = try q.run(agg, threads: 3)
    let events = try q.run(FitSampleAggregate("f", lo: 0, hi: 100), threads: 1)
    let reference = BinnedExtendedNLL(data: events.values, range: FitRange(0, 100), bins: 37)
    #expect(h.sumW == reference.counts)
    #expect(h.entries == events.count && h.outside == events.outside && h.outside > 0)
    #expect(h.plotSumW.reduce(0, +) == Double(events.count) && h.plotSumW == h.plotSumW2 && !h.weighted)
    let weighted = try Query(cut: "n > -4", weight: "n * 0.37 + 3.1", source: table)
    let whole = try weighted.run(agg, threads: 2)
    #expect(whole.weighted)
    for n in [2, 5] {
      let partials = try shards(n, of: weighted.chunkCount).map { try roundTrip(weighted.partial(ChunkPartials(agg), chunks: $0)) }
      let merged = try ChunkPartials(agg).merged(partials.flatMap { $0 })
      #expect(merged == whole)
    }
    var foreign = agg.makePartial()
    foreign.sumW = [1, 2]
    var into = agg.makePartial()
    #expect(throws: FitHistogramMismatch.self) { try agg.merge(foreign, into: &into) }
  }

  @Test func orderedAggregatesAndBadRangesAreRefused() throws {
    final class Sink: RowSink { func receive(_ columns: [ColumnBuffer]) throws {} }
    let q = try Query(source: table)
    #expect(throws: QueryError(.invalidArgument, "RowStream writes as it merges: it cannot be run as separate partials")) {
      try q.partial(RowStream(["f"], sink: Sink()), chunks: 0..<1)
    }
    #expect(throws: QueryError(.invalidArgument, "chunks 0..<\(q.chunkCount + 1) lie outside the source's \(q.chunkCount) chunks")) {
      try q.partial(CountAggregate(), chunks: 0..<(q.chunkCount + 1))
    }
  }

  /// A failing sink stops the query and its error reaches the caller.
  @Test func sinkErrorsPropagate() throws {
    struct Full: Error, CustomStringConvertible { var description: String { "disk full" } }
    final class FailingSink: RowSink { func receive(_ columns: [ColumnBuffer]) throws { throw Full() } }
    let q = try Query(source: table)
    do {
      _ = try q.run(RowStream(["f"], sink: FailingSink()), threads: 2)
      Issue.record("no error")
    } catch {
      #expect(error.kind == .aggregate)
      #expect(error.message == "disk full")
    }
  }
}

/// Allocations sized by the user are checked before they are made.
@Suite struct MemoryBudgetTests {
  @Test func hugeHistogramsAreRefusedWithTheirSize() throws {
    let q = try Query(source: try randomTable(rows: 100, seed: 1))
    let axis = try HistogramAxis.regular(bins: 100_000, lower: 0, upper: 1)
    #expect {
      try q.run(HistogramAggregate([("f", axis), ("g", axis)]), threads: 2)
    } throws: { e in
      let m = (e as? QueryError)?.message ?? ""
      return m.hasPrefix("the histogram needs 320.0 GB per thread (2 copies)") && m.hasSuffix("use fewer bins or --threads 1")
    }
    #expect(throws: QueryError(.invalidArgument, "1000000000000 bins on one axis is more than the 10,000,000 a histogram may have")) {
      try HistogramAxis.regular(bins: 1_000_000_000_000, lower: 0, upper: 1)
    }
    // a reasonable one still runs
    #expect(try q.run(HistogramAggregate("f", try .regular(bins: 1000, lower: -5, upper: 5)), threads: 2).entries == 100)
  }
}
