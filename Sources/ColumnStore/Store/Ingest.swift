import Foundation

/// Puts files into a store set: each input becomes one base file of the
/// set, re-chunked, with per-chunk statistics and the set's codec. All
/// inputs are opened and checked before anything is written, and the
/// catalog changes only when every file is complete.
public struct Ingest {
  public var store: Store
  public var proc: String
  public var mode: String
  public var sample: String
  public var codec: Codec = NtupleFormat.defaultCodec
  /// Rows per chunk; by default sized to each file (`NtupleFormat.chunkRows(forAtMost:)`).
  public var chunkRows: Int? = nil
  /// Replace the set's files instead of appending.
  public var replace = false
  /// Add files whose rows the set already holds (refused by default).
  public var allowDuplicate = false
  /// Descriptive attributes written to every file (mode/sample/proc are filled in).
  public var attributes = NtupleAttributes()
  /// The command line, recorded in the manifest's history and provenance.
  public var command = ""
  public var threads = ProcessInfo.processInfo.activeProcessorCount
  /// Called with (rows written, rows in all) as the work proceeds.
  public var progress: ((Int, Int) -> Void)? = nil

  public init(store: Store, proc: String, mode: String, sample: String) {
    self.store = store
    self.proc = proc
    self.mode = mode
    self.sample = sample
  }

  /// Ingests tables (already opened, so all are validated first).
  @discardableResult
  public func run(_ sources: [(name: String, table: any ColumnSource)]) throws -> SetManifest {
    for (name, t) in sources {
      for c in t.columns { try StoreNames.validateColumn(c.name) }
      if t.columns.isEmpty {
        throw ColumnStoreError(.invalidInput, path: name, "\(name): no columns to ingest")
      }
    }
    return try write(count: sources.count, total: sources.reduce(0) { $0 + $1.table.rowCount }) { i, writer in
      try writer.append(contentsOf: sources[i].table)
    } columns: { sources[$0].table.columns } source: { sources[$0].name } rows: { sources[$0].table.rowCount }
  }

  /// Writes `count` new base files whose rows come from `fill`; `rows(i)`
  /// bounds file i's rows (it sizes the chunks).
  @discardableResult
  public func write(
    count: Int, total: Int, fill: (Int, NtupleWriter) throws -> Void,
    columns: (Int) -> [ColumnInfo], source: (Int) -> String, rows: (Int) -> Int = { _ in .max }
  ) throws -> SetManifest {
    let tx = try SetTransaction(store: store, proc: proc, mode: mode, sample: sample, command: command)
    if replace { tx.removeAll() }
    var done = 0
    for i in 0..<count {
      var attrs = attributes
      attrs.mode = mode
      attrs.sample = sample
      attrs.proc = proc
      attrs.provenance = Self.provenance(command: command, source: source(i))
      let path = tx.newFilePath()
      let writer = try NtupleWriter(
        path: path, columns: columns(i), attributes: attrs, codec: codec,
        chunkRows: chunkRows ?? NtupleFormat.chunkRows(forAtMost: rows(i)), threads: threads,
        index: true)
      try fill(i, writer)
      done += try writer.finish()
      progress?(done, total)
      try tx.addFile(path, source: source(i), allowDuplicate: allowDuplicate)
    }
    try tx.commit()
    return tx.manifest
  }

  static func provenance(command: String, source: String) -> String {
    let info: [String: String] = [
      "tool": "syscorr", "command": command, "source": source,
      "time": ISO8601DateFormatter().string(from: Date()), "host": ProcessInfo.processInfo.hostName,
    ]
    let data = (try? JSONSerialization.data(withJSONObject: info, options: [.sortedKeys])) ?? Data()
    return String(decoding: data, as: UTF8.self)
  }
}
