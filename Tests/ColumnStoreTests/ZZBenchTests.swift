import Testing
import Foundation
@testable import ColumnStore

@Suite struct ZZBench {
  @Test func speed() throws {
    guard ProcessInfo.processInfo.environment["SYSCORR_BENCH"] != nil else { return }
    for name in ["Dst", "Lambda0", "KS", "tau3x1"] {
      let g = try SampleGenerator(mode: CalibrationMode.builtin(named: name)!, sample: .mc, seed: 7)
      _ = g.blockColumns(0)
      let n = 16
      let t0 = Date()
      var total = 0
      for i in 0..<n { total += g.blockColumns(i)[0].1.count }
      let dt = Date().timeIntervalSince(t0)
      let t1 = Date()
      for i in 0..<4 { total += g.block(i).rowCount }
      let dt2 = Date().timeIntervalSince(t1)
      print("BENCH \(name): \(Int(Double(n * 65536) / dt)) rows/s blockColumns (\(g.columns.count) cols); \(Int(Double(4 * 65536) / dt2)) rows/s block() incl. MemoryTable stats")
    }
  }
}
