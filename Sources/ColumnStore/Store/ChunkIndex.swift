import Foundation

/// Where every chunk of a SysCorr ntuple lies in its file, with the chunk's
/// statistics, kept beside the store's files as `NAME.h5.index`, so that a
/// query opens a set without HDF5 at all: no library initialisation, no
/// `H5Fopen`, no attribute, statistics or chunk-tree lookups (2–5 ms per
/// file). It only caches what the HDF5 file says; the file stays the truth.
///
/// It is trusted only when it is well formed, of this version, and records
/// the file's current size; otherwise the reader asks HDF5. The store's
/// files are never modified after their commit, and anything that rewrites
/// an HDF5 file's chunks (h5repack, h5py appending) changes its size.
///
/// Layout (little-endian; a string is a u32 length + UTF-8): 16 bytes magic
/// `SYSCORR-INDEX\0\0\0`, u32 version, u32 0, u64 file bytes, u64 rows,
/// u64 chunk rows, u32 columns, u32 chunks, the group and the codec; then per
/// column six strings — name, type, unit, description, basf2 variable,
/// particle — and per chunk a 44-byte record: u64 address (2^64 − 1: never
/// written), u64 stored size, u32 filter mask, and the chunk's statistics:
/// f64 min, f64 max, u64 NaNs. Records are read in place when used.
struct ChunkIndex {
  static let magic = Array("SYSCORR-INDEX\0\0\0".utf8)
  static let version: UInt32 = 1
  static let suffix = ".index"
  static let recordBytes = 44

  let fileBytes: Int
  let rows: Int
  let chunkRows: Int
  let group: String
  let codec: String
  let schema: [ColumnInfo]
  private let bytes: [UInt8]
  /// Per column of `schema`, the offset of its first chunk record.
  private let records: [Int]

  static func path(for ntuple: String) -> String { ntuple + suffix }

  static func chunkCount(rows: Int, chunkRows: Int) -> Int { rows / chunkRows + (rows % chunkRows == 0 ? 0 : 1) }
  var chunkCount: Int { Self.chunkCount(rows: rows, chunkRows: chunkRows) }

  // MARK: - Writing

  /// The bytes of an index; `locations` and `statistics` are per column of
  /// `schema`, per chunk.
  static func encode(
    fileBytes: Int, rows: Int, chunkRows: Int, group: String, codec: String, schema: [ColumnInfo],
    locations: [[ChunkLocation?]], statistics: [[ChunkStatistics]]
  ) -> Data {
    let chunks = chunkCount(rows: rows, chunkRows: chunkRows)
    precondition(locations.count == schema.count && statistics.count == schema.count)
    precondition(locations.allSatisfy { $0.count == chunks } && statistics.allSatisfy { $0.count == chunks })
    var out = Data()
    func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    func string(_ s: String) {
      let b = Array(s.utf8)
      u32(UInt32(b.count))
      out.append(contentsOf: b)
    }
    out.append(contentsOf: magic)
    u32(version)
    u32(0)
    u64(UInt64(fileBytes))
    u64(UInt64(rows))
    u64(UInt64(chunkRows))
    u32(UInt32(schema.count))
    u32(UInt32(chunks))
    string(group)
    string(codec)
    for ((c, column), stats) in zip(zip(schema, locations), statistics) {
      for field in [c.name, c.type.rawValue, c.unit, c.description, c.variable, c.particle] { string(field) }
      for (l, st) in zip(column, stats) {
        u64(l?.address ?? .max)
        u64(UInt64(l?.size ?? 0))
        u32(l?.mask ?? 0)
        u64(st.min.bitPattern)
        u64(st.max.bitPattern)
        u64(UInt64(st.nanCount))
      }
    }
    return out
  }

  // MARK: - Reading

  /// The index in `bytes`, or nil when it is not a complete, consistent
  /// index of this version. Only the header, the schema and the column
  /// names are read here.
  init?(_ bytes: [UInt8]) {
    var at = 0
    func take(_ n: Int) -> ArraySlice<UInt8>? {
      guard n >= 0, n <= bytes.count - at else { return nil }
      defer { at += n }
      return bytes[at..<(at + n)]
    }
    func u32() -> UInt32? {
      take(4).map { s in s.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) } }
    }
    func u64() -> UInt64? {
      take(8).map { s in s.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) } }
    }
    func string() -> String? {
      guard let n = u32(), let b = take(Int(n)) else { return nil }
      return String(validating: b, as: UTF8.self)
    }
    guard let m = take(Self.magic.count), Array(m) == Self.magic, u32() == Self.version, u32() == 0,
      let fileBytes = u64(), let rows = u64(), let chunkRows = u64(), let ncols = u32(), let nchunks = u32(),
      fileBytes < UInt64(Int.max), rows < UInt64(Int.max), chunkRows > 0, chunkRows < UInt64(Int32.max),
      Self.chunkCount(rows: Int(rows), chunkRows: Int(chunkRows)) == Int(nchunks), ncols > 0 || nchunks == 0,
      let group = string(), let codec = string()
    else { return nil }
    var schema: [ColumnInfo] = []
    var records: [Int] = []
    for _ in 0..<ncols {
      guard let name = string(), let typeName = string(), let type = ColumnType(rawValue: typeName),
        let unit = string(), let description = string(), let variable = string(), let particle = string(),
        take(Int(nchunks) * Self.recordBytes) != nil
      else { return nil }
      schema.append(
        ColumnInfo(name: name, type: type, unit: unit, description: description, variable: variable, particle: particle))
      records.append(at - Int(nchunks) * Self.recordBytes)
    }
    guard at == bytes.count else { return nil }
    self.fileBytes = Int(fileBytes)
    self.rows = Int(rows)
    self.chunkRows = Int(chunkRows)
    self.group = group
    self.codec = codec
    self.schema = schema
    self.bytes = bytes
    self.records = records
  }

  /// The index of `ntuple` when one lies beside it and matches the file's
  /// current size (`fileBytes`).
  static func load(for ntuple: String, fileBytes: Int) -> ChunkIndex? {
    let fd = open(path(for: ntuple), O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, st.st_size > 0, st.st_size < 1 << 30 else { return nil }
    let size = Int(st.st_size)
    var complete = true
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, n in
      var done = 0
      while done < size {
        let r = read(fd, buffer.baseAddress! + done, size - done)
        if r <= 0 { break }
        done += r
      }
      complete = done == size
      if !complete { buffer.initialize(repeating: 0) }
      n = size
    }
    guard complete, let index = ChunkIndex(bytes), index.fileBytes == fileBytes else { return nil }
    return index
  }

  private func field<T: FixedWidthInteger>(_ column: Int, _ chunk: Int, _ offset: Int, _: T.Type) -> T {
    precondition(records.indices.contains(column) && chunk >= 0 && chunk < chunkCount, "chunk index out of range")
    let at = records[column] + chunk * Self.recordBytes + offset
    return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: T.self)) }
  }

  /// Where chunk `chunk` of column `column` (position in `schema`) lies:
  /// `.some(nil)` when it was never written, nil when the record points
  /// outside the file.
  func location(column: Int, chunk: Int) -> ChunkLocation?? {
    let address = field(column, chunk, 0, UInt64.self)
    if address == .max { return .some(nil) }
    let size = field(column, chunk, 8, UInt64.self)
    guard size <= UInt64(fileBytes), address <= UInt64(fileBytes) - size else { return nil }
    return ChunkLocation(address: address, size: Int(size), mask: field(column, chunk, 16, UInt32.self))
  }

  /// The statistics of chunk `chunk` of column `column`.
  func statistics(column: Int, chunk: Int) -> ChunkStatistics {
    ChunkStatistics(
      min: Double(bitPattern: field(column, chunk, 20, UInt64.self)),
      max: Double(bitPattern: field(column, chunk, 28, UInt64.self)),
      nanCount: Int(truncatingIfNeeded: field(column, chunk, 36, UInt64.self)),
      count: Swift.min(chunkRows, rows - chunk * chunkRows))
  }
}
