import ColumnStore
import Foundation
import Testing
import TestSupport

@testable import Query

@Suite struct ShardTests {
  /// Shards partition the chunks: contiguous, in order, every chunk once, for any shard count (also more
  /// shards than chunks), and balanced by rows within a chunk.
  @Test func shardsPartitionTheChunks() {
    var r = TestRandom(17)
    for _ in 0..<200 {
      var ranges: [Range<Int>] = []
      var start = 0
      for _ in 0..<(1 + r.below(40)) {
        let n = 1 + r.below(70_000)
        ranges.append(start..<(start + n))
        start += n
      }
      let shards = 1 + r.below(12)
      var next = 0
      for k in 0..<shards {
        let c = Query.shardChunks(k, of: shards, chunkRanges: ranges)
        #expect(c.lowerBound == next)
        next = c.upperBound
        let rows = c.reduce(0) { $0 + ranges[$1].count }
        #expect(rows <= start / shards + 70_000)
      }
      #expect(next == ranges.count)
    }
  }
}
