import ColumnStore

/// The first passing rows of a query, for printing (`query --columns`
/// without `--out`): streams rows in row order and stops reading once
/// `limit` rows are in, so memory and time are bounded by the limit, not by
/// the data.
public struct RowPreview {
  public var columns: [ColumnSpec]
  public var limit: Int

  public init(columns: [ColumnSpec], limit: Int) {
    self.columns = columns
    self.limit = limit
  }

  /// The rows found (at most `limit`), per column, and whether more passing
  /// rows exist beyond them.
  public func run(_ query: Query, threads: Int) throws -> (columns: [ColumnBuffer], more: Bool) {
    // one row past the limit tells whether there are more
    let sink = PreviewSink(keep: limit + 1)
    do {
      _ = try query.run(RowStream(columns.map(\.expression), sink: sink), threads: threads)
    } catch {
      // the sink stops the query on purpose once it has its rows
      guard sink.full else { throw error }
    }
    let kept = sink.rows.first?.count ?? 0
    return (sink.rows.map { $0.slice(0..<min(kept, limit)) }, kept > limit)
  }
}

/// Keeps the first `keep` rows; throws `Enough` to stop the query once it has them.
final class PreviewSink: RowSink, @unchecked Sendable {
  struct Enough: Error {}
  let keep: Int
  var rows: [ColumnBuffer] = []
  var full: Bool { (rows.first?.count ?? 0) == keep }

  init(keep: Int) { self.keep = keep }

  func receive(_ columns: [ColumnBuffer]) throws {
    let have = rows.first?.count ?? 0
    let take = min(columns.first?.count ?? 0, keep - have)
    let parts = columns.map { $0.slice(0..<take) }
    rows = rows.isEmpty ? parts : zip(rows, parts).map { ColumnBuffer.concatenate([$0, $1], type: $0.type) }
    if have + take == keep { throw Enough() }
  }
}
