import Numerics

/// Counts passing rows: entries, Σw and Σw² (compensated sums).
public struct CountAggregate: Aggregate {
  public struct Partial: Sendable, Codable, Equatable {
    public var entries: Int = 0
    public var sumW = CompensatedSum()
    public var sumW2 = CompensatedSum()
    public init() {}
  }

  public struct Result: Sendable, Codable, Equatable {
    public var entries: Int
    public var sumW: Double
    public var sumW2: Double
  }

  public init() {}

  public func makePartial() -> Partial { Partial() }

  public func consume(_ batch: AggregateBatch, into p: inout Partial) {
    p.entries += batch.rows.count
    guard let w = batch.weights else {
      p.sumW.add(Double(batch.rows.count))
      p.sumW2.add(Double(batch.rows.count))
      return
    }
    for i in batch.rows {
      let x = w[Int(i)]
      p.sumW.add(x)
      p.sumW2.add(x * x)
    }
  }

  public func merge(_ other: Partial, into p: inout Partial) {
    p.entries += other.entries
    p.sumW.add(other.sumW)
    p.sumW2.add(other.sumW2)
  }

  public func finish(_ p: Partial) -> Result {
    Result(entries: p.entries, sumW: p.sumW.value, sumW2: p.sumW2.value)
  }
}
