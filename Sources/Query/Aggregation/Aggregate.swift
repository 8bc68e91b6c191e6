import ColumnStore

/// The values of one block handed to an aggregate: the passing rows and the
/// values of the weight and of the aggregate's own input expressions.
///
/// All value pointers are indexed by the row within the block; only the
/// rows listed in `rows` are valid.
public struct AggregateBatch {
  /// Passing rows, ascending indices within the block.
  public let rows: UnsafeBufferPointer<Int32>
  /// The weight of each row, or nil when every weight is 1.
  public let weights: UnsafePointer<Double>?
  /// The aggregate's inputs, in the order of `Aggregate.inputs`.
  public let values: [BatchValues]
  /// The truth of each of `Aggregate.conditions`, indexed by block row.
  public let conditions: [UnsafePointer<Bool>]
  /// The row number (within the whole source) of the block's first row.
  public let firstRow: Int
  /// True when `rows` is `0..<rows.count` (every row of the block passes),
  /// so kernels may index values directly.
  public let dense: Bool
}

/// The values of one input expression over one block.
public enum BatchValues {
  case float64(UnsafePointer<Double>)
  case int64(UnsafePointer<Int64>)
  case bool(UnsafePointer<Bool>)
  /// A bare column's stored values (only when `inputsAsFloat` is false).
  case stored(ColumnType, UnsafeRawPointer)

  /// The float64 values (valid when the input was requested as float).
  public var floats: UnsafePointer<Double> {
    if case .float64(let p) = self { return p }
    preconditionFailure("input is not float64")
  }
}

/// A reduction of the passing rows: count, histogram, row collection...
///
/// The engine makes one partial per chunk, consumes that chunk's batches
/// into it, and merges the partials in chunk order; results therefore do not
/// depend on the thread count. Partials are `Codable` so that sharded runs
/// can be merged later.
public protocol Aggregate: Sendable {
  associatedtype Partial: Codable & Sendable
  associatedtype Result

  /// Expressions evaluated on each passing row (histogram axes, exported
  /// columns); may use columns and aliases.
  var inputs: [String] { get }
  /// Whether inputs are delivered as float64 (numbers and bools widened).
  /// When false they keep their bound type (bool, int64 or float64).
  var inputsAsFloat: Bool { get }
  /// Cuts evaluated on each passing row as conditions (a number is true when
  /// non-zero and not NaN), delivered as bools: e.g. an efficiency's pass cuts.
  /// An aggregate wrapping another must forward it with `inputs`.
  var conditions: [String] { get }

  /// Bytes one partial holds before any row (a histogram's bins), checked
  /// against `Query.memoryBudget` before a run allocates one per worker.
  var partialBytes: Int { get }

  /// An empty partial.
  func makePartial() -> Partial
  /// Adds the rows of one block.
  /// - Throws: anything that makes the result meaningless (the query stops
  ///   and rethrows it as a `QueryError` of kind `.aggregate`).
  func consume(_ batch: AggregateBatch, into partial: inout Partial) throws
  /// Adds `other` (the partial of later rows) to `partial`.
  func merge(_ other: Partial, into partial: inout Partial) throws
  /// The result of a complete partial.
  func finish(_ partial: Partial) throws -> Result
}

/// An aggregate whose `merge` has effects outside its partial (a row export
/// writing to a sink): the engine still merges in chunk order, but its
/// partials cannot be computed apart and exchanged (`Query.partial` refuses
/// it). Every other aggregate is a pure, mergeable reducer.
public protocol OrderedAggregate: Aggregate {}

extension Aggregate {
  public var partialBytes: Int { 0 }
  public var inputs: [String] { [] }
  public var inputsAsFloat: Bool { true }
  public var conditions: [String] { [] }
}
