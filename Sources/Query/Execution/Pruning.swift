import ColumnStore

/// Decides from stored min/max statistics whether a chunk can hold no
/// passing row. Conservative: anything not understood is kept.
enum Pruning {
  /// True when the condition is provably false on every row of the chunk.
  static func canSkip(
    _ cut: BoundExpr, chunk: Int, source: any ColumnSource, columns: [ColumnInfo], equality: FloatEquality
  ) -> Bool {
    func stats(_ e: BoundExpr) -> ChunkStatistics? {
      switch e {
      case .column(_, let name, _): return source.statistics(column: name, chunk: chunk)
      case .cast(.column(_, let name, let storage), _) where storage != .bool:
        return source.statistics(column: name, chunk: chunk)
      default: return nil
      }
    }
    func constant(_ e: BoundExpr) -> Double? {
      if case .constant(let s) = e { return s.double }
      return nil
    }
    /// Whether some non-NaN value in [min, max] (or NaN) can satisfy `v op c`.
    func possible(_ s: ChunkStatistics, _ op: ComparisonOperator, _ c: Double, integer: Bool) -> Bool {
      // Statistics hold integers as Double: beyond 2^53 they are not exact, so keep the chunk.
      if integer, !(Swift.abs(s.min) < 0x1p53 && Swift.abs(s.max) < 0x1p53 && Swift.abs(c) < 0x1p53) {
        return true
      }
      switch op {
      case .less: return s.min < c
      case .lessEqual: return s.min <= c
      case .greater: return s.max > c
      case .greaterEqual: return s.max >= c
      case .equal: return equality == .basf2 || (s.min <= c && c <= s.max)
      case .notEqual: return equality == .basf2 || s.nanCount > 0 || !(s.min == c && s.max == c)
      }
    }
    switch cut {
    case .constant(let s): return !s.truth
    case .and(let xs):
      return xs.contains { canSkip($0, chunk: chunk, source: source, columns: columns, equality: equality) }
    case .or(let xs):
      return xs.allSatisfy { canSkip($0, chunk: chunk, source: source, columns: columns, equality: equality) }
    case .comparison(let xs, let ops):
      // integer-valued columns (uint64 included, which compute as float64) keep the 2^53 guard
      let integer = xs[0].type == .int64 || xs.contains { e in
        switch e {
        case .column(_, _, let storage), .cast(.column(_, _, let storage), _): storage.isInteger
        default: false
        }
      }
      for (k, op) in ops.enumerated() {
        if let s = stats(xs[k]), let c = constant(xs[k + 1]), !possible(s, op, c, integer: integer) { return true }
        if let c = constant(xs[k]), let s = stats(xs[k + 1]), !possible(s, op.flipped, c, integer: integer) {
          return true
        }
      }
      return false
    case .truth(let x):
      if let s = stats(x), s.min == 0, s.max == 0 { return true }
      return false
    case .column(_, let name, .bool):
      if let s = source.statistics(column: name, chunk: chunk), s.max == 0, s.count > 0 { return true }
      return false
    default:
      return false
    }
  }
}
