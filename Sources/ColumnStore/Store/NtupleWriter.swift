import Foundation

/// Writes one ntuple file: one chunked 1-D dataset per column in a group,
/// per-chunk statistics, and the group's descriptive attributes.
///
/// Rows arrive in blocks of any size through `append`; full chunks are
/// compressed in parallel outside the HDF5 lock and written with
/// `H5Dwrite_chunk`. The file is built under a temporary name and renamed
/// into place by `finish()`, so readers never see a partial file; a writer
/// released without `finish()` removes its temporary file.
public final class NtupleWriter {
  public let path: String
  public let columns: [ColumnInfo]
  public let codec: Codec
  public let chunkRows: Int
  private let temporaryPath: String
  private let threads: Int
  private let attributes: NtupleAttributes
  private let durable: Bool
  private let writesIndex: Bool
  private var file: H5File?
  private var group: H5Group?
  private var datasets: [H5Dataset] = []
  /// Per column, the native bytes of the rows not yet written.
  private var staging: [[UInt8]]
  private var stagedRows = 0
  private var writtenRows = 0
  private var stats: [[ChunkStatistics]]
  private var finished = false

  /// Starts a file at `path` (created when `finish()` succeeds). With
  /// `durable`, `finish()` also flushes the file to disk (see `AtomicFile`);
  /// with `index`, it also writes the chunk index beside it (`ChunkIndex`:
  /// the store's files have one, standalone exports do not).
  /// - Throws: `.invalidInput` for duplicate or unsafe column names, `.io`
  ///   when the temporary file cannot be created.
  public init(
    path: String, group: String = NtupleFormat.defaultGroup, columns: [ColumnInfo],
    attributes: NtupleAttributes = NtupleAttributes(), codec: Codec = NtupleFormat.defaultCodec,
    chunkRows: Int = NtupleFormat.defaultChunkRows,
    threads: Int = ProcessInfo.processInfo.activeProcessorCount, durable: Bool = true, index: Bool = false
  ) throws {
    var seen = Set<String>()
    for c in columns {
      try StoreNames.validateColumn(c.name)
      guard seen.insert(c.name).inserted else {
        throw ColumnStoreError(.invalidInput, path: c.name, "column '\(c.name)' appears twice")
      }
    }
    precondition(chunkRows > 0)
    // say which directory is missing or not writable, not HDF5's view of the temporary file
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw ColumnStoreError(.fileNotFound, path: path, "cannot write \(path): no directory \(directory)")
    }
    guard FileManager.default.isWritableFile(atPath: directory) else {
      throw ColumnStoreError(.io, path: path, "cannot write \(path): the directory \(directory) is not writable")
    }
    self.path = path
    self.columns = columns
    self.codec = codec
    self.chunkRows = chunkRows
    self.threads = threads
    self.attributes = attributes
    self.durable = durable
    self.writesIndex = index
    self.temporaryPath = AtomicFile.temporaryPath(for: path)
    self.staging = columns.map { c in
      var bytes = [UInt8]()
      bytes.reserveCapacity(chunkRows * c.type.byteWidth)
      return bytes
    }
    self.stats = Array(repeating: [], count: columns.count)
    do {
      let file = try H5File.create(temporaryPath, reportedAs: path)
      let g = try file.createGroup(group)
      for c in columns {
        let d = try H5Dataset.create(in: g, name: c.name, type: c.type, count: 0, chunkElements: chunkRows, codec: codec)
        let a = d.attributes
        try a.set("type", c.type.rawValue)
        try a.set("unit", c.unit)
        try a.set("description", c.description)
        if !c.variable.isEmpty { try a.set("variable", c.variable) }
        if !c.particle.isEmpty { try a.set("particle", c.particle) }
        datasets.append(d)
      }
      self.file = file
      self.group = g
    } catch {
      unlink(temporaryPath)
      throw error
    }
  }

  deinit {
    if !finished {
      try? file?.close()
      unlink(temporaryPath)
    }
  }

  /// Appends rows. `block` must hold every column, all of equal length.
  /// - Throws: `.invalidInput` (missing column, wrong type, unequal lengths).
  public func append(_ block: [String: ColumnBuffer]) throws {
    let rows = block[columns.first?.name ?? ""]?.count ?? 0
    for c in columns {
      guard let b = block[c.name] else {
        throw ColumnStoreError(.invalidInput, path: c.name, "block lacks column '\(c.name)'")
      }
      guard b.type == c.type else {
        throw ColumnStoreError(.invalidInput, path: c.name, "column '\(c.name)' is \(c.type) but the block holds \(b.type)")
      }
      guard b.count == rows else {
        throw ColumnStoreError(
          .invalidInput, path: c.name,
          "columns have unequal lengths: '\(columns[0].name)' has \(rows) rows, '\(c.name)' has \(b.count)")
      }
    }
    for (i, c) in columns.enumerated() {
      block[c.name]!.withUnsafeBytes { staging[i].append(contentsOf: $0) }
    }
    stagedRows += rows
    if stagedRows >= chunkRows { try flush(final: false) }
  }

  /// Appends every row of `source`, chunk by chunk.
  public func append(contentsOf source: some ColumnSource) throws {
    let names = columns.map(\.name)
    for k in source.chunkRanges.indices {
      try append(try source.read(columns: names, chunk: k))
    }
  }

  /// Writes the remaining rows, the statistics and attributes, closes the
  /// file and moves it into place.
  /// - Returns: the number of rows written.
  @discardableResult
  public func finish() throws -> Int {
    precondition(!finished, "finish() called twice")
    try flush(final: true)
    guard let file, let group else { return 0 }
    let stats = try group.createSubgroup(NtupleFormat.statsGroup)
    for (i, c) in columns.enumerated() {
      let values = self.stats[i].flatMap { [$0.min, $0.max, Double($0.nanCount)] }
      try H5Dataset.createMatrix(in: stats, name: c.name, rows: self.stats[i].count, columns: 3, values: values)
    }
    let a = group.attributes
    try a.set("syscorr_format", NtupleFormat.version)
    try a.set("entries", Int64(writtenRows))
    try a.set("chunk_rows", Int64(chunkRows))
    try a.set("codec", codec.description)
    let order = try JSONEncoder().encode(columns.map(\.name))
    try a.set("columns", String(decoding: order, as: UTF8.self))
    let schema = try JSONEncoder().encode(columns)
    try a.set("schema", String(decoding: schema, as: UTF8.self))
    try a.set("mode", attributes.mode)
    try a.set("sample", attributes.sample)
    try a.set("proc", attributes.proc)
    try a.set("short_name", attributes.shortName)
    try a.set("cms_energy", attributes.cmsEnergy)
    try a.set("decay", attributes.decay)
    try a.set("provenance", attributes.provenance)
    if !attributes.truth.isEmpty { try a.set("truth", attributes.truth) }
    // Chunk addresses are final once written (closing moves only metadata).
    let locations: [[ChunkLocation?]]? = writesIndex
      ? try datasets.map { d in
        try stride(from: 0, to: writtenRows, by: chunkRows).map { start in
          try d.chunkLocation(at: start)
        }
      } : nil
    let groupName = group.name
    datasets = []
    self.group = nil
    try file.close()
    self.file = nil
    // An index of a file this one replaces must not outlive it (it would be
    // trusted if the sizes agree).
    unlink(ChunkIndex.path(for: path))
    try AtomicFile.commit(temporaryPath, to: path, durable: durable)
    finished = true
    if let locations {
      // After the file: a crash in between leaves a file without an index
      // (read through HDF5), never an index without its file's content.
      var st = stat()
      guard stat(path, &st) == 0 else { throw ColumnStoreError(.io, path: path, "\(path): cannot stat the new file") }
      let index = ChunkIndex.encode(
        fileBytes: Int(st.st_size), rows: writtenRows, chunkRows: chunkRows, group: groupName, codec: codec.description,
        schema: columns, locations: locations, statistics: self.stats)
      try AtomicFile.write(index, to: ChunkIndex.path(for: path), durable: durable)
    }
    return writtenRows
  }

  /// Encodes and writes all whole staged chunks (and, when `final`, the
  /// last partial chunk, zero-padded to full size as HDF5 stores edge
  /// chunks). Chunks are compressed and summarised in parallel; a chunk
  /// stored raw is written straight from the staging buffer.
  private func flush(final: Bool) throws {
    let whole = stagedRows / chunkRows
    let partial = final && stagedRows % chunkRows > 0 ? 1 : 0
    let nchunks = whole + partial
    guard nchunks > 0 else { return }
    let rows = whole * chunkRows + (partial == 1 ? stagedRows % chunkRows : 0)
    let newTotal = writtenRows + rows
    for d in datasets { try d.setExtent(newTotal) }
    let pipeline = codec.pipeline
    let types = columns.map(\.type)
    let chunk = chunkRows
    let jobs = columns.count * nchunks
    // Results: the encoded bytes (nil when a full chunk is stored raw) and the statistics.
    let encoded: [(bytes: [UInt8]?, stats: ChunkStatistics)] = try staging.withUnsafeBufferPointer { stage in
      nonisolated(unsafe) let stage = stage
      return try parallelMap(jobs, threads: threads) { job in
        let (ci, k) = job.quotientAndRemainder(dividingBy: nchunks)
        let w = types[ci].byteWidth
        let lo = k * chunk
        let hi = min(lo + chunk, rows)
        return try stage[ci].withUnsafeBytes { all in
          let raw = UnsafeRawBufferPointer(rebasing: all[(lo * w)..<(hi * w)])
          let stats = ChunkStatistics(type: types[ci], bytes: raw)
          if hi - lo == chunk {
            return (pipeline.isEmpty ? nil : try ChunkCodec.encode(raw, pipeline: pipeline, elementSize: w), stats)
          }
          var padded = [UInt8](repeating: 0, count: chunk * w)
          padded.withUnsafeMutableBytes { $0.copyMemory(from: raw) }
          return (try padded.withUnsafeBytes { try ChunkCodec.encode($0, pipeline: pipeline, elementSize: w) }, stats)
        }
      }
    }
    for job in 0..<jobs {
      let (ci, k) = job.quotientAndRemainder(dividingBy: nchunks)
      let w = types[ci].byteWidth
      if let bytes = encoded[job].bytes {
        try bytes.withUnsafeBytes { try datasets[ci].writeChunk(at: writtenRows + k * chunk, bytes: $0) }
      } else {
        try staging[ci].withUnsafeBytes {
          try datasets[ci].writeChunk(
            at: writtenRows + k * chunk, bytes: UnsafeRawBufferPointer(rebasing: $0[(k * chunk * w)..<((k + 1) * chunk * w)]))
        }
      }
      stats[ci].append(encoded[job].stats)
    }
    for ci in staging.indices { staging[ci].removeFirst(rows * types[ci].byteWidth) }
    stagedRows -= rows
    writtenRows = newTotal
  }
}
