import ColumnStore

/// Receives the passing rows of a `RowStream`, one chunk at a time, in row
/// order. Calls never overlap.
public protocol RowSink: AnyObject, Sendable {
  /// The values of the stream's expressions for the next passing rows.
  func receive(_ columns: [ColumnBuffer]) throws
}

/// Gathers the values of expressions for the passing rows like
/// `RowCollector`, but hands each chunk's rows to a sink as soon as every
/// earlier chunk has been delivered, instead of holding all rows: memory
/// stays bounded by a few chunks whatever the number of passing rows. The
/// engine merges partials in chunk order, so the sink sees the rows in row
/// order for any thread count.
public struct RowStream: OrderedAggregate {
  public let collector: RowCollector
  public let sink: any RowSink

  public init(_ expressions: [String], sink: any RowSink) {
    self.collector = RowCollector(expressions)
    self.sink = sink
  }

  public var inputs: [String] { collector.inputs }
  public var inputsAsFloat: Bool { false }

  public struct Partial: Sendable, Codable, Equatable {
    /// Rows of one chunk not yet delivered.
    public var rows: RowCollector.Partial
    /// Rows delivered so far.
    public var delivered: Int
  }

  public func makePartial() -> Partial { Partial(rows: collector.makePartial(), delivered: 0) }

  public func consume(_ batch: AggregateBatch, into p: inout Partial) {
    collector.consume(batch, into: &p.rows)
  }

  /// Delivers `other` (the next chunk in row order) to the sink.
  /// - Throws: the sink's error (the query then stops and rethrows it).
  public func merge(_ other: Partial, into p: inout Partial) throws {
    let values = other.rows.values
    guard let n = values.compactMap({ $0?.count }).first, n > 0 else { return }
    try sink.receive(values.map { $0!.buffer })
    p.delivered += n
  }

  /// The number of rows delivered.
  public func finish(_ p: Partial) -> Int { p.delivered }
}
