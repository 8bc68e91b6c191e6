import ColumnStore
import Foundation
import TestSupport

@testable import Query

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
