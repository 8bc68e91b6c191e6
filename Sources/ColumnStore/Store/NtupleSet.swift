/// The rows of a store set: its base files one after another, each joined
/// row by row with its friend files (sWeights and other derived columns).
/// Chunks are the base files' chunks, numbered across files.
public final class NtupleSet: ColumnSource, @unchecked Sendable {
  public let manifest: SetManifest
  public let columns: [ColumnInfo]
  public let rowCount: Int
  public let chunkRanges: [Range<Int>]
  /// Per global chunk: the file index and the chunk within that file.
  private let chunkMap: [(file: Int, chunk: Int)]
  /// Per file: the base table and its friends; per column: which table.
  private let parts: [[HDF5Table]]
  private let owner: [String: Int]

  init(directory: String, manifest: SetManifest) throws {
    self.manifest = manifest
    var parts: [[HDF5Table]] = []
    for (i, f) in manifest.files.enumerated() {
      let base = try HDF5Table(path: directory + "/" + f.name)
      var tables = [base]
      for friend in manifest.friends {
        let t = try HDF5Table(path: directory + "/" + friend.files[i])
        guard t.rowCount == base.rowCount, t.chunkRanges == base.chunkRanges else {
          throw ColumnStoreError(
            .corruptFile, path: t.path, "\(t.path): friend rows or chunks do not match base file \(f.name)")
        }
        tables.append(t)
      }
      parts.append(tables)
    }
    var owner: [String: Int] = [:]
    var columns = manifest.columns
    for c in manifest.columns { owner[c.name] = 0 }
    for (k, friend) in manifest.friends.enumerated() {
      for c in friend.columns {
        owner[c.name] = k + 1
        columns.append(c)
      }
    }
    var ranges: [Range<Int>] = []
    var map: [(Int, Int)] = []
    var offset = 0
    for (i, tables) in parts.enumerated() {
      for (k, r) in tables[0].chunkRanges.enumerated() {
        ranges.append((r.lowerBound + offset)..<(r.upperBound + offset))
        map.append((i, k))
      }
      offset += tables[0].rowCount
    }
    self.parts = parts
    self.owner = owner
    self.columns = columns
    self.rowCount = offset
    self.chunkRanges = ranges
    self.chunkMap = map
  }

  /// The base files' tables (for attributes such as generator truth).
  public var baseTables: [HDF5Table] { parts.map { $0[0] } }

  public func statistics(column: String, chunk: Int) -> ChunkStatistics? {
    guard let o = owner[column] else { return nil }
    let (f, k) = chunkMap[chunk]
    return parts[f][o].statistics(column: column, chunk: k)
  }

  public func read(columns names: [String], chunk: Int) throws -> [String: ColumnBuffer] {
    let (f, k) = chunkMap[chunk]
    var out: [String: ColumnBuffer] = [:]
    for name in names {
      guard let o = owner[name] else {
        throw ColumnStoreError(.unknownColumn, path: name, "no column '\(name)' in \(manifest.proc)/\(manifest.mode)/\(manifest.sample)")
      }
      out[name] = try parts[f][o].read(column: name, chunk: k)
    }
    return out
  }
}
