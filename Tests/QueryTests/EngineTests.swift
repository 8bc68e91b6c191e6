import TestSupport
import ColumnStore
import Foundation
import Testing

@testable import Query

@Suite struct EngineTests {
  @Test func threadCountDoesNotChangeResults() throws {
    let table = try randomTable(rows: 20_000, seed: 7, chunkRows: 777)
    let q = try Query(cut: "abs(g) < 2 && n != 0 || f > 30", weight: "f * 1e3 + s", source: table)
    let reference = try q.run(CountAggregate(), threads: 1)
    let axes = try [("f", HistogramAxis.regular(bins: 17, lower: -5, upper: 150)), ("s", .variable([-1, 0, 0.5, 2]))]
    let h1 = try q.run(HistogramAggregate(axes), threads: 1)
    for threads in [2, 3, 4, 7, 16] {
      let c = try q.run(CountAggregate(), threads: threads)
      #expect(c.entries == reference.entries)
      #expect(c.sumW.bitPattern == reference.sumW.bitPattern)
      #expect(c.sumW2.bitPattern == reference.sumW2.bitPattern)
      let h = try q.run(HistogramAggregate(axes), threads: threads)
      #expect(h.sumW.map(\.bitPattern) == h1.sumW.map(\.bitPattern))
      #expect(h.sumW2.map(\.bitPattern) == h1.sumW2.map(\.bitPattern))
      let rows = try q.run(RowCollector(["f", "n"], includeRowNumbers: true), threads: threads)
      #expect(rows.count == reference.entries)
      #expect(rows.rowNumbers == rows.rowNumbers.sorted())
    }
  }

  @Test func weightedCountMatchesDirectSum() throws {
    let table = try randomTable(rows: 5000, seed: 3)
    let q = try Query(cut: "f > 0 && g < 1", weight: "s", source: table)
    let c = try q.count()
    let f = table.buffer("f")!.doubles
    let g = table.buffer("g")!.doubles
    let s = table.buffer("s")!.doubles
    var n = 0
    var sw = 0.0
    var sw2 = 0.0
    for i in f.indices where f[i] > 0 && g[i] < 1 {
      n += 1
      sw += s[i]
      sw2 += s[i] * s[i]
    }
    #expect(c.entries == n)
    #expect(Swift.abs(c.sumW - sw) <= 1e-9 * Swift.max(1, Swift.abs(sw)) || (c.sumW.isNaN && sw.isNaN))
    #expect(Swift.abs(c.sumW2 - sw2) <= 1e-9 * Swift.max(1, Swift.abs(sw2)) || (c.sumW2.isNaN && sw2.isNaN))
  }

  @Test func compensatedSumIsAccurate() throws {
    // 1e16 + many 1.0 - 1e16: naive summation loses every 1.0.
    var w = [1e16]
    w += Array(repeating: 1.0, count: 10_000)
    w.append(-1e16)
    let t = try MemoryTable(columns: [(ColumnInfo(name: "w", type: .float64), .float64(w))], chunkRows: 1000)
    let c = try Query(weight: "w", source: t).count(threads: 2)
    #expect(c.sumW == 10_000)
  }

  @Test func histogramBinningFollowsBoost() throws {
    let x: [Double] = [-1, 0, 0.1, 0.25, 0.5, 0.99999, 1, 2, .nan, .infinity, -.infinity, 0.75]
    let t = try MemoryTable(columns: [
      (ColumnInfo(name: "x", type: .float64), .float64(x)),
      (ColumnInfo(name: "w", type: .float32), .float32(Array(repeating: 2, count: x.count))),
    ], chunkRows: 5)
    let h = try Query(weight: "w", source: t).run(HistogramAggregate("x", .regular(bins: 4, lower: 0, upper: 1)))
    // underflow: -1, -inf; [0,.25): 0, 0.1; [.25,.5): .25; [.5,.75): .5; [.75,1): .99999, .75; overflow: 1, 2, nan, inf
    #expect(h.sumW == [4, 4, 2, 2, 4, 8])
    #expect(h.sumW2 == [8, 8, 4, 4, 8, 16])
    #expect(h.entries == x.count)
    let v = try Query(source: t).run(HistogramAggregate("x", .variable([0, 0.1, 1])))
    #expect(v.sumW == [2, 1, 5, 4])
  }

  @Test func regularAxisEdgesAgreeWithBoostFormula() throws {
    // Values on and next to every edge, for awkward ranges; the vectorized
    // kernel must agree with boost's scalar formula (HistogramAxis.index).
    for (n, lo, hi) in [(100, 1.8, 1.93), (7, -0.866, 0.9563), (3, 0.1, 0.7), (1000, -1e-3, 1e-3)] {
      let axis = try HistogramAxis.regular(bins: n, lower: lo, upper: hi)
      var xs: [Double] = [.nan, .infinity, -.infinity, -0.0, 0.0, hi.nextDown, hi, lo, lo.nextDown, lo.nextUp]
      for k in 0...n {
        let e = lo + (hi - lo) * Double(k) / Double(n)
        xs += [e, e.nextUp, e.nextDown]
      }
      let t = try MemoryTable(columns: [(ColumnInfo(name: "x", type: .float64), .float64(xs))], chunkRows: 64)
      let h = try Query(source: t).run(HistogramAggregate("x", axis), threads: 2)
      var expected = [Double](repeating: 0, count: n + 2)
      for x in xs {
        let z = (x - lo) / (hi - lo)
        let k = z < 1 ? (z >= 0 ? Int(z * Double(n)) + 1 : 0) : n + 1
        #expect(axis.index(x) == k)
        expected[k] += 1
      }
      #expect(h.sumW == expected, "\(n) bins in [\(lo), \(hi))")
      // With a cut that drops some rows (indexed path) too.
      let hc = try Query(cut: "x == x", source: t).run(HistogramAggregate("x", axis), threads: 1)
      expected[n + 1] -= 1  // the NaN
      #expect(hc.sumW == expected)
    }
  }

  @Test func variableAxisAgreesWithLinearSearch() throws {
    var r = TestRandom(77)
    for count in [2, 5, 33, 50, 64, 65, 200] {  // counting kernel up to 64 edges, binary search above
      var edges = Set<Double>()
      while edges.count < count { edges.insert((r.unit() * 400).rounded() / 64 - 3) }
      let sorted = edges.sorted()
      let axis = try HistogramAxis.variable(sorted)
      var xs: [Double] = [.nan, .infinity, -.infinity, -0.0]
      for e in sorted { xs += [e, e.nextUp, e.nextDown] }
      for _ in 0..<200 { xs.append(r.unit() * 6 - 3) }
      var expected = [Double](repeating: 0, count: count + 1)
      for x in xs {
        let k = x.isNaN ? count : sorted.filter { $0 <= x }.count  // 0 underflow ... count overflow
        #expect(axis.index(x) == k)
        expected[k] += 1
      }
      let t = try MemoryTable(columns: [(ColumnInfo(name: "x", type: .float64), .float64(xs))], chunkRows: 50)
      #expect(try Query(source: t).run(HistogramAggregate("x", axis)).sumW == expected, "\(count) edges")
      let cut = try Query(cut: "x != 0.123", source: t).run(HistogramAggregate("x", axis)).sumW
      #expect(cut == expected, "\(count) edges, indexed path")
    }
  }

  @Test func histogramMatchesDirectBinning() throws {
    let table = try randomTable(rows: 10_000, seed: 21)
    let axis = try HistogramAxis.regular(bins: 100, lower: -5, upper: 95)
    let h = try Query(cut: "n >= 0", source: table).run(HistogramAggregate("f", axis), threads: 2)
    var expected = [Double](repeating: 0, count: 102)
    let f = table.buffer("f")!.doubles
    let n = table.buffer("n")!.doubles
    for i in f.indices where n[i] >= 0 {
      let x = f[i]
      let k: Int
      if x.isNaN || x >= 95 { k = 101 } else if x < -5 { k = 0 } else { k = Int((x + 5) / 100 * 100) + 1 }
      expected[k] += 1
    }
    #expect(h.sumW == expected)
  }

  @Test func twoDimensionalHistogram() throws {
    let t = try MemoryTable(columns: [
      (ColumnInfo(name: "p", type: .float64), .float64([0.6, 1.5, 4.0, 5.0, 0.1])),
      (ColumnInfo(name: "c", type: .int32), .int32([0, 1, 1, -1, 0])),
    ])
    let h = try Query(source: t).run(
      HistogramAggregate([("p", .variable([0.5, 1, 2, 4.5])), ("c", .regular(bins: 2, lower: 0, upper: 2))]))
    #expect(h.sumW.count == 5 * 4)
    #expect(h.sumW[h.flatIndex([1, 1])] == 1)  // p 0.6, c 0
    #expect(h.sumW[h.flatIndex([2, 2])] == 1)  // p 1.5, c 1
    #expect(h.sumW[h.flatIndex([3, 2])] == 1)  // p 4.0, c 1
    #expect(h.sumW[h.flatIndex([4, 0])] == 1)  // p 5.0 overflow, c -1 underflow
    #expect(h.sumW[h.flatIndex([0, 1])] == 1)  // p 0.1 underflow, c 0
    #expect(h.sumW.reduce(0, +) == 5)
  }

  @Test func rowCollectorKeepsOrderAndTypes() throws {
    let table = try randomTable(rows: 3000, seed: 8, chunkRows: 128)
    let r = try Query(cut: "b && m > 0", source: table).run(
      RowCollector(["m", "f * 2", "n > 0"], includeRowNumbers: true), threads: 3)
    let b = table.buffer("b")!
    let m = table.buffer("m")!.doubles
    let f = table.buffer("f")!.doubles
    let expected = (0..<3000).filter { b.double(at: $0) == 1 && m[$0] > 0 }
    #expect(r.rowNumbers == expected.map(Int64.init))
    #expect(r.columns[0] == .int64(expected.map { Int64(m[$0]) }))
    #expect(r.columns[1].doubles.map(\.bitPattern) == expected.map { (f[$0] * 2).bitPattern })
    #expect(r.columns[2].type == .bool)
    // Bare columns keep their stored type.
    let typed = try Query(cut: "b && m > 0", source: table).run(RowCollector(["n", "u", "s", "b", "n + 0"]), threads: 2)
    #expect(typed.columns.map(\.type) == [.int32, .uint8, .float32, .bool, .int64])
    func bytes(_ b: ColumnBuffer) -> [UInt8] { b.withUnsafeBytes { Array($0) } }
    #expect(typed.columns[0] == table.buffer("n")!.gather(expected))
    #expect(bytes(typed.columns[2]) == bytes(table.buffer("s")!.gather(expected)))
  }

  @Test func aliasesAndMetavariables() throws {
    let t = try MemoryTable(columns: [
      (ColumnInfo(name: "K_p", type: .float64), .float64([1, 2, 3, 4])),
      (ColumnInfo(name: "K_binaryPID_321_211", type: .float64), .float64([0.1, 0.9, 0.95, 0.2])),
      (ColumnInfo(name: "useCMSFrame__bop__bc", type: .float64), .float64([5, 5, 5, 1])),
    ])
    let aliases = ["pp": "K_p * 2", "big": "pp > 3", "pid": "K_binaryPID(321, 211)"]
    #expect(try Query(cut: "big && pid > 0.5", aliases: aliases, source: t).count().entries == 2)
    #expect(try Query(cut: "useCMSFrame(p) > 2", source: t).count().entries == 3)
    #expect(try Query(cut: "K_binaryPID(321,211) > 0.5", source: t).count().entries == 2)
    let q = try Query(cut: "big", aliases: aliases, source: t)
    #expect(q.columnsRead == ["K_p"])
  }

  @Test func partialsSerializeAndMergeAcrossShards() throws {
    let table = try randomTable(rows: 4000, seed: 12, chunkRows: 300)
    let agg = HistogramAggregate("g", try .regular(bins: 8, lower: -2, upper: 2))
    let whole = try Query(cut: "f > 1", weight: "s", source: table).run(agg)
    // Two shards (first and second half of the rows), partials through JSON.
    func shard(_ range: Range<Int>) throws -> HistogramAggregate.Partial {
      let cols = try table.columns.map { c in (c, table.buffer(c.name)!.slice(range)) }
      let sub = try MemoryTable(columns: cols, chunkRows: 300)
      var p = agg.makePartial()
      let q = try Query(cut: "f > 1", weight: "s", source: sub)
      let r = try q.run(PartialOf(agg), threads: 2)
      let enc = JSONEncoder()
      enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
      let dec = JSONDecoder()
      dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
      p = try dec.decode(HistogramAggregate.Partial.self, from: enc.encode(r))
      return p
    }
    var merged = try shard(0..<2100)
    agg.merge(try shard(2100..<4000), into: &merged)
    let result = agg.finish(merged)
    #expect(result.entries == whole.entries)
    for (a, b) in zip(result.sumW, whole.sumW) {
      #expect((a.isNaN && b.isNaN) || Swift.abs(a - b) <= 1e-12 * Swift.max(1, Swift.abs(b)))
    }
  }

  @Test func explainNamesColumnsChunksAndPlan() throws {
    let table = try MemoryTable(columns: [
      (ColumnInfo(name: "f", type: .float64), .float64((0..<2000).map { Double($0) / 100 })),
      (ColumnInfo(name: "g", type: .float64), .float64((0..<2000).map { Double($0 % 7) })),
    ], chunkRows: 100)
    let q = try Query(cut: "sqrt(abs(g)) < 1 && f > 15", source: table)
    let text = q.explain(threads: 2)
    #expect(text.contains("columns read (2): g [float64], f [float64]"))
    #expect(text.contains("chunks: 20 total"))
    #expect(text.contains("threads: 2"))
    // The cheap conjunct runs first.
    let plan = text.components(separatedBy: "plan:")[1]
    #expect(plan.range(of: "column f")!.lowerBound < plan.range(of: "sqrt")!.lowerBound)
    let skipped = Int(text.components(separatedBy: "total, ")[1].components(separatedBy: " ")[0])!
    #expect(skipped == 15)
    #expect(try q.count().entries == (1501..<2000).filter { $0 % 7 == 0 }.count)
    #expect(text.contains("block: 16384 rows"))
    // An expression that aliases blow up to thousands of nodes gets smaller blocks (bounded scratch
    // memory) and the same result.
    var aliases = ["a0": "f + g"]
    for k in 1...12 { aliases["a\(k)"] = "a\(k - 1) + a\(k - 1) * 0.5" }
    let big = try Query(cut: "a12 > 1000", aliases: aliases, source: table)
    let block = Int(big.explain(threads: 1).components(separatedBy: "block: ")[1].components(separatedBy: " ")[0])!
    #expect(block < 16384 && block >= 256)
    func a12(_ i: Int) -> Double { (0..<12).reduce(Double(i) / 100 + Double(i % 7)) { v, _ in v + v * 0.5 } }
    #expect(try big.count().entries == (0..<2000).filter { a12($0) > 1000 }.count)
  }

  @Test func sourceErrorsAreReported() throws {
    struct Broken: ColumnSource {
      var columns: [ColumnInfo] { [ColumnInfo(name: "x", type: .float64)] }
      var rowCount: Int { 10 }
      var chunkRanges: [Range<Int>] { [0..<5, 5..<10] }
      func statistics(column: String, chunk: Int) -> ChunkStatistics? { nil }
      func read(columns: [String], chunk: Int) throws -> [String: ColumnBuffer] {
        if chunk == 1 { throw ColumnStoreError(.io, path: "x", "disk on fire") }
        return ["x": .float64(Array(repeating: 1, count: 5))]
      }
    }
    #expect(throws: QueryError(.source, "reading chunk 1: disk on fire")) {
      try Query(cut: "x > 0", source: Broken()).count(threads: 2)
    }
  }

  @Test func fuzzShortRun() {
    let report = ExpressionFuzzer.run(cases: 20_000, seed: 42)
    #expect(report.cases == 20_000)
    #expect(report.parsed > 1000)
    #expect(report.bound > 500)
    #expect(report.slowestSeconds < 1)
  }
}

/// Returns the raw merged partial, to test serialisation of sharded runs.
struct PartialOf<A: Aggregate>: Aggregate {
  let base: A
  init(_ base: A) { self.base = base }
  var inputs: [String] { base.inputs }
  var inputsAsFloat: Bool { base.inputsAsFloat }
  var conditions: [String] { base.conditions }
  func makePartial() -> A.Partial { base.makePartial() }
  func consume(_ batch: AggregateBatch, into partial: inout A.Partial) throws { try base.consume(batch, into: &partial) }
  func merge(_ other: A.Partial, into partial: inout A.Partial) throws { try base.merge(other, into: &partial) }
  func finish(_ partial: A.Partial) -> A.Partial { partial }
}

@Suite struct ChainTests {
  @Test func middleOperandIsEvaluatedOncePerBlock() throws {
    let t = try randomTable(rows: 1000, seed: 4)
    let binder = try Binder(columns: t.columns)
    let cut = try #require(try binder.bindCondition("-1 < sqrt(abs(f)) * 2 < 3"))
    let node = Compiler.compile(cut, capacity: 256, equality: .exact)
    let chain = try #require(node as? ComparisonNode)
    let memo = try #require(chain.operands[1] as? MemoNode)
    var passed = 0
    let buffers = binder.usedColumns.map { t.buffer($0.name)! }
    withBaseAddresses(buffers) { bases in
      let ctx = BlockContext(storage: binder.usedColumns.map(\.type))
      let out = UnsafeMutablePointer<Int32>.allocate(capacity: 256)
      defer { out.deallocate() }
      for start in stride(from: 0, to: 1000, by: 256) {
        ctx.pointers[0] = bases[0] + start * 8
        passed += chain.select(ctx, .all(Swift.min(256, 1000 - start)), into: out)
      }
    }
    #expect(memo.evaluations == 4)  // once per block, not twice
    let f = t.buffer("f")!.doubles
    #expect(passed == f.filter { -1 < ($0.magnitude).squareRoot() * 2 && ($0.magnitude).squareRoot() * 2 < 3 }.count)
  }
}
