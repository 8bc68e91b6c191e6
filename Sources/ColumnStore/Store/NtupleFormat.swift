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
