import Foundation

/// Several files read as one source, their rows one after another in the
/// order given (`--files-from LIST`): the chunks are the files' chunks, so a
/// sharded run splits the files, and the rows inside large ones, by chunk.
public final class ConcatenatedSource: ColumnSource, @unchecked Sendable {
  public let parts: [any ColumnSource]
  public let paths: [String]
  public let columns: [ColumnInfo]
  public let chunkRanges: [Range<Int>]
  /// Per global chunk: the part and its chunk there.
  let locations: [(part: Int, chunk: Int)]

  /// - Throws: `ColumnStoreError(.invalidInput)` naming the first file whose
  ///   columns (names and types) differ from the first file's.
  public init(parts: [any ColumnSource], paths: [String]) throws {
    precondition(!parts.isEmpty && parts.count == paths.count)
    let first = parts[0].columns
    for (k, p) in parts.enumerated().dropFirst() where p.columns != first {
      let a = Set(first.map(\.name)), b = Set(p.columns.map(\.name))
      let missing = a.subtracting(b).sorted(), extra = b.subtracting(a).sorted()
      var why: [String] = []
      if !missing.isEmpty { why.append("lacks " + missing.prefix(5).joined(separator: ", ")) }
      if !extra.isEmpty { why.append("has " + extra.prefix(5).joined(separator: ", ") + " besides") }
      if why.isEmpty { why.append("has the same names with other types or in another order") }
      throw ColumnStoreError(
        .invalidInput, path: paths[k], "\(paths[k]): its columns differ from \(paths[0])'s: it \(why.joined(separator: "; "))")
    }
    self.parts = parts
    self.paths = paths
    self.columns = first
    var ranges: [Range<Int>] = []
    var locations: [(Int, Int)] = []
    var offset = 0
    for (k, p) in parts.enumerated() {
      for (c, r) in p.chunkRanges.enumerated() {
        ranges.append((offset + r.lowerBound)..<(offset + r.upperBound))
        locations.append((k, c))
      }
      offset += p.rowCount
    }
    self.chunkRanges = ranges
    self.locations = locations
  }

  public var rowCount: Int { chunkRanges.last?.upperBound ?? 0 }

  public func statistics(column: String, chunk: Int) -> ChunkStatistics? {
    let l = locations[chunk]
    return parts[l.part].statistics(column: column, chunk: l.chunk)
  }

  public func read(columns: [String], chunk: Int) throws -> [String: ColumnBuffer] {
    let l = locations[chunk]
    return try parts[l.part].read(columns: columns, chunk: l.chunk)
  }

  public var unreadableColumns: [String: String] { parts[0].unreadableColumns }

  /// The files a list names: one per line (`FILE.h5[:GROUP]`, `FILE.root[:tree]`),
  /// relative to the list's directory; blank lines and `#` comments skipped.
  /// - Throws: `ColumnStoreError` for an unreadable or empty list.
  public static func paths(inList list: String) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: list), let text = String(data: data, encoding: .utf8) else {
      throw ColumnStoreError(.fileNotFound, path: list, "\(list): cannot read the file list")
    }
    let base = URL(fileURLWithPath: list).deletingLastPathComponent()
    let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    guard !lines.isEmpty else { throw ColumnStoreError(.invalidInput, path: list, "\(list): the file list names no file") }
    return lines.map { $0.hasPrefix("/") ? $0 : base.appendingPathComponent($0).path }
  }
}
