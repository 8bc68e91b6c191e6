import Foundation
import Numerics

/// Gathers what an unbinned mass fit needs from the passing rows: the value
/// of the fit variable inside the fit range [lo, hi], the row's weight, and
/// its row number (so that sWeights can be written back row by row).
/// Partials concatenate in chunk order, so the sample is the same for any
/// thread count and any sharding.
public struct FitSampleAggregate: Aggregate {
  public let expression: String
  public let lo: Double
  public let hi: Double

  public init(_ expression: String, lo: Double, hi: Double) {
    self.expression = expression
    self.lo = lo
    self.hi = hi
  }

  public var inputs: [String] { [expression] }

  public struct Partial: Sendable, Codable, Equatable {
    public var rowNumbers: [Int64] = []
    public var values: [Double] = []
    /// Empty when every weight is 1.
    public var weights: [Double] = []
    /// Passing rows whose value lies outside the range (or is NaN).
    public var outside = 0

    public init() {}

    // the arrays packed (`PackedArray`): a shard of a fit sends every selected row
    enum CodingKeys: String, CodingKey { case rowNumbers = "row_numbers", values, weights, outside }

    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      rowNumbers = try PackedArray.decodeDeltas(try c.decode(String.self, forKey: .rowNumbers), codingPath: c.codingPath)
      values = try PackedArray.decodeDoubles(try c.decode(String.self, forKey: .values), codingPath: c.codingPath)
      weights = try PackedArray.decodeDoubles(try c.decode(String.self, forKey: .weights), codingPath: c.codingPath)
      outside = try c.decode(Int.self, forKey: .outside)
      guard rowNumbers.count == values.count, weights.isEmpty || weights.count == values.count else {
        throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "a fit sample's arrays differ in length"))
      }
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(PackedArray.encodeDeltas(rowNumbers), forKey: .rowNumbers)
      try c.encode(PackedArray.encode(values), forKey: .values)
      try c.encode(PackedArray.encode(weights), forKey: .weights)
      try c.encode(outside, forKey: .outside)
    }
  }

  /// The fit sample.
  public struct Result: Sendable, Equatable {
    public var rowNumbers: [Int64]
    public var values: [Double]
    /// Nil when every weight is 1.
    public var weights: [Double]?
    /// Passing rows left out: value outside [lo, hi] or NaN.
    public var outside: Int
    public var count: Int { values.count }

    /// A sample made elsewhere (toys, another reader).
    public init(rowNumbers: [Int64], values: [Double], weights: [Double]?, outside: Int) {
      self.rowNumbers = rowNumbers
      self.values = values
      self.weights = weights
      self.outside = outside
    }
  }

  public func makePartial() -> Partial { Partial() }

  public func consume(_ batch: AggregateBatch, into p: inout Partial) {
    let x = batch.values[0].floats
    let weighted = batch.weights != nil || !p.weights.isEmpty
    if weighted && p.weights.count < p.values.count {
      p.weights += Array(repeating: 1, count: p.values.count - p.weights.count)
    }
    for r in batch.rows {
      let v = x[Int(r)]
      guard v >= lo && v <= hi else {
        p.outside += 1
        continue
      }
      p.rowNumbers.append(Int64(batch.firstRow + Int(r)))
      p.values.append(v)
      if weighted { p.weights.append(batch.weights?[Int(r)] ?? 1) }
    }
  }

  public func merge(_ other: Partial, into p: inout Partial) {
    let weighted = !p.weights.isEmpty || !other.weights.isEmpty
    if weighted && p.weights.count < p.values.count {
      p.weights += Array(repeating: 1, count: p.values.count - p.weights.count)
    }
    p.rowNumbers += other.rowNumbers
    p.values += other.values
    if weighted {
      p.weights += other.weights.isEmpty ? Array(repeating: 1, count: other.values.count) : other.weights
    }
    p.outside += other.outside
  }

  public func finish(_ p: Partial) -> Result {
    Result(rowNumbers: p.rowNumbers, values: p.values, weights: p.weights.isEmpty ? nil : p.weights, outside: p.outside)
  }
}
