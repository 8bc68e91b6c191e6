// Query engine benchmark (not part of any target; not a unit test).
//
// Run:
//   cp Benchmarks/query/QueryBench.swift Tests/QueryTests/_Bench.swift
//   swift build -c release -Xswiftc -enable-testing --build-tests
//   swift test -c release -Xswiftc -enable-testing --skip-build --filter 'Bench|FuzzLong|DeepNot'
//   rm Tests/QueryTests/_Bench.swift
//
// Q1: count `K_kaonID > 0.2 && K_charge > 0 && abs(K_dz) < 4 && K_nCDCHits > 20`
// over 10M in-memory rows (K_kaonID float64 with 0.3% NaN, K_charge int32 ±1,
// K_dz float64, K_nCDCHits int32); Q4: 100-bin histogram of a float64 D0_M in
// [1.8, 1.93). "compute" reads from pre-chunked arrays (no copy); "MemoryTable"
// includes MemoryTable.read's per-chunk copies. Reports wall and process CPU
// time (min and median of 12 runs) and the load average.
import ColumnStore
import ColumnStore
import Foundation
@testable import Query
import Testing

/// Chunks held as separate arrays: read() hands them out without copying.
struct PreChunked: ColumnSource {
  let columns: [ColumnInfo]
  let rowCount: Int
  let chunkRanges: [Range<Int>]
  let chunks: [[String: ColumnBuffer]]
  let stats: [[String: ChunkStatistics]]
  init(_ t: MemoryTable, statistics: Bool) throws {
    columns = t.columns
    rowCount = t.rowCount
    chunkRanges = t.chunkRanges
    chunks = try t.chunkRanges.indices.map { try t.read(columns: t.columns.map(\.name), chunk: $0) }
    stats = statistics ? t.chunkRanges.indices.map { k in Dictionary(uniqueKeysWithValues: t.columns.map { ($0.name, t.statistics(column: $0.name, chunk: k)!) }) } : []
  }
  func statistics(column: String, chunk: Int) -> ChunkStatistics? { stats.isEmpty ? nil : stats[chunk][column] }
  func read(columns names: [String], chunk: Int) throws -> [String: ColumnBuffer] {
    var out: [String: ColumnBuffer] = [:]
    for n in names { out[n] = chunks[chunk][n] }
    return out
  }
}

@Suite struct Bench {
  @Test func q1AndQ4() throws {
    let n = 10_000_000
    var rng = SystemRandomNumberGenerator()
    var s: UInt64 = 12345
    func u() -> Double { s = s &* 6364136223846793005 &+ 1442695040888963407; return Double(s >> 11) / Double(1 << 53) }
    _ = rng
    var kaonID = [Double](repeating: 0, count: n)
    var charge = [Int32](repeating: 0, count: n)
    var dz = [Double](repeating: 0, count: n)
    var hits = [Int32](repeating: 0, count: n)
    var m = [Double](repeating: 0, count: n)
    var kp = [Double](repeating: 0, count: n)
    var cosT = [Double](repeating: 0, count: n)
    var dr = [Double](repeating: 0, count: n)
    var sw = [Double](repeating: 0, count: n)
    for i in 0..<n {
      kaonID[i] = u() < 0.003 ? .nan : u()
      charge[i] = u() < 0.5 ? 1 : -1
      dz[i] = (u() - 0.5) * 12
      hits[i] = Int32(u() * 60)
      kp[i] = 0.3 + u() * 4.5
      cosT[i] = u() * 2 - 1
      dr[i] = u() * 3
      sw[i] = u() * 1.6 - 0.3
      m[i] = u() < 0.6 ? 1.865 + (u() + u() + u() - 1.5) * 0.01 : 1.75 + u() * 0.25
    }
    for chunkRows in [65_536, 262_144] {
      let t = try MemoryTable(columns: [
        (ColumnInfo(name: "K_kaonID", type: .float64), .float64(kaonID)),
        (ColumnInfo(name: "K_charge", type: .int32), .int32(charge)),
        (ColumnInfo(name: "K_dz", type: .float64), .float64(dz)),
        (ColumnInfo(name: "K_nCDCHits", type: .int32), .int32(hits)),
        (ColumnInfo(name: "D0_M", type: .float64), .float64(m)),
        (ColumnInfo(name: "K_p", type: .float64), .float64(kp)),
        (ColumnInfo(name: "K_cosTheta", type: .float64), .float64(cosT)),
        (ColumnInfo(name: "K_dr", type: .float64), .float64(dr)),
        (ColumnInfo(name: "sWeight", type: .float64), .float64(sw)),
      ], chunkRows: chunkRows)
      let pre = try PreChunked(t, statistics: false)
      func time(_ label: String, _ body: () throws -> String) rethrows {
        var times: [Double] = []
        var cpus: [Double] = []
        var r = ""
        func cpu() -> Double {
          var u = rusage()
          getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
          return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3
        }
        for _ in 0..<12 {
          let c0 = cpu()
          let t0 = DispatchTime.now().uptimeNanoseconds
          r = try body()
          times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
          cpus.append(cpu() - c0)
        }
        times.sort()
        cpus.sort()
        var load = ""
        if let l = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) { load = String(l.prefix(4)) }
        print(String(format: "%@ chunk %d: wall min %.2f ms, median %.2f ms; cpu min %.2f ms, median %.2f ms (load %@) -> %@", label, chunkRows, times[0], times[times.count / 2], cpus[0], cpus[cpus.count / 2], load, r))
      }
      let cut = "K_kaonID > 0.2 && K_charge > 0 && abs(K_dz) < 4 && K_nCDCHits > 20"
      for threads in [1, 2] {
        let q = try Query(cut: cut, source: pre)
        try time("Q1 count compute   threads \(threads)") { "\(try q.count(threads: threads).entries)" }
        let q4 = try Query(source: pre)
        let agg = HistogramAggregate("D0_M", try .regular(bins: 100, lower: 1.8, upper: 1.93))
        try time("Q4 hist100 compute threads \(threads)") { "\(try q4.run(agg, threads: threads).entries)" }
        let q2 = HistogramAggregate([
          ("K_p", try .variable([0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4.5])),
          ("K_cosTheta", try .regular(bins: 10, lower: -0.866, upper: 0.9563)),
        ])
        let tot = try Query(cut: "abs(K_dz) < 4 && K_dr < 2", weight: "sWeight", source: pre)
        let pass = try Query(cut: "abs(K_dz) < 4 && K_dr < 2 && K_kaonID > 0.6", weight: "sWeight", source: pre)
        try time("Q2 2x 7x10 weighted compute threads \(threads)") {
          "\(try tot.run(q2, threads: threads).entries) \(try pass.run(q2, threads: threads).entries)"
        }
      }
      let qm = try Query(cut: cut, source: t)
      try time("Q1 count MemoryTable (copying read) threads 2") { "\(try qm.count(threads: 2).entries)" }
    }
  }
}

@Suite struct FuzzLong {
  @Test func million() {
    let t0 = DispatchTime.now().uptimeNanoseconds
    let r = ExpressionFuzzer.run(cases: 1_000_000, seed: 2026)
    print("FUZZ", r, "executed", r.executed, String(format: "in %.1f s", Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9))
    print("FUZZ slowest input:", r.slowestInput.prefix(120))
  }
}

@Suite struct DeepNot {
  @Test func time() throws {
    for d in [30, 60, 120] {
      let text = String(repeating: "!", count: d) + "x"
      let t0 = DispatchTime.now().uptimeNanoseconds
      let b = try Binder(columns: ExpressionFuzzer.columns, aliases: [:])
      _ = try b.bindCondition(text)
      let t1 = DispatchTime.now().uptimeNanoseconds
      var q = try Query(cut: text, weight: text, source: ExpressionFuzzer.table)
      q.blockSize = 16
      _ = try q.run(CountAggregate(), threads: 1)
      let t2 = DispatchTime.now().uptimeNanoseconds
      print("DEEP", d, Double(t1 - t0) / 1e6, "ms bind;", Double(t2 - t1) / 1e6, "ms query")
    }
  }
}
