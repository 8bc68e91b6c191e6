import Foundation

/// Adds derived columns (sWeights, resampled PID) to a store set without
/// rewriting its base files: one friend file per base file, same rows,
/// same chunks. Each addition is a new version: the friend set is named
/// `{name}_v{N}` and every column gets the suffix `_v{N}`, so earlier
/// versions stay queryable next to the new one.
public struct FriendColumns {
  public var store: Store
  public var proc: String
  public var mode: String
  public var sample: String
  public var codec: Codec = NtupleFormat.defaultCodec
  public var command = ""

  public init(store: Store, proc: String, mode: String, sample: String) {
    self.store = store
    self.proc = proc
    self.mode = mode
    self.sample = sample
  }

  /// The next free version of `name` in `manifest` (1 for a new name).
  public static func nextVersion(of name: String, in manifest: SetManifest) -> Int {
    let versions = manifest.friends.compactMap { f -> Int? in
      guard f.name.hasPrefix(name + "_v") else { return nil }
      return Int(f.name.dropFirst(name.count + 2))
    }
    return (versions.max() ?? 0) + 1
  }

  /// Adds the columns of `table`, whose rows must parallel the set's rows
  /// (row i of `table` belongs to row i of the set).
  /// - Returns: the name of the new friend set, e.g. `sweights_v2`.
  @discardableResult
  public func add(name: String, table: some ColumnSource) throws -> String {
    try StoreNames.validatePathComponent(name, what: "friend set name")
    let tx = try SetTransaction(store: store, proc: proc, mode: mode, sample: sample, command: command)
    guard !tx.isNew else {
      throw ColumnStoreError(.notFound, path: "\(proc)/\(mode)/\(sample)", "no set \(proc)/\(mode)/\(sample) to add columns to")
    }
    let m = tx.manifest
    guard table.rowCount == m.entries else {
      throw ColumnStoreError(
        .invalidInput, path: name, "the new columns have \(table.rowCount) rows; the set \(proc)/\(mode)/\(sample) has \(m.entries)")
    }
    let version = Self.nextVersion(of: name, in: m)
    let friendName = "\(name)_v\(version)"
    let renamed = table.columns.map { c -> ColumnInfo in
      var c = c
      c.name += "_v\(version)"
      return c
    }
    var paths: [String] = []
    var offset = 0
    for f in m.files {
      let base = try HDF5Table(path: tx.directory + "/" + f.name)
      let path = tx.newFilePath(prefix: friendName)
      let writer = try NtupleWriter(
        path: path, columns: renamed, attributes: try base.attributes, codec: codec, chunkRows: base.chunkRanges.first?.count ?? NtupleFormat.defaultChunkRows,
        index: true)
      try RowRanges.forEachBlock(of: table, rows: offset..<(offset + f.entries)) { block in
        var out: [String: ColumnBuffer] = [:]
        for (c, r) in zip(table.columns, renamed) { out[r.name] = block[c.name] }
        try writer.append(out)
      }
      try writer.finish()
      paths.append(path)
      offset += f.entries
    }
    try tx.addFriend(name: friendName, files: paths)
    try tx.commit()
    return friendName
  }
}

/// Reading an arbitrary row range of a chunked source.
public enum RowRanges {
  /// Calls `body` with consecutive blocks covering `rows`, each holding
  /// every column of `source`.
  public static func forEachBlock(
    of source: some ColumnSource, rows: Range<Int>, _ body: ([String: ColumnBuffer]) throws -> Void
  ) throws {
    let names = source.columns.map(\.name)
    for (k, r) in source.chunkRanges.enumerated() where r.overlaps(rows) {
      let lo = max(r.lowerBound, rows.lowerBound) - r.lowerBound
      let hi = min(r.upperBound, rows.upperBound) - r.lowerBound
      let chunk = try source.read(columns: names, chunk: k)
      try body(lo == 0 && hi == r.count ? chunk : chunk.mapValues { $0.slice(lo..<hi) })
    }
  }
}
