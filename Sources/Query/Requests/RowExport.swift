import ColumnStore

/// Writes the passing rows of a query — any columns or expressions — to one
/// standalone HDF5 ntuple, in row order, atomically, streaming chunk by chunk
/// (memory stays bounded by a few chunks).
public struct RowExport {
  public var columns: [ColumnSpec]
  public var codec: Codec
  public var threads: Int
  /// fsync before returning (the file is written atomically either way).
  public var durable: Bool
  /// Provenance stored in the file's attributes (the command, the cut).
  public var provenance: String
  /// The HDF5 group of the columns.
  public var group = NtupleFormat.defaultGroup

  public init(columns: [ColumnSpec], codec: Codec, threads: Int, durable: Bool = false, provenance: String = "") {
    self.columns = columns
    self.codec = codec
    self.threads = threads
    self.durable = durable
    self.provenance = provenance
  }

  /// Runs `query` and writes its rows to `path`; returns the number of rows.
  /// A stored column keeps its type, unit and description; an expression is
  /// written with the type it evaluates to.
  public func write(_ query: Query, to path: String) throws -> Int {
    let types = try query.collectedTypes(columns.map(\.expression))
    let infos = zip(columns, types).map { spec, type in
      query.source.column(named: spec.expression).map { c -> ColumnInfo in
        var c = c
        c.name = spec.name
        return c
      } ?? ColumnInfo(name: spec.name, type: type, description: spec.expression)
    }
    var attributes = try query.source.ntupleAttributes
    attributes.provenance = provenance
    attributes.truth = ""
    let writer = try NtupleWriter(
      path: path, group: group, columns: infos, attributes: attributes, codec: codec,
      chunkRows: NtupleFormat.chunkRows(forAtMost: query.source.rowCount), threads: threads, durable: durable)
    let sink = WriterSink(writer: writer, names: columns.map(\.name))
    _ = try query.run(RowStream(columns.map(\.expression), sink: sink), threads: threads)
    return try writer.finish()
  }
}

/// Appends streamed rows to an ntuple writer (calls arrive one at a time, in row order).
final class WriterSink: RowSink, @unchecked Sendable {
  let writer: NtupleWriter
  let names: [String]

  init(writer: NtupleWriter, names: [String]) {
    self.writer = writer
    self.names = names
  }

  func receive(_ columns: [ColumnBuffer]) throws {
    try writer.append(Dictionary(uniqueKeysWithValues: zip(names, columns)))
  }
}
