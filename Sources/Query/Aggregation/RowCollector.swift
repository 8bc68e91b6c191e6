import ColumnStore

/// Gathers the values of expressions for the passing rows, in row order
/// (for export). Values keep their bound type: bool, int64 or float64.
public struct RowCollector: Aggregate {
  public let inputs: [String]
  public var inputsAsFloat: Bool { false }
  /// Also record each passing row's number in the source.
  public let includeRowNumbers: Bool

  public init(_ expressions: [String], includeRowNumbers: Bool = false) {
    self.inputs = expressions
    self.includeRowNumbers = includeRowNumbers
  }

  /// Gathered values of one expression.
  public enum Values: Sendable, Codable, Equatable {
    case float64([Double])
    case int64([Int64])
    case bool([Bool])

    public var buffer: ColumnBuffer {
      switch self {
      case .float64(let a): .float64(a)
      case .int64(let a): .int64(a)
      case .bool(let a): .bool(a)
      }
    }
  }

  public struct Partial: Sendable, Codable, Equatable {
    public var values: [Values?]
    public var rowNumbers: [Int64]
  }

  public struct Result: Sendable {
    public var names: [String]
    public var columns: [ColumnBuffer]
    /// Source row numbers of the rows (empty unless requested).
    public var rowNumbers: [Int64]
    public var count: Int { rowNumbers.isEmpty ? (columns.first?.count ?? 0) : rowNumbers.count }
  }

  public func makePartial() -> Partial {
    Partial(values: Array(repeating: nil, count: inputs.count), rowNumbers: [])
  }

  public func consume(_ batch: AggregateBatch, into p: inout Partial) {
    if includeRowNumbers {
      for r in batch.rows { p.rowNumbers.append(Int64(batch.firstRow + Int(r))) }
    }
    for (k, v) in batch.values.enumerated() {
      switch v {
      case .float64(let x):
        var a: [Double]
        if case .float64(let old)? = p.values[k] { a = old } else { a = [] }
        p.values[k] = nil
        for r in batch.rows { a.append(x[Int(r)]) }
        p.values[k] = .float64(a)
      case .int64(let x):
        var a: [Int64]
        if case .int64(let old)? = p.values[k] { a = old } else { a = [] }
        p.values[k] = nil
        for r in batch.rows { a.append(x[Int(r)]) }
        p.values[k] = .int64(a)
      case .bool(let x):
        var a: [Bool]
        if case .bool(let old)? = p.values[k] { a = old } else { a = [] }
        p.values[k] = nil
        for r in batch.rows { a.append(x[Int(r)]) }
        p.values[k] = .bool(a)
      }
    }
  }

  public func merge(_ other: Partial, into p: inout Partial) {
    p.rowNumbers += other.rowNumbers
    for k in p.values.indices {
      switch (p.values[k], other.values[k]) {
      case (_, nil): break
      case (nil, let o?): p.values[k] = o
      case (.float64(var a)?, .float64(let b)?): p.values[k] = nil; a += b; p.values[k] = .float64(a)
      case (.int64(var a)?, .int64(let b)?): p.values[k] = nil; a += b; p.values[k] = .int64(a)
      case (.bool(var a)?, .bool(let b)?): p.values[k] = nil; a += b; p.values[k] = .bool(a)
      default: preconditionFailure("mismatched partial types")
      }
    }
  }

  public func finish(_ p: Partial) -> Result {
    Result(names: inputs, columns: p.values.map { $0?.buffer ?? .float64([]) }, rowNumbers: p.rowNumbers)
  }
}
