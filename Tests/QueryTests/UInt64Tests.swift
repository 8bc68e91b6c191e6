import ColumnStore
import Testing

@testable import Query

/// uint64 columns: compared with constants exactly, computed as float64 (numpy's promotion), never wrapped.
@Suite struct UInt64Tests {
  static let values: [UInt64] = [0, 1, 1 << 53, (1 << 53) + 1, UInt64(Int64.max), 1 << 63, (1 << 63) + 1, .max]
  let table = try! MemoryTable(columns: [(ColumnInfo(name: "u", type: .uint64), .uint64(UInt64Tests.values))], chunkRows: 3)

  func count(_ cut: String) throws -> Int { try Query(cut: cut, source: table).count(threads: 2).entries }

  /// Counts over [0, 1, 2^53, 2^53+1, 2^63−1, 2^63, 2^63+1, 2^64−1], worked out by hand.
  @Test(arguments: [
    ("u < 0", 0), ("u < 0.0", 0), ("u >= 0", 8), ("u > -1", 8),
    ("u > 9223372036854775807", 3), ("u >= 9223372036854775807", 4),
    ("u == 9007199254740993", 1), ("u > 9007199254740992", 5), ("u == 9007199254740992.0", 1),
    ("u > 9007199254740992.5", 5),  // that literal is the double 2^53 (its spacing there is 2)
    ("u > 1e19", 1), ("u < 1.8446744073709552e19", 8),  // the double 2^64 lies above every uint64
    ("u != 1", 7), ("1 < u", 6), ("u == 0.5", 0), ("u > 0.5", 7), ("0 < u < 9223372036854775807", 3),
  ])
  func exactAgainstConstants(cut: String, expected: Int) throws {
    #expect(try count(cut) == expected, "\(cut)")
  }

  /// In arithmetic a uint64 is a float64: ordered, not wrapped; histograms put big values where they belong.
  @Test func arithmeticAndHistogramsDoNotWrap() throws {
    #expect(try count("u + 0 > 1e19") == 1)
    #expect(try count("u * 1 < 0") == 0)
    let h = try Query(source: table).run(HistogramAggregate("u", try .regular(bins: 2, lower: 0, upper: 2e19)), threads: 1)
    #expect(h.sumW == [0, 7, 1, 0])  // underflow, [0, 1e19), [1e19, 2e19), overflow
    #expect(try value("1 + 1") == 2)  // the constant folding is untouched
  }

  /// Statistics-based chunk skipping never drops rows that the exact comparison keeps.
  @Test func pruningKeepsBigIntegers() throws {
    let q = try Query(cut: "u > 9007199254740992", source: table)
    #expect(try q.count(threads: 1).entries == q.count(threads: 1).entries)
    #expect(try Query(cut: "u > 9007199254740992", source: table).run(CountAggregate(), useStatistics: true).entries == 5)
  }
}
