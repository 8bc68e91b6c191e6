/// Sharded runs: shard k of n takes a contiguous range of the source's
/// chunks, balanced by rows, so that the shards together cover every chunk
/// once and each reads about 1/n of the rows.
extension Query {
  /// The chunks of shard `shard` (0-based) of `shards`: chunk c belongs to
  /// the shard in whose row range [k·R/n, (k+1)·R/n) its first row lies.
  public static func shardChunks(_ shard: Int, of shards: Int, chunkRanges: [Range<Int>]) -> Range<Int> {
    precondition(shards >= 1 && shard >= 0 && shard < shards)
    let rows = chunkRanges.last?.upperBound ?? 0
    func owner(_ c: Int) -> Int {
      guard rows > 0 else { return 0 }
      // the first row's share, in exact integer arithmetic
      return min(shards - 1, chunkRanges[c].lowerBound * shards / rows)
    }
    let lo = chunkRanges.indices.first { owner($0) >= shard } ?? chunkRanges.count
    let hi = chunkRanges.indices.first { owner($0) > shard } ?? chunkRanges.count
    return lo..<max(lo, hi)
  }
}

/// What a shard writes (`query --shard K/N --partial F.json`) and `merge`
/// reads — or what `merge --partial` writes for a stage of a merge tree: the
/// partials of several shards, their chunks' entries side by side (merged
/// only at the end, in chunk order, so a staged merge gives the same bits).
public struct QueryPartialFile<Partials: Codable & Sendable>: Codable, Sendable {
  public static var format: String { "syscorr-query-partial-2" }

  /// One shard's part of the input.
  public struct Part: Codable, Sendable, Equatable {
    /// 1-based.
    public var shard: Int
    /// The chunks covered, [lo, hi).
    public var chunks: [Int]
    public var rows: Int

    public init(shard: Int, chunks: Range<Int>, rows: Int) {
      self.shard = shard
      self.chunks = [chunks.lowerBound, chunks.upperBound]
      self.rows = rows
    }

    public var chunkRange: Range<Int> { chunks[0]..<max(chunks[0], chunks[1]) }
  }

  public var format: String
  public var version: String
  /// A digest of the query (its options) and of its input: shards of one query share it.
  public var query: String
  /// The query's options, without the shard's own (to print the merged result as the query would).
  public var arguments: [String]
  public var shards: Int
  /// The shards in this file: one for a shard's own file, several for a staged merge's.
  public var parts: [Part]
  /// The source's chunk count.
  public var chunkCount: Int
  public var partials: Partials

  public init(
    version: String, query: String, arguments: [String], shards: Int, parts: [Part], chunkCount: Int, partials: Partials
  ) {
    self.format = Self.format
    self.version = version
    self.query = query
    self.arguments = arguments
    self.shards = shards
    self.parts = parts
    self.chunkCount = chunkCount
    self.partials = partials
  }

  public var rows: Int { parts.reduce(0) { $0 + $1.rows } }

  enum CodingKeys: String, CodingKey {
    case format, version, query, arguments, shards, parts, partials
    case chunkCount = "chunk_count"
  }
}
