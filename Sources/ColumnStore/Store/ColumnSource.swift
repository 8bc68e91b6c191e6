/// Name, type and descriptive metadata of one column.
public struct ColumnInfo: Sendable, Equatable, Codable {
  public var name: String
  public var type: ColumnType
  public var unit: String
  public var description: String
  /// The basf2 variable behind the column, e.g. `kaonID` or `binaryPID(321, 211)`.
  public var variable: String
  /// The particle path in the decay, e.g. `D0:K` (empty for the head or counters).
  public var particle: String

  public init(
    name: String, type: ColumnType, unit: String = "", description: String = "",
    variable: String = "", particle: String = ""
  ) {
    self.name = name
    self.type = type
    self.unit = unit
    self.description = description
    self.variable = variable
    self.particle = particle
  }
}

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
}

extension ColumnSource {
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

/// A table held in memory, chunked at a fixed row count. Used by tests, by
/// the sample generator and as the staging form of an ingest.
public struct MemoryTable: ColumnSource {
  public let columns: [ColumnInfo]
  public let rowCount: Int
  public let chunkRanges: [Range<Int>]
  private let values: [String: ColumnBuffer]

  /// - Throws: `ColumnStoreError` when columns differ in length or a name repeats.
  public init(columns: [(ColumnInfo, ColumnBuffer)], chunkRows: Int = 65_536) throws {
    var seen = Set<String>()
    for (info, buffer) in columns {
      guard seen.insert(info.name).inserted else {
        throw ColumnStoreError(.invalidInput, path: info.name, "column '\(info.name)' appears twice")
      }
      guard info.type == buffer.type else {
        throw ColumnStoreError(
          .invalidInput, path: info.name,
          "column '\(info.name)' declared \(info.type) but holds \(buffer.type)")
      }
    }
    let rows = columns.first?.1.count ?? 0
    if let bad = columns.first(where: { $0.1.count != rows }) {
      throw ColumnStoreError(
        .invalidInput, path: bad.0.name,
        "columns have unequal lengths: '\(columns[0].0.name)' has \(rows) rows, '\(bad.0.name)' has \(bad.1.count)")
    }
    precondition(chunkRows > 0)
    self.columns = columns.map(\.0)
    self.rowCount = rows
    self.chunkRanges = stride(from: 0, to: rows, by: chunkRows).map { $0..<min($0 + chunkRows, rows) }
    self.values = Dictionary(uniqueKeysWithValues: columns.map { ($0.0.name, $0.1) })
  }

  /// Computed on demand (O(chunk rows)): in-memory tables are mostly
  /// written or scanned once, and most of their statistics are never asked for.
  public func statistics(column: String, chunk: Int) -> ChunkStatistics? {
    values[column].map { ChunkStatistics(of: $0.slice(chunkRanges[chunk])) }
  }

  /// The whole column, without copying chunk by chunk.
  public func buffer(_ name: String) -> ColumnBuffer? { values[name] }

  public func read(columns names: [String], chunk: Int) throws -> [String: ColumnBuffer] {
    var out: [String: ColumnBuffer] = [:]
    for name in names {
      guard let buffer = values[name] else {
        throw ColumnStoreError(.unknownColumn, path: name, "no column '\(name)'")
      }
      out[name] = buffer.slice(chunkRanges[chunk])
    }
    return out
  }
}

extension ColumnSource {
  /// The descriptive attributes of the rows when the source knows them
  /// (store sets and SysCorr files), else empty ones.
  public var ntupleAttributes: NtupleAttributes {
    get throws {
      if let t = self as? HDF5Table { return try t.attributes }
      if let s = self as? NtupleSet, var a = try s.baseTables.first?.attributes {
        a.provenance = ""
        return a
      }
      return NtupleAttributes()
    }
  }
}
