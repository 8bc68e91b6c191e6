import Testing
@testable import ColumnStore

@Suite struct ColumnBufferTests {
  @Test func sliceConcatenateRoundTrip() {
    let a = ColumnBuffer.float32([1, 2, .nan, 4, 5])
    let parts = [a.slice(0..<2), a.slice(2..<5)]
    let joined = ColumnBuffer.concatenate(parts, type: .float32)
    #expect(joined.count == 5)
    #expect(joined.double(at: 3) == 4)
    #expect(joined.double(at: 2).isNaN)
  }

  @Test func statisticsIgnoreNaN() {
    let s = ChunkStatistics(of: .float64([3, .nan, -1, 7, .nan]))
    #expect(s.min == -1 && s.max == 7 && s.nanCount == 2 && s.count == 5)
    let b = ChunkStatistics(of: .bool([true, true]))
    #expect(b.min == 1 && b.max == 1)
  }

  /// The SIMD range kernel against a plain loop: every length around the
  /// vector widths, NaN anywhere (also all-NaN), infinities, both zeros.
  @Test func statisticsKernelMatchesScalarLoop() {
    var state: UInt64 = 7
    func next() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let u = Double(state >> 11) * 0x1p-53
      switch Int(u * 1000) % 23 {
      case 0: return .nan
      case 1: return .infinity
      case 2: return -.infinity
      case 3: return -0.0
      default: return (u - 0.5) * 1e3
      }
    }
    func reference(_ xs: [Double]) -> (Double, Double, Int) {
      let finite = xs.filter { !$0.isNaN }
      return (finite.min() ?? .infinity, finite.max() ?? -.infinity, xs.count - finite.count)
    }
    for n in Array(0...40) + [1000, 4097] {
      let xs = (0..<n).map { _ in next() }
      let (lo, hi, nans) = reference(xs)
      let s = ChunkStatistics(of: .float64(xs))
      #expect(s.min == lo && s.max == hi && s.nanCount == nans && s.count == n, "float64 n=\(n)")
      let fs = xs.map { Float($0) }
      let (flo, fhi, fnans) = reference(fs.map { Double($0) })
      let f = ChunkStatistics(of: .float32(fs))
      #expect(f.min == flo && f.max == fhi && f.nanCount == fnans, "float32 n=\(n)")
    }
    let allNaN = ChunkStatistics(of: .float64(Array(repeating: .nan, count: 9)))
    #expect(allNaN.min == .infinity && allNaN.max == -.infinity && allNaN.nanCount == 9)
  }

  @Test func memoryTableRejectsUnequalLengths() {
    let e = #expect(throws: ColumnStoreError.self) {
      _ = try MemoryTable(columns: [
        (ColumnInfo(name: "a", type: .int32), .int32([1, 2])),
        (ColumnInfo(name: "b", type: .int32), .int32([1])),
      ])
    }
    #expect(e?.kind == .invalidInput)
    #expect(e?.path == "b")
    #expect(e?.message == "columns have unequal lengths: 'a' has 2 rows, 'b' has 1")
  }
}
