import Testing
import Foundation
@testable import Toys
import ColumnStore
import Modes
import Numerics

/// Generator speed, only when asked (run in release):
/// `SYSCORR_BENCH=1 [SYSCORR_BENCH_MODE=Dst] swift test -c release --filter ToysTests.GeneratorBenchmark`
@Suite struct GeneratorBenchmark {
  @Test(.enabled(if: ProcessInfo.processInfo.environment["SYSCORR_BENCH"] != nil))
  func speed() throws {
    let only = ProcessInfo.processInfo.environment["SYSCORR_BENCH_MODE"]
    for name in ["Dst", "Lambda0", "KS", "tau3x1"] where only == nil || only == name {
      let g = try SampleGenerator(mode: CalibrationMode.builtin(named: name)!, sample: .mc, seed: 7)
      _ = g.blockColumns(0)
      let n = 16
      func cpu() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
      }
      let t0 = Date()
      let c0 = cpu()
      var total = 0
      for i in 0..<n { total += g.blockColumns(i)[0].1.count }
      let dt = Date().timeIntervalSince(t0)
      let dc = cpu() - c0
      var spare = g.blockColumns(0)
      let c1 = cpu()
      for i in 0..<n {
        let b = g.blockColumns(i, reusing: &spare)
        total += b[0].1.count
        spare = b
      }
      let dr = cpu() - c1
      print("BENCH-REUSE \(name): \(Int(Double(n * 65536) / dr)) rows per CPU-second reusing storage")
      print("BENCH-CPU \(name): \(Int(Double(n * 65536) / dc)) rows per CPU-second; wall \(Int(Double(n * 65536) / dt)) rows/s")
      let t1 = Date()
      for i in 0..<4 { total += g.block(i).rowCount }
      let dt2 = Date().timeIntervalSince(t1)
      print("BENCH \(name): \(Int(Double(n * 65536) / dt)) rows/s blockColumns (\(g.columns.count) cols); \(Int(Double(4 * 65536) / dt2)) rows/s block() incl. MemoryTable stats")
    }
  }
}
