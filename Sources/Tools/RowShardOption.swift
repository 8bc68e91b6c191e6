import ArgumentParser
import ColumnStore
import Query

/// `--shard K/N` of the commands that write a value per row (`export`,
/// `multitrack`, `kde resample|transform`): the shard reads a contiguous part
/// of the chunks, balanced by rows as every sharded command's, and writes
/// its rows to its own `--out`. The shards' files, read in shard order
/// (`--files-from`), hold the rows of a whole run; nothing is merged.
struct RowShardOption: ParsableArguments {
  @Option(help: "Write only shard K of N's rows (1-based; a contiguous part of the chunks, balanced by rows) to --out: the N files, in order, hold a whole run's rows.")
  var shard: String?

  init() {}

  init(shard: String) { self.shard = shard }

  func validate() throws {
    if let shard { _ = try QueryShard.parse(shard) }
  }

  /// The rows this process reads: `source`, or the shard's chunks of it.
  func rows(of source: any ColumnSource) throws -> any ColumnSource {
    guard let shard else { return source }
    let (k, n) = try QueryShard.parse(shard)
    return ChunkSubset(source, chunks: Query.shardChunks(k - 1, of: n, chunkRanges: source.chunkRanges))
  }

  /// Where derived columns go: a file with --input or on a shard (a shard
  /// cannot add a friend version to a set), else the set's friend version.
  static func checkOutput(out: String?, input: InputOptions, sharded: Bool) throws {
    if sharded && out == nil {
      throw ValidationError("a shard writes its rows to its own --out FILE.h5 (friend columns of a set come from a whole run)")
    }
    if input.isFile && out == nil { throw ValidationError("with --input, give --out FILE.h5 for the derived columns") }
    if !input.isFile && out != nil && !sharded {
      throw ValidationError("--out goes with --input or --shard; a store set gets a friend version")
    }
  }

  /// The shard's first row in the whole source (0 for a whole run).
  static func firstRow(_ source: any ColumnSource) -> Int { (source as? ChunkSubset)?.firstRow ?? 0 }
}
