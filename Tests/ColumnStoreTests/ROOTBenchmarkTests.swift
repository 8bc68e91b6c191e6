import Foundation
import Testing
@testable import ColumnStore

/// Read throughput, on demand: `ROOT_BENCH=1 swift test -c release --filter ROOTBenchmark`.
@Suite struct ROOTBenchmarkTests {
  @Test(.enabled(if: ProcessInfo.processInfo.environment["ROOT_BENCH"] != nil))
  func throughput() throws {
    for rel in ["vars_zlib.root", "vars_zstd.root", "vars_lz4.root", "vars_smallbaskets_zlib.root", "vars_multiblock_zlib.root"] {
      let path = ROOTTestFiles.path(rel)
      let repeats = 20
      var decoded = 0
      let start = Date()
      for _ in 0..<repeats {
        let file = try ROOTFile(path: path)
        let tree = try file.tree()
        let names = tree.columns.map(\.name)
        for chunk in tree.chunkRanges.indices {
          for (_, b) in try tree.read(columns: names, chunk: chunk) { decoded += b.count * b.type.byteWidth }
        }
      }
      let seconds = Date().timeIntervalSince(start)
      let fileBytes = try ROOTFile(path: path).fileSize * repeats
      print(
        "\(rel): \(String(format: "%.0f", Double(decoded) / seconds / 1e6)) MB/s decoded, "
          + "\(String(format: "%.0f", Double(fileBytes) / seconds / 1e6)) MB/s of file "
          + "(\(repeats) x open + read all, \(String(format: "%.3f", seconds / Double(repeats))) s each)")
    }
  }
}
