import Foundation

/// Reads a CSV file with a header row into a table. Column types are
/// inferred: `bool` (true/false), `int64` (all integers), else `float64`
/// (empty fields and `nan` are NaN). Quoted fields may contain commas and
/// doubled quotes.
public enum CSVTable {
  public static func read(path: String, chunkRows: Int = NtupleFormat.defaultChunkRows) throws -> MemoryTable {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ColumnStoreError(.fileNotFound, path: path, "\(path): no such file")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ColumnStoreError(.corruptFile, path: path, "\(path): not UTF-8 text")
    }
    var lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" })[...]
    guard let headerLine = lines.popFirst() else {
      throw ColumnStoreError(.corruptFile, path: path, "\(path): empty CSV (no header row)")
    }
    let header = fields(headerLine).map { $0.trimmingCharacters(in: .whitespaces) }
    var cells: [[Substring]] = Array(repeating: [], count: header.count)
    for (n, line) in lines.enumerated() {
      let f = fields(line)
      guard f.count == header.count else {
        throw ColumnStoreError(
          .invalidInput, path: path, "\(path):\(n + 2): \(f.count) fields, the header has \(header.count)")
      }
      for i in f.indices { cells[i].append(f[i]) }
    }
    var columns: [(ColumnInfo, ColumnBuffer)] = []
    for (i, name) in header.enumerated() {
      try StoreNames.validateColumn(name)
      let values = cells[i].map { $0.trimmingCharacters(in: .whitespaces) }
      let buffer: ColumnBuffer
      if !values.isEmpty, values.allSatisfy({ ["true", "false", "True", "False"].contains($0) }) {
        buffer = .bool(values.map { $0.lowercased() == "true" })
      } else if !values.isEmpty, let ints = optionalAll(values.map { Int64($0) }) {
        buffer = .int64(ints)
      } else {
        buffer = .float64(try values.enumerated().map { row, v in
          if v.isEmpty || v.lowercased() == "nan" { return .nan }
          guard let d = Double(v) else {
            throw ColumnStoreError(.invalidInput, path: path, "\(path):\(row + 2): '\(v)' in column \(name) is not a number")
          }
          return d
        })
      }
      columns.append((ColumnInfo(name: name, type: buffer.type), buffer))
    }
    return try MemoryTable(columns: columns, chunkRows: chunkRows)
  }

  private static func optionalAll<T>(_ values: [T?]) -> [T]? {
    var out: [T] = []
    out.reserveCapacity(values.count)
    for v in values {
      guard let v else { return nil }
      out.append(v)
    }
    return out
  }

  private static func fields(_ line: Substring) -> [Substring] {
    guard line.contains("\"") else { return line.split(separator: ",", omittingEmptySubsequences: false) }
    var out: [Substring] = []
    var current = ""
    var quoted = false
    var i = line.startIndex
    while i < line.endIndex {
      let c = line[i]
      if quoted {
        if c == "\"" {
          let n = line.index(after: i)
          if n < line.endIndex && line[n] == "\"" { current.append("\""); i = n } else { quoted = false }
        } else {
          current.append(c)
        }
      } else if c == "\"" {
        quoted = true
      } else if c == "," {
        out.append(Substring(current))
        current = ""
      } else {
        current.append(c)
      }
      i = line.index(after: i)
    }
    out.append(Substring(current))
    return out
  }
}
