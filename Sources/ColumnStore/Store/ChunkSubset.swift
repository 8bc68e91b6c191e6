/// A contiguous run of another source's chunks, read as a source of its own
/// (rows numbered from 0): what one shard of a row-writing command (`export`,
/// `multitrack`, `kde resample`) reads. `firstRow` is its first row's number
/// in the whole source, for anything keyed by row (resampling seeds).
public struct ChunkSubset: ColumnSource {
  public let base: any ColumnSource
  /// The chunks taken, in `base`'s numbering.
  public let chunks: Range<Int>
  public let chunkRanges: [Range<Int>]
  public let firstRow: Int

  public init(_ base: any ColumnSource, chunks: Range<Int>) {
    precondition(chunks.lowerBound >= 0 && chunks.upperBound <= base.chunkRanges.count)
    self.base = base
    self.chunks = chunks
    let first = chunks.isEmpty ? 0 : base.chunkRanges[chunks.lowerBound].lowerBound
    self.firstRow = first
    self.chunkRanges = base.chunkRanges[chunks].map { ($0.lowerBound - first)..<($0.upperBound - first) }
  }

  public var columns: [ColumnInfo] { base.columns }
  public var rowCount: Int { chunkRanges.last?.upperBound ?? 0 }
  public var unreadableColumns: [String: String] { base.unreadableColumns }

  public func statistics(column: String, chunk: Int) -> ChunkStatistics? {
    base.statistics(column: column, chunk: chunks.lowerBound + chunk)
  }

  public func read(columns: [String], chunk: Int) throws -> [String: ColumnBuffer] {
    try base.read(columns: columns, chunk: chunks.lowerBound + chunk)
  }
}
