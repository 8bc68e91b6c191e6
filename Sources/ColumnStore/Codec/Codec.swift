/// How the chunks of a column are compressed on disk.
///
/// Every codec is a standard HDF5 filter pipeline, so h5py reads the files:
/// `deflate` and `none` with no plugin, `lz4` and `zstd` with `hdf5plugin`
/// imported (registered filter ids 32004 and 32015).
///
/// | codec | pipeline | when |
/// |---|---|---|
/// | `none` | — | fastest queries; the store's default (see `Benchmarks/README.md`) |
/// | `lz4` | LZ4 (32004) | fast, ~10 % smaller on PID ntuples |
/// | `zstd[:level]` | shuffle (2) + Zstandard (32015) | ~25 % smaller, 1.3 GB/s/core decode |
/// | `deflate[:level]` | shuffle (2) + deflate (1) | any HDF5 reader, slowest |
public enum Codec: Sendable, Equatable, Hashable, CustomStringConvertible {
  case none
  case lz4
  case zstd(level: Int)
  case deflate(level: Int)

  /// Parses `none`, `lz4`, `zstd`, `zstd:5`, `deflate`, `gzip`, `deflate:6`.
  /// - Throws: `ColumnStoreError.invalidInput` listing the accepted names.
  public init(parsing text: String) throws {
    let parts = text.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
    let level = parts.count > 1 ? Int(parts[1]) : nil
    if parts.count > 1 && level == nil {
      throw ColumnStoreError(.invalidInput, path: "codec", "codec level '\(parts[1])' is not a number")
    }
    /// A level outside what the library accepts is an error, not silently clamped.
    func checked(_ name: String, _ levels: ClosedRange<Int>) throws -> Int {
      let l = level ?? 1
      guard levels.contains(l) else {
        throw ColumnStoreError(
          .invalidInput, path: "codec",
          "\(name) level \(l) is out of range; use \(levels.lowerBound)…\(levels.upperBound) (e.g. \(name):\(levels.lowerBound))")
      }
      return l
    }
    switch parts.first ?? "" {
    case "none", "raw", "lz4":
      if let level {
        throw ColumnStoreError(.invalidInput, path: "codec", "codec '\(parts[0])' takes no level (got \(level))")
      }
      self = parts[0] == "lz4" ? .lz4 : .none
    case "zstd": self = .zstd(level: try checked("zstd", 1...19))
    case "deflate", "gzip", "zlib": self = .deflate(level: try checked(parts[0], 1...9))
    default:
      throw ColumnStoreError(
        .invalidInput, path: "codec",
        "unknown codec '\(text)'; use none, lz4, zstd[:level] or deflate[:level]")
    }
  }

  public var description: String {
    switch self {
    case .none: "none"
    case .lz4: "lz4"
    case .zstd(let l): "zstd:\(l)"
    case .deflate(let l): "deflate:\(l)"
    }
  }

  /// The HDF5 filter pipeline, in write order.
  var pipeline: [HDF5Filter] {
    switch self {
    case .none: []
    case .lz4: [.lz4]
    case .zstd(let l): [.shuffle, .zstd(level: l)]
    case .deflate(let l): [.shuffle, .deflate(level: l)]
    }
  }
}

/// One filter of an HDF5 pipeline that SysCorr encodes and decodes itself.
enum HDF5Filter: Sendable, Equatable {
  case shuffle
  case deflate(level: Int)
  case lz4
  case zstd(level: Int)

  static let deflateID: Int32 = 1
  static let shuffleID: Int32 = 2
  static let lz4ID: Int32 = 32004
  static let zstdID: Int32 = 32015

  var id: Int32 {
    switch self {
    case .shuffle: Self.shuffleID
    case .deflate: Self.deflateID
    case .lz4: Self.lz4ID
    case .zstd: Self.zstdID
    }
  }

  /// The filter for an id found in a file; nil when SysCorr cannot decode it
  /// (the reader then lets HDF5 apply the pipeline).
  init?(id: Int32) {
    switch id {
    case Self.shuffleID: self = .shuffle
    case Self.deflateID: self = .deflate(level: 1)
    case Self.lz4ID: self = .lz4
    case Self.zstdID: self = .zstd(level: 1)
    default: return nil
    }
  }

  /// The client data values HDF5 stores with the filter.
  func clientData(elementSize: Int) -> [UInt32] {
    switch self {
    case .shuffle: [UInt32(elementSize)]
    case .deflate(let l): [UInt32(l)]
    case .lz4: [0]  // 0 = the plugin's default block size
    case .zstd(let l): [UInt32(l)]
    }
  }
}
