import Foundation

/// Anything the query engine can read: rows split into chunks, read one
/// column-chunk at a time. HDF5 ntuples, ROOT trees and in-memory tables
/// implement it, so `Query` never depends on a file format.
///
/// Reads must be safe to call from several threads at once.
public protocol ColumnSource: Sendable {
  /// The columns, in file order.
  var columns: [ColumnInfo] { get }
  /// The total number of rows.
  var rowCount: Int { get }
  /// The row ranges of the chunks, contiguous and in order, covering
  /// `0..<rowCount`.
  var chunkRanges: [Range<Int>] { get }
  /// Stored statistics of `column` in chunk `chunk`, or nil when unknown.
  func statistics(column: String, chunk: Int) -> ChunkStatistics?
  /// The values of `columns` in chunk `chunk`, keyed by column name.
  func read(columns: [String], chunk: Int) throws -> [String: ColumnBuffer]
  /// Entries of the file that are not readable columns (a ROOT string
  /// branch, a 2-D dataset), name → why, so a query can say so instead of
  /// "unknown column".
  var unreadableColumns: [String: String] { get }
}

extension ColumnSource {
  public var unreadableColumns: [String: String] { [:] }

  /// The column named `name`, if any.
  public func column(named name: String) -> ColumnInfo? {
    columns.first { $0.name == name }
  }

  /// Reads one whole column (all chunks concatenated). Meant for tests and
  /// small tables; the engine streams chunk by chunk.
  public func readAll(_ name: String) throws -> ColumnBuffer {
    guard let info = column(named: name) else {
      throw ColumnStoreError(.unknownColumn, path: name, "no column '\(name)'")
    }
    let parts = try chunkRanges.indices.map { try read(columns: [name], chunk: $0)[name]! }
    return ColumnBuffer.concatenate(parts, type: info.type)
  }
}

extension ColumnSource {
  /// The descriptive attributes of the rows when the source knows them
  /// (store sets and SysCorr files), else empty ones.
  public var ntupleAttributes: NtupleAttributes {
    get throws {
      if let t = self as? HDF5Table { return try t.attributes }
      if let s = self as? ChunkSubset { return try s.base.ntupleAttributes }
      if let s = self as? NtupleSet, var a = try s.baseTables.first?.attributes {
        a.provenance = ""
        return a
      }
      return NtupleAttributes()
    }
  }
}

extension ColumnSource {
  /// Min, max and NaN count of a whole column: from the stored chunk
  /// statistics where they exist, else by reading the chunk (ROOT files and
  /// foreign HDF5 files store none). `scanned` says whether any chunk was read.
  public func columnStatistics(_ name: String) throws -> (statistics: ChunkStatistics, scanned: Bool) {
    var total = ChunkStatistics(min: .infinity, max: -.infinity, nanCount: 0, count: 0)
    var scanned = false
    for k in chunkRanges.indices {
      var s = statistics(column: name, chunk: k)
      if s == nil {
        guard let b = try read(columns: [name], chunk: k)[name] else {
          throw ColumnStoreError(.unknownColumn, path: name, "no column '\(name)'")
        }
        s = ChunkStatistics(of: b)
        scanned = true
      }
      total = total.merged(with: s!)
    }
    return (total, scanned)
  }
}
