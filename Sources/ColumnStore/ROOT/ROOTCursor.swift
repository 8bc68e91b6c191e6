/// A bounds-checked big-endian reader over a byte buffer.
///
/// Every read checks the remaining length and throws a `ColumnStoreError`
/// (`.corruptFile`) naming the file and the structure being read instead of
/// trapping. `base` is the file offset of `data[0]` (nil for decompressed
/// objects, whose offsets are reported relative to the object).
struct ROOTCursor {
  let data: [UInt8]
  var pos: Int
  let base: Int?
  let file: ROOTFileName
  /// What is being read, e.g. "TKey at offset 1234".
  var context: String

  init(_ data: [UInt8], base: Int?, file: ROOTFileName, context: String, pos: Int = 0) {
    self.data = data
    self.pos = pos
    self.base = base
    self.file = file
    self.context = context
  }

  var remaining: Int { data.count - pos }
  var atEnd: Bool { pos >= data.count }

  /// Describes a position for messages: a file offset or an object offset.
  func describe(_ p: Int) -> String {
    if let base { return "file offset \(base + p)" }
    return "object offset \(p)"
  }

  func error(_ message: String) -> ColumnStoreError {
    file.corrupt("\(context): \(message)")
  }

  func need(_ n: Int) throws {
    guard n >= 0, n <= data.count - pos else {
      throw error(
        "truncated: needs \(n) bytes at \(describe(pos)), only \(max(0, data.count - pos)) left")
    }
  }

  mutating func skip(_ n: Int) throws {
    try need(n)
    pos += n
  }

  mutating func seek(_ p: Int) throws {
    guard p >= 0, p <= data.count else {
      throw error("position \(p) outside the \(data.count)-byte buffer")
    }
    pos = p
  }

  mutating func u8() throws -> UInt8 {
    try need(1)
    defer { pos += 1 }
    return data[pos]
  }

  mutating func u16() throws -> UInt16 {
    try need(2)
    defer { pos += 2 }
    return UInt16(data[pos]) << 8 | UInt16(data[pos + 1])
  }

  mutating func u32() throws -> UInt32 {
    try need(4)
    defer { pos += 4 }
    return UInt32(data[pos]) << 24 | UInt32(data[pos + 1]) << 16 | UInt32(data[pos + 2]) << 8
      | UInt32(data[pos + 3])
  }

  mutating func u64() throws -> UInt64 {
    let hi = try u32()
    let lo = try u32()
    return UInt64(hi) << 32 | UInt64(lo)
  }

  mutating func i16() throws -> Int16 { Int16(bitPattern: try u16()) }
  mutating func i32() throws -> Int32 { Int32(bitPattern: try u32()) }
  mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }

  /// An Int32 as Int.
  mutating func int32() throws -> Int { Int(try i32()) }
  mutating func int64() throws -> Int { Int(try i64()) }

  /// A count or length that must lie in `0...limit`.
  mutating func count32(_ what: String, limit: Int) throws -> Int {
    let v = Int(try i32())
    guard v >= 0, v <= limit else {
      throw error("\(what) \(v) out of range 0...\(limit)")
    }
    return v
  }

  mutating func bytes(_ n: Int) throws -> ArraySlice<UInt8> {
    try need(n)
    defer { pos += n }
    return data[pos..<(pos + n)]
  }

  /// A ROOT TString: one length byte (255 → UInt32 length follows), then the bytes.
  mutating func string() throws -> String {
    var n = Int(try u8())
    if n == 255 { n = Int(try u32()) }
    let b = try bytes(n)
    return String(decoding: b, as: UTF8.self)
  }

  /// A NUL-terminated string of at most `limit` bytes.
  mutating func cString(limit: Int = 1024) throws -> String {
    let start = pos
    let end = min(data.count, pos + limit)
    var p = pos
    while p < end, data[p] != 0 { p += 1 }
    guard p < end else {
      throw error("unterminated class name at \(describe(start))")
    }
    pos = p + 1
    return String(decoding: data[start..<p], as: UTF8.self)
  }

  /// A byte count + class version. Returns the end of the object (nil when
  /// no byte count was written) and the version.
  mutating func countAndVersion(_ what: String) throws -> (end: Int?, version: Int) {
    let start = pos
    let first = try u32()
    if first & 0x4000_0000 != 0 {
      let count = Int(first & 0x3FFF_FFFF)
      let end = start + 4 + count
      guard end <= data.count else {
        throw error(
          "\(what) at \(describe(start)): byte count \(count) runs past the end of the buffer (\(data.count - start - 4) bytes left)"
        )
      }
      let version = Int(try i16())
      return (end, version)
    }
    pos = start
    return (nil, Int(try i16()))
  }

  /// Moves to `end` (the end given by a byte count), which must not lie before the current position.
  mutating func finish(_ end: Int?, _ what: String) throws {
    guard let end else { return }
    guard end >= pos else {
      throw error("\(what) overran its byte count (ends at \(describe(end)), read up to \(describe(pos)))")
    }
    pos = end
  }

  /// Skips an object that has a byte count.
  mutating func skipObject(_ what: String) throws {
    let start = pos
    let (end, _) = try countAndVersion(what)
    guard let end else {
      throw error("\(what) at \(describe(start)) has no byte count")
    }
    pos = end
  }

  /// TObject: version (+4 bytes if 0x4000), fUniqueID, fBits (+2 bytes if referenced).
  mutating func skipTObject() throws {
    let version = try u16()
    if version & 0x4000 != 0 { try skip(4) }
    try skip(4)
    let bits = try u32()
    if bits & 0x10 != 0 { try skip(2) }
  }

  /// TNamed: returns (name, title).
  mutating func named(_ what: String) throws -> (String, String) {
    let (end, _) = try countAndVersion("\(what) TNamed")
    try skipTObject()
    let name = try string()
    let title = try string()
    try finish(end, "\(what) TNamed")
    return (name, title)
  }
}

/// The file name used in messages, and the full path used as the error path.
struct ROOTFileName: Sendable {
  let path: String
  var name: String {
    path.split(separator: "/").last.map(String.init) ?? path
  }

  func corrupt(_ message: String) -> ColumnStoreError {
    ColumnStoreError(.corruptFile, path: path, "\(name): \(message)")
  }

  func unsupported(_ message: String) -> ColumnStoreError {
    ColumnStoreError(.unsupported, path: path, "\(name): \(message)")
  }
}

/// Little helpers for checked arithmetic on values read from files.
extension Int {
  /// `self + other`, or nil on overflow.
  func adding(_ other: Int) -> Int? {
    let (r, o) = addingReportingOverflow(other)
    return o ? nil : r
  }

  func multiplying(_ other: Int) -> Int? {
    let (r, o) = multipliedReportingOverflow(by: other)
    return o ? nil : r
  }
}
