/// The smallest and largest value of each input over the passing rows (NaN
/// skipped): e.g. the box a density grid spans when none is given.
public struct ValueRangeAggregate: Aggregate {
  public let inputs: [String]

  public init(_ expressions: [String]) { inputs = expressions }

  public struct Partial: Sendable, Codable, Equatable {
    /// Per input; +∞/−∞ while no finite value was seen.
    public var lower: [Double]
    public var upper: [Double]
  }

  public func makePartial() -> Partial {
    Partial(lower: inputs.map { _ in .infinity }, upper: inputs.map { _ in -.infinity })
  }

  public func consume(_ batch: AggregateBatch, into p: inout Partial) {
    let rows = batch.rows
    for (j, v) in batch.values.enumerated() {
      let x = v.floats
      var lo = p.lower[j], hi = p.upper[j]
      for e in 0..<rows.count {
        let value = x[batch.dense ? e : Int(rows[e])]
        // NaN fails both comparisons; ±∞ are kept out (a box must be finite)
        if value.isFinite {
          lo = Swift.min(lo, value)
          hi = Swift.max(hi, value)
        }
      }
      p.lower[j] = lo
      p.upper[j] = hi
    }
  }

  public func merge(_ other: Partial, into p: inout Partial) {
    for j in p.lower.indices {
      p.lower[j] = Swift.min(p.lower[j], other.lower[j])
      p.upper[j] = Swift.max(p.upper[j], other.upper[j])
    }
  }

  /// Per input (lower, upper); nil where no finite value was seen.
  public func finish(_ p: Partial) -> [(lower: Double, upper: Double)?] {
    zip(p.lower, p.upper).map { $0 <= $1 ? ($0, $1) : nil }
  }
}
