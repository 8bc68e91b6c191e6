import Foundation

/// A table held in memory, chunked at a fixed row count. Used by tests, by
/// the sample generator and as the staging form of an ingest.
public struct MemoryTable: ColumnSource {
  public let columns: [ColumnInfo]
  public let rowCount: Int
  public let chunkRanges: [Range<Int>]
  private let values: [String: ColumnBuffer]

  /// - Throws: `ColumnStoreError` when columns differ in length or a name repeats.
  public init(columns: [(ColumnInfo, ColumnBuffer)], chunkRows: Int = 65_536) throws {
    var seen = Set<String>()
    for (info, buffer) in columns {
      guard seen.insert(info.name).inserted else {
        throw ColumnStoreError(.invalidInput, path: info.name, "column '\(info.name)' appears twice")
      }
      guard info.type == buffer.type else {
        throw ColumnStoreError(
          .invalidInput, path: info.name,
          "column '\(info.name)' declared \(info.type) but holds \(buffer.type)")
      }
    }
    let rows = columns.first?.1.count ?? 0
    if let bad = columns.first(where: { $0.1.count != rows }) {
      throw ColumnStoreError(
        .invalidInput, path: bad.0.name,
        "columns have unequal lengths: '\(columns[0].0.name)' has \(rows) rows, '\(bad.0.name)' has \(bad.1.count)")
    }
    precondition(chunkRows > 0)
    self.columns = columns.map(\.0)
    self.rowCount = rows
    self.chunkRanges = stride(from: 0, to: rows, by: chunkRows).map { $0..<min($0 + chunkRows, rows) }
    self.values = Dictionary(uniqueKeysWithValues: columns.map { ($0.0.name, $0.1) })
  }

  /// Computed on demand (O(chunk rows)): in-memory tables are mostly
  /// written or scanned once, and most of their statistics are never asked for.
  public func statistics(column: String, chunk: Int) -> ChunkStatistics? {
    values[column].map { ChunkStatistics(of: $0.slice(chunkRanges[chunk])) }
  }

  /// The whole column, without copying chunk by chunk.
  public func buffer(_ name: String) -> ColumnBuffer? { values[name] }

  public func read(columns names: [String], chunk: Int) throws -> [String: ColumnBuffer] {
    var out: [String: ColumnBuffer] = [:]
    for name in names {
      guard let buffer = values[name] else {
        throw ColumnStoreError(.unknownColumn, path: name, "no column '\(name)'")
      }
      out[name] = buffer.slice(chunkRanges[chunk])
    }
    return out
  }
}
