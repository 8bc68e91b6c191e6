import ColumnStore

/// A random table with awkward values: NaN, ±inf, -0.0, negatives, repeats.
public func randomTable(rows: Int, seed: UInt64, chunkRows: Int = 500) throws -> MemoryTable {
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

