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

  @Test func memoryTableRejectsUnequalLengths() {
    #expect(throws: ColumnStoreError.self) {
      _ = try MemoryTable(columns: [
        (ColumnInfo(name: "a", type: .int32), .int32([1, 2])),
        (ColumnInfo(name: "b", type: .int32), .int32([1])),
      ])
    }
  }
}
