import Foundation

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
  /// Bare names of friend columns (`sweight`) → their newest version (`sweight_v3`).
  private let newest: [String: String]

  /// The manifest's bytes as read (for `manifestDigest`).
  private let manifestBytes: Data

  /// A digest of the manifest this set was opened with (as
  /// `Store.manifestDigest`): it changes with every file or friend version added.
  public var manifestDigest: UInt64 { Store.digest(manifestBytes) }

  init(directory: String, manifest: SetManifest, manifestBytes: Data) throws {
    self.manifest = manifest
    self.manifestBytes = manifestBytes
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
    var newestVersion: [String: (version: Int, column: ColumnInfo)] = [:]
    for (k, friend) in manifest.friends.enumerated() {
      for c in friend.columns {
        owner[c.name] = k + 1
        columns.append(c)
        if let (bare, version) = Self.versioned(c.name), version > (newestVersion[bare]?.version ?? 0) {
          newestVersion[bare] = (version, c)
        }
      }
    }
    // The newest version of a friend column is also readable by its bare name
    // (`--weight sweight`), unless a stored column has that name.
    var newest: [String: String] = [:]
    for (bare, v) in newestVersion.sorted(by: { $0.key < $1.key }) where owner[bare] == nil {
      newest[bare] = v.column.name
      owner[bare] = owner[v.column.name]
      var alias = v.column
      alias.name = bare
      alias.description = "the newest version, \(v.column.name)" + (v.column.description.isEmpty ? "" : ": " + v.column.description)
      columns.append(alias)
    }
    self.newest = newest
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

  /// `name_vN` → (`name`, N).
  static func versioned(_ name: String) -> (String, Int)? {
    guard let r = name.range(of: "_v", options: .backwards), let v = Int(name[r.upperBound...]), v > 0,
      r.lowerBound > name.startIndex
    else { return nil }
    return (String(name[..<r.lowerBound]), v)
  }

  public func statistics(column: String, chunk: Int) -> ChunkStatistics? {
    guard let o = owner[column] else { return nil }
    let (f, k) = chunkMap[chunk]
    return parts[f][o].statistics(column: newest[column] ?? column, chunk: k)
  }

  public func read(columns names: [String], chunk: Int) throws -> [String: ColumnBuffer] {
    let (f, k) = chunkMap[chunk]
    var out: [String: ColumnBuffer] = [:]
    for name in names {
      guard let o = owner[name] else {
        throw ColumnStoreError(.unknownColumn, path: name, "no column '\(name)' in \(manifest.proc)/\(manifest.mode)/\(manifest.sample)")
      }
      out[name] = try parts[f][o].read(column: newest[name] ?? name, chunk: k)
    }
    return out
  }
}
