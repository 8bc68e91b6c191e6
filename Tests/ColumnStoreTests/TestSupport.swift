import ColumnStore
import Foundation

/// A fresh directory under the system temp dir, removed by `cleanup()`.
struct TemporaryDirectory {
  let path: String

  init() {
    path = NSTemporaryDirectory() + "syscorr-test-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func file(_ name: String) -> String { path + "/" + name }

  func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// A deterministic pseudo-random sequence for test data (the generator's splitmix64).
struct TestRandom {
  private var source: SplitMix64

  init(state: UInt64) { source = SplitMix64(seed: state) }

  mutating func next() -> UInt64 { source.next() }

  mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
}
