import ColumnStore

/// Gathers the values of expressions for the passing rows, in row order
/// (for export). A bare column keeps its stored type (uint32 `__event__`
/// stays uint32); any other expression gives its bound type: bool, int64
/// or float64.
public struct RowCollector: Aggregate {
  public let inputs: [String]
  public var inputsAsFloat: Bool { false }
  /// Also record each passing row's number in the source.
  public let includeRowNumbers: Bool

  public init(_ expressions: [String], includeRowNumbers: Bool = false) {
    self.inputs = expressions
    self.includeRowNumbers = includeRowNumbers
  }

  /// Gathered values of one expression: native little-endian bytes of
  /// `type` (appending is amortised O(1) whatever the type).
  public struct Values: Sendable, Codable, Equatable {
    public var type: ColumnType
    public var bytes: [UInt8]

    public var count: Int { bytes.count / type.byteWidth }

    public var buffer: ColumnBuffer {
      bytes.withUnsafeBytes { src in
        ColumnBuffer.make(type, count: count) { dst in dst.copyMemory(from: src) }
      }
    }
  }

  public struct Partial: Sendable, Codable, Equatable {
    /// Per input, the gathered values so far (nil before the first row).
    public var values: [Values?]
    public var rowNumbers: [Int64]
  }

  public struct Result: Sendable {
    public var names: [String]
    public var columns: [ColumnBuffer]
    /// Source row numbers of the rows (empty unless requested).
    public var rowNumbers: [Int64]
    public var count: Int { columns.first?.count ?? rowNumbers.count }
  }

  public func makePartial() -> Partial {
    Partial(values: Array(repeating: nil, count: inputs.count), rowNumbers: [])
  }

  /// Appends the values at `rows` of `type`, read from `raw`.
  static func append(
    _ raw: UnsafeRawPointer, _ type: ColumnType, _ rows: UnsafeBufferPointer<Int32>, to values: inout Values?
  ) {
    var v = values ?? Values(type: type, bytes: [])
    values = nil
    let w = type.byteWidth
    let add = rows.count * w
    if v.bytes.capacity < v.bytes.count + add {
      // Room for a whole chunk's blocks at once (4 at the default sizes), then doubling.
      v.bytes.reserveCapacity(Swift.max(v.bytes.count + add, 2 * v.bytes.capacity, 4 * add))
    }
    withUnsafeTemporaryAllocation(byteCount: add, alignment: 8) { tmp in
      let base = tmp.baseAddress!
      switch w {
      case 8: for (j, r) in rows.enumerated() { (base + 8 * j).copyMemory(from: raw + 8 * Int(r), byteCount: 8) }
      case 4: for (j, r) in rows.enumerated() { (base + 4 * j).copyMemory(from: raw + 4 * Int(r), byteCount: 4) }
      default: for (j, r) in rows.enumerated() { (base + w * j).copyMemory(from: raw + w * Int(r), byteCount: w) }
      }
      v.bytes.append(contentsOf: UnsafeRawBufferPointer(tmp))
    }
    values = v
  }

  public func consume(_ batch: AggregateBatch, into p: inout Partial) {
    if includeRowNumbers {
      for r in batch.rows { p.rowNumbers.append(Int64(batch.firstRow + Int(r))) }
    }
    for (k, v) in batch.values.enumerated() {
      switch v {
      case .float64(let x): RowCollector.append(UnsafeRawPointer(x), .float64, batch.rows, to: &p.values[k])
      case .int64(let x): RowCollector.append(UnsafeRawPointer(x), .int64, batch.rows, to: &p.values[k])
      case .bool(let x): RowCollector.append(UnsafeRawPointer(x), .bool, batch.rows, to: &p.values[k])
      case .stored(let type, let raw): RowCollector.append(raw, type, batch.rows, to: &p.values[k])
      }
    }
  }

  public func merge(_ other: Partial, into p: inout Partial) {
    p.rowNumbers += other.rowNumbers
    for k in p.values.indices {
      guard let o = other.values[k] else { continue }
      guard var mine = p.values[k] else {
        p.values[k] = o
        continue
      }
      p.values[k] = nil
      mine.bytes += o.bytes
      p.values[k] = mine
    }
  }

  public func finish(_ p: Partial) -> Result {
    Result(names: inputs, columns: p.values.map { $0?.buffer ?? .float64([]) }, rowNumbers: p.rowNumbers)
  }
}
