import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A group of an HDF5 file read as a table: every 1-D dataset of a
/// supported type is a column; all must have the same length.
///
/// The store's files have a chunk index beside them (`ChunkIndex`): opening
/// one then reads that index only, and HDF5 is not touched at all unless the
/// descriptive attributes are asked for. Other files written by SysCorr
/// carry their schema as a group attribute, so opening one reads a few
/// attributes; datasets, statistics and chunk locations are looked up on
/// first use. Either way chunks are `pread` and decoded on any thread
/// without the HDF5 lock. Any other conforming file (h5py's contiguous or
/// gzip datasets, foreign filters) is scanned when opened and read through
/// `H5Dread`, which HDF5 serialises.
public final class HDF5Table: ColumnSource, @unchecked Sendable {
  public let path: String
  public let group: String
  public let columns: [ColumnInfo]
  public let rowCount: Int
  public let chunkRanges: [Range<Int>]
  /// The group's descriptive attributes (read from the file on first use
  /// when the table was opened through its index).
  public var attributes: NtupleAttributes {
    get throws {
      if let a = state.withLock({ $0.attributes }) { return a }
      let a = try withGroup { HDF5Table.attributes(of: $0) }
      state.withLock { $0.attributes = a }
      return a
    }
  }
  /// Whether the table was opened through its chunk index (no HDF5 call).
  public var openedThroughIndex: Bool { index != nil }
  /// The codec named in the file, when SysCorr wrote it.
  public let codecName: String
  /// Datasets that are not columns (wrong rank or type), with the reason.
  public let skipped: [(name: String, reason: String)]

  public var unreadableColumns: [String: String] {
    Dictionary(skipped.map { ($0.name, "the dataset is not a column: \($0.reason)") }, uniquingKeysWith: { a, _ in a })
  }
  /// Bytes of the file on disk.
  public let fileBytes: Int

  /// The file and group, opened on first HDF5 use; touched under `hdf5` only.
  nonisolated(unsafe) private var handles: (file: H5File, group: H5Group)?
  private let index: ChunkIndex?
  /// The decoding pipeline of every column (from the index's codec).
  private let indexPipeline: [HDF5Filter]
  private let indexColumn: [String: Int]
  private let chunkRows: Int
  private let descriptor: Int32
  /// The opened file's identity, to notice a later replacement at `path`.
  private let inode: (device: UInt64, number: UInt64)
  private let columnTypes: [String: ColumnType]
  /// Opened datasets, statistics and chunk locations, filled on first use.
  private let state = Mutex(LazyState())
  /// Serialises this table's HDF5 calls.
  private let hdf5 = Mutex(())

  private struct LazyState {
    var attributes: NtupleAttributes?
    var datasets: [String: H5Dataset] = [:]
    var stats: [String: [ChunkStatistics]?] = [:]
    var locations: [String: [ChunkLocation?]] = [:]
  }


  /// Opens `path`; `group` nil means the standard group `ntuple`, or the
  /// root when it holds datasets, or the only group.
  /// - Throws: `ColumnStoreError` naming the file and the problem.
  public init(path: String, group: String? = nil) throws {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else {
      if errno == ENOENT { throw ColumnStoreError(.fileNotFound, path: path, "\(path): no such file") }
      throw ColumnStoreError(.io, path: path, "\(path): cannot open (\(String(cString: strerror(errno))))")
    }
    var st = stat()
    fstat(fd, &st)
    self.path = path
    self.descriptor = fd
    self.fileBytes = Int(st.st_size)
    self.inode = (UInt64(st.st_dev), UInt64(st.st_ino))
    if let index = ChunkIndex.load(for: path, fileBytes: Int(st.st_size)), group == nil || group == index.group,
      let codec = try? Codec(parsing: index.codec)
    {
      self.index = index
      self.indexPipeline = codec.pipeline
      self.indexColumn = Dictionary(index.schema.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
      self.group = index.group
      self.columns = index.schema
      self.rowCount = index.rows
      self.chunkRows = index.chunkRows
      self.codecName = index.codec
      self.skipped = []
    } else {
      self.index = nil
      self.indexPipeline = []
      self.indexColumn = [:]
      let scan: Scan
      do { scan = try HDF5Table.scan(path: path, group: group) } catch {
        close(fd)
        throw error
      }
      self.handles = (scan.file, scan.group)
      self.group = scan.groupName
      self.columns = scan.columns
      self.rowCount = scan.rows
      self.chunkRows = scan.chunkRows
      self.codecName = scan.codecName
      self.skipped = scan.skipped
      state.withLock {
        $0.datasets = scan.datasets
        $0.attributes = scan.attributes
      }
    }
    self.columnTypes = Dictionary(columns.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
    let (rows, chunk) = (rowCount, chunkRows)
    self.chunkRanges = stride(from: 0, to: rows, by: chunk).map { $0..<Swift.min($0 + chunk, rows) }
  }

  /// What opening a file through HDF5 finds.
  private struct Scan {
    var file: H5File
    var group: H5Group
    var groupName: String
    var columns: [ColumnInfo]
    var datasets: [String: H5Dataset]
    var rows: Int
    var chunkRows: Int
    var codecName: String
    var skipped: [(String, String)]
    var attributes: NtupleAttributes
  }

  private static func scan(path: String, group: String?) throws -> Scan {
    let file = try H5File.open(path)
    let groupName = try group ?? HDF5Table.defaultGroup(in: file)
    let g = try file.group(groupName)
    let ga = g.attributes
    var columns: [ColumnInfo] = []
    var datasets: [String: H5Dataset] = [:]
    var skipped: [(String, String)] = []
    var rows: Int
    var chunkRows: Int
    if ga.string("syscorr_format") == NtupleFormat.version, let text = ga.string("schema"),
      let schema = try? JSONDecoder().decode([ColumnInfo].self, from: Data(text.utf8)),
      let entries = ga.int64("entries"), let chunk = ga.int64("chunk_rows"), entries >= 0, chunk > 0
    {
      columns = schema
      rows = Int(entries)
      chunkRows = Int(chunk)
    } else {
      for m in try g.members() where m.kind == .dataset {
        let d = try g.dataset(m.name)
        guard d.rank == 1 else { skipped.append((m.name, "rank \(d.rank)")); continue }
        guard let type = d.type else { skipped.append((m.name, "unsupported element type")); continue }
        let a = d.attributes
        columns.append(
          ColumnInfo(
            name: m.name, type: type, unit: a.string("unit") ?? "", description: a.string("description") ?? "",
            variable: a.string("variable") ?? "", particle: a.string("particle") ?? ""))
        datasets[m.name] = d
      }
      // Keep the writer's column order when it recorded one; else name order.
      if let text = ga.string("columns"),
        let order = try? JSONDecoder().decode([String].self, from: Data(text.utf8))
      {
        let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        columns.sort { (rank[$0.name] ?? Int.max, $0.name) < (rank[$1.name] ?? Int.max, $1.name) }
      }
      let lengths = Set(columns.map { datasets[$0.name]!.count })
      if lengths.count > 1 {
        let desc = columns.prefix(6).map { "\($0.name)=\(datasets[$0.name]!.count)" }.joined(separator: ", ")
        throw ColumnStoreError(.corruptFile, path: path, "\(path):\(groupName): columns have unequal lengths (\(desc))")
      }
      if columns.isEmpty {
        if ga.int64("uhi_schema") != nil { throw histogramFile(path, [groupName]) }
        let why = skipped.isEmpty ? "" : " (skipped: " + skipped.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + ")"
        throw ColumnStoreError(.invalidInput, path: path, "\(path):\(groupName): no columns to read\(why)")
      }
      rows = lengths.first ?? 0
      let chunkSizes = Set(columns.compactMap { datasets[$0.name]!.chunkElements })
      chunkRows = max(
        1, Int(ga.int64("chunk_rows") ?? Int64(chunkSizes.count == 1 ? chunkSizes.first! : NtupleFormat.defaultChunkRows)))
    }
    return Scan(
      file: file, group: g, groupName: groupName, columns: columns, datasets: datasets, rows: rows,
      chunkRows: chunkRows, codecName: ga.string("codec") ?? "", skipped: skipped, attributes: attributes(of: g))
  }

  private static func attributes(of g: H5Group) -> NtupleAttributes {
    let ga = g.attributes
    return NtupleAttributes(
      mode: ga.string("mode") ?? "", sample: ga.string("sample") ?? "", proc: ga.string("proc") ?? "",
      shortName: ga.string("short_name") ?? "", cmsEnergy: ga.double("cms_energy") ?? 0,
      decay: ga.string("decay") ?? "", provenance: ga.string("provenance") ?? "", truth: ga.string("truth") ?? "")
  }

  /// Runs `body` on the group under this table's HDF5 lock, opening the
  /// file first when the table was opened through its index.
  private func withGroup<R>(_ body: (H5Group) throws -> R) throws -> R {
    try hdf5.withLock { _ in
      H5Library.prepare()
      if let handles { return try body(handles.group) }
      // Opened through the index: HDF5 opens the path again, which must still
      // be the file whose chunks this table reads.
      var now = stat()
      guard stat(path, &now) == 0, UInt64(now.st_dev) == inode.device, UInt64(now.st_ino) == inode.number else {
        throw ColumnStoreError(.io, path: path, "\(path): the file was replaced or removed since it was opened")
      }
      let file = try H5File.open(path)
      let g = try file.group(group)
      handles = (file, g)
      return try body(g)
    }
  }

  deinit { close(descriptor) }

  /// The group to read when none is named.
  /// The error for a file of histograms (`query --hist --out`) given where rows are read.
  private static func histogramFile(_ path: String, _ groups: [String]) -> ColumnStoreError {
    ColumnStoreError(
      .invalidInput, path: path,
      "\(path) holds histograms in the UHI layout (\(groups.joined(separator: ", "))), not rows; "
        + "read it with boost-histogram/uhi (uhi.io.hdf5) or h5py")
  }

  private static func defaultGroup(in file: H5File) throws -> String {
    let root = try file.group("/")
    let members = try root.members()
    if members.contains(where: { $0.name == NtupleFormat.defaultGroup && $0.kind == .group }) {
      return NtupleFormat.defaultGroup
    }
    if members.contains(where: { $0.kind == .dataset }) { return "/" }
    let groups = members.filter { $0.kind == .group }.map(\.name)
    if !groups.isEmpty, try groups.allSatisfy({ try root.subgroup($0).attributes.int64("uhi_schema") != nil }) {
      throw histogramFile(file.path, groups)
    }
    if groups.count == 1 { return groups[0] }
    throw ColumnStoreError(
      .invalidInput, path: file.path,
      "\(file.path): no datasets at the root; name a group as FILE.h5:GROUP (groups: \(groups.joined(separator: ", ")))")
  }

  // MARK: - Lazy look-ups

  /// The dataset of a column, opened and checked against the schema once.
  private func dataset(_ name: String) throws -> H5Dataset {
    if let d = state.withLock({ $0.datasets[name] }) { return d }
    guard let type = columnTypes[name] else {
      throw ColumnStoreError(.unknownColumn, path: path, "\(path): no column '\(name)'")
    }
    let d: H5Dataset = try withGroup { try $0.dataset(name) }
    guard d.rank == 1, d.type == type, d.count == rowCount else {
      throw ColumnStoreError(
        .corruptFile, path: path,
        "\(path): dataset '\(name)' does not match the schema (\(d.type.map { "\($0)" } ?? "unknown type"), \(d.count) rows; expected \(type), \(rowCount))")
    }
    state.withLock { $0.datasets[name] = d }
    return d
  }

  public func statistics(column: String, chunk: Int) -> ChunkStatistics? {
    if let index, let c = indexColumn[column] { return index.statistics(column: c, chunk: chunk) }
    if let known = state.withLock({ $0.stats[column] }) { return known?[chunk] }
    let loaded = loadStatistics(column)
    state.withLock { $0.stats[column] = .some(loaded) }
    return loaded?[chunk]
  }

  private func loadStatistics(_ column: String) -> [ChunkStatistics]? {
    let n = chunkRanges.count
    guard columnTypes[column] != nil else { return nil }
    let m: (rows: Int, columns: Int, values: [Double])?? = try? withGroup { g in
      guard let sg = try? g.subgroup(NtupleFormat.statsGroup), let d = try? sg.dataset(column) else {
        return nil
      }
      return try? d.readMatrix()
    }
    guard let m = m ?? nil, m.rows == n, m.columns == 3 else { return nil }
    return (0..<n).map { k in
      ChunkStatistics(
        min: m.values[3 * k], max: m.values[3 * k + 1], nanCount: Int(m.values[3 * k + 2]),
        count: chunkRanges[k].count)
    }
  }

  /// The location of a chunk, looked up through HDF5 once per column.
  private func location(of d: H5Dataset, chunk: Int) throws -> ChunkLocation? {
    if let known = state.withLock({ $0.locations[d.name] }) { return known[chunk] }
    let found: [ChunkLocation?] = try withGroup { _ in
      try chunkRanges.map { r in
        try d.chunkLocation(at: r.lowerBound)
      }
    }
    state.withLock { $0.locations[d.name] = found }
    return found[chunk]
  }

  // MARK: - Reading

  public func read(columns names: [String], chunk: Int) throws -> [String: ColumnBuffer] {
    var out: [String: ColumnBuffer] = [:]
    for name in names { out[name] = try read(column: name, chunk: chunk) }
    return out
  }

  /// One column of one chunk.
  public func read(column name: String, chunk: Int) throws -> ColumnBuffer {
    let range = chunkRanges[chunk]
    if let index {
      guard let c = indexColumn[name] else {
        throw ColumnStoreError(.unknownColumn, path: path, "\(path): no column '\(name)'")
      }
      guard let l = index.location(column: c, chunk: chunk) else {
        throw ColumnStoreError(.corruptFile, path: path, "\(path): chunk \(chunk) of '\(name)' lies beyond the end of the file (index)")
      }
      return try readDirect(name, type: index.schema[c].type, pipeline: indexPipeline, location: l, chunk: chunk, range: range)
    }
    let d = try dataset(name)
    guard let type = d.type else {
      throw ColumnStoreError(.unknownColumn, path: path, "\(path): no column '\(name)'")
    }
    if d.chunkElements == chunkRows, d.littleEndian, d.filters.allSatisfy({ $0 != nil }) {
      let location = try self.location(of: d, chunk: chunk)
      return try readDirect(
        name, type: type, pipeline: d.filters.compactMap { $0 }, location: location, chunk: chunk, range: range)
    }
    return try hdf5.withLock { _ in
      H5Library.prepare()
      return try d.read(range, as: type)
    }
  }

  /// Reads a chunk stored at `location` (nil: never written) with `pipeline`.
  private func readDirect(
    _ name: String, type: ColumnType, pipeline: [HDF5Filter], location: ChunkLocation?, chunk: Int, range: Range<Int>
  ) throws -> ColumnBuffer {
    let width = type.byteWidth
    let full = chunkRows * width
    guard let location else {
      return ColumnBuffer.zeroed(type, count: range.count)  // never written: the fill value
    }
    guard location.address + UInt64(location.size) <= UInt64(fileBytes) else {
      throw ColumnStoreError(.corruptFile, path: path, "\(path): chunk \(chunk) of '\(name)' lies beyond the end of the file (truncated?)")
    }
    var failure: Error?
    let buffer = ColumnBuffer.make(type, count: range.count) { dst in
      do {
        if pipeline.isEmpty || location.mask == (1 << pipeline.count) - 1 {
          // Stored raw: read straight into the column's memory.
          try preadFully(into: UnsafeMutableRawBufferPointer(rebasing: dst[0..<(range.count * width)]), at: location.address)
          return
        }
        var stored = [UInt8](repeating: 0, count: location.size)
        try stored.withUnsafeMutableBytes { try preadFully(into: $0, at: location.address) }
        try stored.withUnsafeBytes { src in
          if range.count == chunkRows {
            try ChunkCodec.decode(src, pipeline: pipeline, mask: location.mask, elementSize: width, into: dst)
          } else {
            var whole = [UInt8](repeating: 0, count: full)
            try whole.withUnsafeMutableBytes {
              try ChunkCodec.decode(src, pipeline: pipeline, mask: location.mask, elementSize: width, into: $0)
            }
            whole.withUnsafeBytes { dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<(range.count * width)])) }
          }
        }
      } catch {
        failure = error
        dst.initializeMemory(as: UInt8.self, repeating: 0)
      }
    }
    if let failure {
      let message = (failure as? ColumnStoreError)?.message ?? "\(failure)"
      throw ColumnStoreError(.corruptFile, path: path, "\(path): chunk \(chunk) of '\(name)': \(message)")
    }
    if type == .bool { return Self.normalisedBool(buffer) }
    return buffer
  }

  /// Bool bytes other than 0/1 (foreign writers) become true.
  private static func normalisedBool(_ b: ColumnBuffer) -> ColumnBuffer {
    guard case .bool(let values) = b else { return b }
    let bytes = values.withUnsafeBytes { Array($0) }
    if bytes.allSatisfy({ $0 <= 1 }) { return b }
    return .bool(bytes.map { $0 != 0 })
  }

  private func preadFully(into buffer: UnsafeMutableRawBufferPointer, at address: UInt64) throws {
    var done = 0
    while done < buffer.count {
      let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(address) + off_t(done))
      if n <= 0 {
        throw ColumnStoreError(.corruptFile, path: path, "\(path): short read at byte \(address + UInt64(done)) (truncated file?)")
      }
      done += n
    }
  }
}
