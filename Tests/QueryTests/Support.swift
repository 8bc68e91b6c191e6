import ColumnStore
import Foundation

@testable import Query

/// SplitMix64, for reproducible random tables and expressions.
struct TestRandom {
  var state: UInt64
  init(_ seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
  mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
  mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
  mutating func chance(_ p: Double) -> Bool { unit() < p }
}

/// A random table with awkward values: NaN, ±inf, -0.0, negatives, repeats.
func randomTable(rows: Int, seed: UInt64, chunkRows: Int = 500) throws -> MemoryTable {
  var r = TestRandom(seed)
  func special(_ d: Double) -> Double {
    switch r.below(40) {
    case 0: return .nan
    case 1: return .infinity
    case 2: return -.infinity
    case 3: return -0.0
    case 4: return 0.0
    case 5: return 1.0
    default: return d
    }
  }
  var f: [Double] = []
  var g: [Double] = []
  var s: [Float] = []
  var n: [Int32] = []
  var m: [Int64] = []
  var b: [Bool] = []
  var u: [UInt8] = []
  for i in 0..<rows {
    // Sorted-ish column so chunk statistics can prune.
    f.append(special((r.unit() - 0.5) * 10 + Double(i) * 0.01))
    g.append(special((r.unit() * 4).rounded() / 2 - 1))
    s.append(Float(special(Double(Float(r.unit() * 3 - 1)))))
    n.append(Int32(r.below(11)) - 5)
    m.append(Int64(r.below(2000)) - 1000 + Int64(i / 100))
    b.append(r.chance(0.4))
    u.append(UInt8(r.below(4)))
  }
  return try MemoryTable(
    columns: [
      (ColumnInfo(name: "f", type: .float64), .float64(f)),
      (ColumnInfo(name: "g", type: .float64), .float64(g)),
      (ColumnInfo(name: "s", type: .float32), .float32(s)),
      (ColumnInfo(name: "n", type: .int32), .int32(n)),
      (ColumnInfo(name: "m", type: .int64), .int64(m)),
      (ColumnInfo(name: "b", type: .bool), .bool(b)),
      (ColumnInfo(name: "u", type: .uint8), .uint8(u)),
    ], chunkRows: chunkRows)
}

/// A one-row table for constant expressions.
func oneRow() throws -> MemoryTable {
  try MemoryTable(columns: [
    (ColumnInfo(name: "x", type: .float64), .float64([2.5])),
    (ColumnInfo(name: "i", type: .int32), .int32([7])),
    (ColumnInfo(name: "Dst_Q", type: .float64), .float64([0.145])),
  ])
}

/// Whether the cut passes on a one-row table.
func holds(_ cut: String, equality: FloatEquality = .exact) throws -> Bool {
  try Query(cut: cut, source: oneRow(), equality: equality).count(threads: 1).entries == 1
}

/// The value of an expression on a one-row table, as a float.
func value(_ expression: String) throws -> Double {
  let r = try Query(source: oneRow()).run(RowCollector([expression]), threads: 1)
  return r.columns[0].double(at: 0)
}

extension Double {
  /// Equal, or both NaN (bit-level sameness is not required for NaN).
  func same(_ o: Double) -> Bool { (isNaN && o.isNaN) || bitPattern == o.bitPattern }
}
