/// An aggregate whose chunks' partials are kept apart instead of merged:
/// what a shard of a sharded run writes. Merging every chunk's partial of
/// every shard in chunk order (`merged(_:)`) repeats exactly the merges of a
/// single run, so the result is the same to the last bit.
public struct ChunkPartials<Inner: Aggregate>: Aggregate {
  public let inner: Inner

  public init(_ inner: Inner) { self.inner = inner }

  /// One chunk's partial, with the row number of its first passing block
  /// (increasing with the chunk).
  public struct Entry: Sendable, Codable {
    public var firstRow: Int
    public var partial: Inner.Partial

    enum CodingKeys: String, CodingKey { case partial, firstRow = "first_row" }
  }

  public var inputs: [String] { inner.inputs }
  public var inputsAsFloat: Bool { inner.inputsAsFloat }
  public var conditions: [String] { inner.conditions }
  public var partialBytes: Int { inner.partialBytes }

  public func makePartial() -> [Entry] { [] }

  public func consume(_ batch: AggregateBatch, into p: inout [Entry]) throws {
    // one partial per chunk: every batch of a chunk comes into the same one
    if p.isEmpty { p = [Entry(firstRow: batch.firstRow, partial: inner.makePartial())] }
    try inner.consume(batch, into: &p[0].partial)
  }

  public func merge(_ other: [Entry], into p: inout [Entry]) { p += other }

  public func finish(_ p: [Entry]) -> [Entry] { p }

  /// The result of all chunks' partials (of every shard), merged in chunk order.
  /// - Throws: what the inner aggregate's merge or finish throws.
  public func merged(_ entries: [Entry]) throws -> Inner.Result {
    var merged = inner.makePartial()
    for e in entries.sorted(by: { $0.firstRow < $1.firstRow }) { try inner.merge(e.partial, into: &merged) }
    return try inner.finish(merged)
  }
}
