/// Names and defaults of the on-disk ntuple layout (spec:
/// `schemas/ntuple-format.md`, `schemas/ntuple.schema.json`).
public enum NtupleFormat {
  /// The value of the group attribute `syscorr_format`.
  public static let version = "syscorr-ntuple/1"
  /// The group that holds the columns unless another is named.
  public static let defaultGroup = "ntuple"
  /// The sub-group holding per-chunk statistics (`nchunks × 3`: min, max, NaN count).
  public static let statsGroup = "_chunk_stats"
  /// Rows per chunk: 64 Ki rows keep chunk counts low (HDF5 1.10's chunk
  /// index is slow beyond a few thousand chunks) and one chunk of a column
  /// in the L2 cache.
  public static let defaultChunkRows = 65_536
  /// The fewest rows of a chunk: files that small are one chunk.
  public static let smallestChunkRows = 1_024

  /// Rows per chunk for a file that will hold at most `rows` rows: the
  /// default for large files; for smaller ones the next power of two at or
  /// above `rows` (at least `smallestChunkRows`), so a 1,000-row file holds
  /// one 1,024-row chunk instead of allocating 65,536 rows per column.
  public static func chunkRows(forAtMost rows: Int) -> Int {
    guard rows < defaultChunkRows else { return defaultChunkRows }
    var n = smallestChunkRows
    while n < rows { n *= 2 }
    return n
  }
  /// The store's default codec, chosen by measurement (Benchmarks/README.md).
  public static let defaultCodec = Codec.none
}

/// Descriptive attributes of an ntuple (the group's attributes).
public struct NtupleAttributes: Sendable, Codable, Equatable {
  public var mode: String
  public var sample: String
  public var proc: String
  public var shortName: String
  public var cmsEnergy: Double
  public var decay: String
  /// JSON text: who wrote the file, when, from what.
  public var provenance: String
  /// JSON text of generator truth (efficiencies, model parameters), or empty.
  public var truth: String

  public init(
    mode: String = "", sample: String = "", proc: String = "", shortName: String = "",
    cmsEnergy: Double = 0, decay: String = "", provenance: String = "", truth: String = ""
  ) {
    self.mode = mode
    self.sample = sample
    self.proc = proc
    self.shortName = shortName
    self.cmsEnergy = cmsEnergy
    self.decay = decay
    self.provenance = provenance
    self.truth = truth
  }
}
