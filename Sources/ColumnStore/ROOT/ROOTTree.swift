import Dispatch
import Synchronization

/// Where the values of one basket are.
struct ROOTBasketRef: Sendable {
  enum Location: Sendable {
    case disk(seek: Int, bytes: Int, index: Int)
    case embedded([UInt8])
  }
  var rows: Range<Int>
  var location: Location
}

/// The flat columns of a tree and the baskets that hold them.
struct ROOTTreeLayout: Sendable {
  var infos: [ROOTBranchInfo] = []
  var columns: [ColumnInfo] = []
  var baskets: [[ROOTBasketRef]] = []
  var rowCount = 0

  init(model: ROOTTreeModel, source: ROOTByteSource, treePath: String) throws {
    rowCount = model.entries
    var seen = Set<String>()
    for b in model.branches {
      var info = ROOTBranchInfo(
        name: b.name, title: b.title, branchClass: b.className, leafClass: b.leafClass, type: nil,
        skipReason: nil, entries: b.entries, baskets: 0)
      switch b.flatType {
      case .failure(let reason):
        info.skipReason = reason.text
      case .success(let type):
        if seen.contains(b.name) {
          info.skipReason = "duplicate branch name"
          break
        }
        let refs = try Self.basketRefs(b, type: type, source: source, treePath: treePath)
        let total = refs.last?.rows.upperBound ?? 0
        info.baskets = refs.count
        if total != model.entries {
          info.skipReason = "its baskets hold \(total) entries, the tree has \(model.entries)"
          break
        }
        info.type = type
        seen.insert(b.name)
        columns.append(ColumnInfo(name: b.name, type: type))
        baskets.append(refs)
      }
      infos.append(info)
    }
  }

  /// The on-disk baskets of a branch, followed by its embedded baskets when
  /// the disk ones hold fewer than fEntries entries.
  static func basketRefs(
    _ b: ROOTBranchModel, type: ColumnType, source: ROOTByteSource, treePath: String
  ) throws -> [ROOTBasketRef] {
    let what = "tree '\(treePath)' branch '\(b.name)'"
    var n = 0
    while n < b.basketSeek.count, n != b.writeBasket, b.basketSeek[n] != 0 { n += 1 }
    guard b.basketEntry.count >= n, b.basketBytes.count >= n else {
      throw source.file.corrupt("\(what): basket arrays are shorter than its \(n) baskets")
    }
    var refs: [ROOTBasketRef] = []
    refs.reserveCapacity(n + b.embedded.count)
    var next = 0
    for i in 0..<n {
      let start = b.basketEntry[i]
      guard start == next else {
        throw source.file.corrupt("\(what): fBasketEntry[\(i)] is \(start), expected \(next)")
      }
      let seek = b.basketSeek[i]
      let bytes = b.basketBytes[i]
      guard seek > 0, bytes > 0, let stop = seek.adding(bytes), stop <= source.size else {
        throw source.file.corrupt(
          "\(what): basket \(i) (\(bytes) bytes at offset \(seek)) lies outside the \(source.size)-byte file")
      }
      var end: Int
      if i + 1 < b.basketEntry.count, b.basketEntry[i + 1] > start,
        i + 1 < n || b.basketEntry[i + 1] <= b.entries
      {
        end = b.basketEntry[i + 1]
      } else {
        // No usable slot after the last basket: its header has the count.
        end = start + (try basketEntryCount(source, seek: seek, bytes: bytes, what: "\(what): basket \(i)"))
      }
      guard end > start, end - start <= Int(Int32.max) else {
        throw source.file.corrupt(
          "\(what): basket \(i) has a bad entry range \(start)..<\(end) (fEntries \(b.entries))")
      }
      refs.append(ROOTBasketRef(rows: start..<end, location: .disk(seek: seek, bytes: bytes, index: i)))
      next = end
    }
    if next < b.entries {
      for (k, e) in b.embedded.enumerated() where e.entries > 0 {
        guard e.values.count == e.entries * type.byteWidth else {
          throw source.file.corrupt(
            "\(what): embedded basket \(k) holds \(e.values.count) bytes for \(e.entries) entries of \(type.rawValue)")
        }
        guard let end = next.adding(e.entries) else { throw source.file.corrupt("\(what): entry overflow") }
        refs.append(ROOTBasketRef(rows: next..<end, location: .embedded(e.values)))
        next = end
      }
    }
    return refs
  }
}

/// fNevBuf of the basket at `seek` (read from the end of its key header).
func basketEntryCount(_ source: ROOTByteSource, seek: Int, bytes: Int, what: String) throws -> Int {
  let head = try source.read(seek, min(bytes, 18), what)
  var c = ROOTCursor(head, base: seek, file: source.file, context: what)
  try c.skip(14)
  let keylen = Int(try c.i16())
  guard keylen >= 27, keylen <= bytes else {
    throw source.file.corrupt("\(what): bad fKeylen \(keylen) in the basket header at offset \(seek)")
  }
  let tail = try source.read(seek + keylen - 9, 4, what)
  var t = ROOTCursor(tail, base: seek + keylen - 9, file: source.file, context: what)
  let n = try t.int32()
  guard n >= 0 else { throw source.file.corrupt("\(what): negative fNevBuf \(n) at offset \(seek)") }
  return n
}

/// A flat TTree of a ROOT file, read as a `ColumnSource`.
///
/// Columns are the flat branches (one scalar of a fundamental type each);
/// the other branches are listed in `skippedBranches` with a reason in
/// `info.branches`: non-flat branches, a repeated branch name (the first
/// flat branch of a name is read), and branches whose baskets do not hold
/// exactly the tree's fEntries entries. Chunks are runs of
/// baskets of the first column (at least `targetChunkRows` rows, except
/// the last). Baskets of other columns need not align: they are sliced. Each
/// `read` reads and decompresses only the baskets it needs, in parallel.
public struct ROOTTree: ColumnSource {
  public static let targetChunkRows = 65_536

  public let info: ROOTTreeInfo
  public let columns: [ColumnInfo]
  public let rowCount: Int
  public let chunkRanges: [Range<Int>]
  let baskets: [[ROOTBasketRef]]
  let columnIndex: [String: Int]
  let source: ROOTByteSource
  /// Per column, the last decoded basket that reaches past the chunk that
  /// read it: baskets of other columns need not align with the chunks.
  let cache: BasketCache

  /// The names of the branches that are not read (non-flat, duplicate or short).
  public var skippedBranches: [String] { info.skippedBranches.map(\.name) }

  public var unreadableColumns: [String: String] {
    Dictionary(
      info.skippedBranches.map { b in (b.name, "the ROOT branch is \(b.skipReason ?? "not flat (\(b.leafClass))"); only flat numeric branches are read") },
      uniquingKeysWith: { a, _ in a })
  }

  init(info: ROOTTreeInfo, layout: ROOTTreeLayout, source: ROOTByteSource) {
    self.info = info
    self.columns = layout.columns
    self.rowCount = layout.rowCount
    self.baskets = layout.baskets
    self.source = source
    self.cache = BasketCache(columns: layout.columns.count)
    var index: [String: Int] = [:]
    for (i, c) in layout.columns.enumerated() { index[c.name] = i }
    self.columnIndex = index
    // Chunk boundaries: basket boundaries of the first column, merged.
    var ranges: [Range<Int>] = []
    if rowCount > 0 {
      // Without flat columns nothing can be read: one chunk (fEntries comes
      // from the file and must not size an array).
      let bounds: [Int] = layout.baskets.first?.map(\.rows.upperBound) ?? [rowCount]
      var lo = 0
      for b in bounds where b - lo >= Self.targetChunkRows || b == rowCount {
        if b > lo {
          ranges.append(lo..<b)
          lo = b
        }
      }
      if lo < rowCount { ranges.append(lo..<rowCount) }
    }
    self.chunkRanges = ranges
  }

  public func statistics(column: String, chunk: Int) -> ChunkStatistics? { nil }

  public func read(columns names: [String], chunk: Int) throws -> [String: ColumnBuffer] {
    guard chunkRanges.indices.contains(chunk) else {
      throw ColumnStoreError(
        .invalidInput, path: source.file.path,
        "\(source.file.name): chunk \(chunk) out of range 0..<\(chunkRanges.count)")
    }
    return try read(columns: names, rows: chunkRanges[chunk])
  }

  /// Reads `rows` of the named columns (any row range, not only chunks).
  public func read(columns names: [String], rows: Range<Int>) throws -> [String: ColumnBuffer] {
    guard rows.lowerBound >= 0, rows.upperBound <= rowCount else {
      throw ColumnStoreError(
        .invalidInput, path: source.file.path,
        "\(source.file.name): rows \(rows) outside 0..<\(rowCount)")
    }
    var cols: [Int] = []
    for name in names {
      guard let i = columnIndex[name] else {
        let why = info.branches.first { $0.name == name }?.skipReason
        throw ColumnStoreError(
          .unknownColumn, path: name,
          why.map { "branch '\(name)' of tree '\(info.path)' is skipped: \($0)" }
            ?? "no branch '\(name)' in tree '\(info.path)'")
      }
      cols.append(i)
    }
    // One job per (column, basket) overlapping the rows.
    var jobs: [ReadJob] = []
    for (k, ci) in cols.enumerated() {
      let list = baskets[ci]
      // the first basket that ends above rows.lowerBound
      var lo = 0
      var hi = list.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if list[mid].rows.upperBound <= rows.lowerBound { lo = mid + 1 } else { hi = mid }
      }
      var b = lo
      while b < list.count, list[b].rows.lowerBound < rows.upperBound {
        jobs.append(ReadJob(slot: k, column: ci, basket: b))
        b += 1
      }
    }
    // The output arrays are allocated first (nested `make` calls give all
    // their buffers at once); the jobs then fill disjoint parts in parallel.
    let errors = ReadErrors()
    let types = cols.map { columns[$0].type }
    var buffers: [ColumnBuffer] = []
    func allocate(_ k: Int, _ destinations: [UnsafeMutableRawBufferPointer]) {
      if k == types.count {
        fill(jobs, destinations, rows: rows, errors: errors)
        return
      }
      var rest: [ColumnBuffer] = []
      let buffer = ColumnBuffer.make(types[k], count: rows.count) { dst in
        allocate(k + 1, destinations + [dst])
        rest = buffers
      }
      buffers = [buffer] + rest
    }
    allocate(0, [])
    if let e = errors.first() { throw e }
    var out: [String: ColumnBuffer] = [:]
    for (k, ci) in cols.enumerated() { out[columns[ci].name] = buffers[k] }
    return out
  }

  private func fill(
    _ jobs: [ReadJob], _ destinations: [UnsafeMutableRawBufferPointer], rows: Range<Int>,
    errors: ReadErrors
  ) {
    let targets = Destinations(buffers: destinations)
    // Coalesce reads: baskets that follow each other on disk are read with
    // one pread (groups of up to 1 MiB / 256 baskets), then decoded one by one.
    var groups: [[Int]] = []
    var diskJobs: [(job: Int, seek: Int, bytes: Int)] = []
    for (j, job) in jobs.enumerated() {
      if case .disk(let seek, let bytes, _) = baskets[job.column][job.basket].location,
        !cache.contains(column: job.column, basket: job.basket)
      {
        diskJobs.append((j, seek, bytes))
      } else {
        groups.append([j])
      }
    }
    diskJobs.sort { $0.seek < $1.seek }
    var current: [Int] = []
    var spanStart = 0
    var spanEnd = 0
    for d in diskJobs {
      if !current.isEmpty, d.seek >= spanEnd, d.seek - spanEnd <= 4096,
        d.seek + d.bytes - spanStart <= 1 << 20, current.count < 256
      {
        current.append(d.job)
        spanEnd = d.seek + d.bytes
      } else {
        if !current.isEmpty { groups.append(current) }
        current = [d.job]
        spanStart = d.seek
        spanEnd = d.seek + d.bytes
      }
    }
    if !current.isEmpty { groups.append(current) }
    let groupList = groups

    let work: @Sendable (Int) -> Void = { [self] g in
      let group = groupList[g]
      // One read for a group of several disk baskets.
      var span: (start: Int, bytes: [UInt8])? = nil
      if group.count > 1,
        case .disk(let first, _, _) = baskets[jobs[group[0]].column][jobs[group[0]].basket].location,
        case .disk(let lastSeek, let lastBytes, _) = baskets[jobs[group[group.count - 1]].column][
          jobs[group[group.count - 1]].basket
        ].location
      {
        span = (first, (try? source.read(first, lastSeek + lastBytes - first, "baskets")) ?? [])
      }
      for j in group {
        let job = jobs[j]
        let ref = baskets[job.column][job.basket]
        let w = columns[job.column].type.byteWidth
        let from = max(rows.lowerBound, ref.rows.lowerBound)
        let to = min(rows.upperBound, ref.rows.upperBound)
        let d = targets.slice(job.slot, bytes: ((from - rows.lowerBound) * w)..<((to - rows.lowerBound) * w))
        var prefetched: [UInt8]? = nil
        if let span, case .disk(let seek, let bytes, _) = ref.location,
          seek - span.start + bytes <= span.bytes.count
        {
          prefetched = Array(span.bytes[(seek - span.start)..<(seek - span.start + bytes)])
        }
        do {
          try decodeBasket(
            ref, job: job, rows: from..<to, into: d, chunkEnd: rows.upperBound, prefetched: prefetched)
        } catch {
          // Bool bytes must stay 0 or 1 even in a buffer that is thrown away.
          d.initializeMemory(as: UInt8.self, repeating: 0)
          errors.add(j, error)
        }
      }
    }
    if groupList.count == 1 {
      work(0)
    } else if groupList.count > 1 {
      DispatchQueue.concurrentPerform(iterations: groupList.count, execute: work)
    }
  }

  /// Decodes `rows` of one basket into `dst` (native order).
  func decodeBasket(
    _ ref: ROOTBasketRef, job: ReadJob, rows: Range<Int>, into dst: UnsafeMutableRawBufferPointer,
    chunkEnd: Int, prefetched: [UInt8]? = nil
  ) throws {
    let type = columns[job.column].type
    let w = type.byteWidth
    let skip = (rows.lowerBound - ref.rows.lowerBound) * w
    func copy(_ values: UnsafeRawBufferPointer) {
      ROOTTree.swapCopy(UnsafeRawBufferPointer(rebasing: values[skip..<(skip + dst.count)]), dst, type: type)
    }
    if let hit = cache.lookup(column: job.column, basket: job.basket) {
      hit.withUnsafeBytes(copy)
      return
    }
    switch ref.location {
    case .embedded(let values):
      values.withUnsafeBytes(copy)
    case .disk(let seek, let bytes, let index):
      let name = columns[job.column].name
      let expected = ref.rows.count * w
      let what = "TBasket \(index) of branch '\(name)' at offset \(seek)"
      var raw = try prefetched ?? source.read(seek, bytes, what)
      var c = ROOTCursor(raw, base: seek, file: source.file, context: what)
      let nbytes = try c.int32()
      _ = try c.i16()  // key version
      let objlen = try c.int32()
      try c.skip(4)
      let keylen = Int(try c.i16())
      guard keylen >= 18 + 9, nbytes >= keylen, objlen >= 0 else {
        throw c.error("bad TKey (fNbytes \(nbytes), fKeylen \(keylen), fObjlen \(objlen))")
      }
      if nbytes != bytes {
        // Trust the key, re-read (bounded by the file size).
        raw = try source.read(seek, nbytes, what)
        c = ROOTCursor(raw, base: seek, file: source.file, context: what)
      }
      try c.seek(keylen - 9)
      let nevBuf = try c.int32()
      let last = try c.int32()
      guard nevBuf == ref.rows.count else {
        throw c.error("fNevBuf is \(nevBuf), fBasketEntry gives \(ref.rows.count) entries")
      }
      guard last - keylen == expected else {
        throw c.error("fLast - fKeylen is \(last - keylen) bytes, \(nevBuf) entries need \(expected)")
      }
      let stored = nbytes - keylen
      try raw.withUnsafeBytes { buf in
        let payload = UnsafeRawBufferPointer(rebasing: buf[keylen..<nbytes])
        if stored == objlen {
          guard expected <= stored else {
            throw c.error("fLast \(last) lies beyond the \(stored)-byte basket payload")
          }
          copy(payload)
          return
        }
        guard objlen >= expected else {
          throw c.error("fObjlen \(objlen) smaller than the \(expected) value bytes")
        }
        if objlen == expected, dst.count == expected {
          // The whole basket lands in this chunk: decompress in place, then swap.
          try ROOTCompression.decompress(payload, into: dst, file: source.file, what: what)
          ROOTTree.swapCopy(UnsafeRawBufferPointer(dst), dst, type: type)
          return
        }
        let values = try ROOTCompression.decompress(
          payload, objlen: objlen, file: source.file, what: what)
        values.withUnsafeBytes(copy)
        if ref.rows.upperBound > chunkEnd {
          cache.store(column: job.column, basket: job.basket, values: Array(values.prefix(expected)))
        }
      }
    }
  }

  /// The header of one on-disk basket and its compression blocks as
  /// (algorithm tag, compressed bytes without header/checksum, uncompressed
  /// bytes); nil for an embedded basket. For tests and diagnostics.
  func basketHeader(column: Int, basket: Int) throws -> (
    nevBuf: Int, keylen: Int, objlen: Int, nbytes: Int, last: Int, blocks: [(String, Int, Int)]
  )? {
    guard case .disk(let seek, let bytes, let index) = baskets[column][basket].location else { return nil }
    let what = "TBasket \(index) of branch '\(columns[column].name)' at offset \(seek)"
    let raw = try source.read(seek, bytes, what)
    var c = ROOTCursor(raw, base: seek, file: source.file, context: what)
    let key = try ROOTKey.parse(&c)
    try c.seek(key.keylen - 9)
    let nevBuf = try c.int32()
    let last = try c.int32()
    var blocks: [(String, Int, Int)] = []
    if key.isCompressed, key.nbytes <= raw.count {
      try raw.withUnsafeBytes { buf in
        let payload = UnsafeRawBufferPointer(rebasing: buf[key.keylen..<key.nbytes])
        for b in try ROOTCompression.scan(payload, objlen: key.objlen, file: source.file, what: what) {
          blocks.append((b.tag, b.tag == "L4" ? b.csize - 8 : b.csize, b.usize))
        }
      }
    }
    return (nevBuf, key.keylen, key.objlen, key.nbytes, last, blocks)
  }

  /// Copies big-endian values into native order (bool bytes normalised to
  /// 0/1). `d` must be aligned to the element width (it is part of a typed
  /// array); `s` may be unaligned, or the same memory as `d`.
  static func swapCopy(_ s: UnsafeRawBufferPointer, _ d: UnsafeMutableRawBufferPointer, type: ColumnType) {
    guard let dst = d.baseAddress, let src = s.baseAddress, d.count > 0 else { return }
    if src != UnsafeRawPointer(dst) { d.copyMemory(from: s) }
    // In place on aligned memory: simple loops the compiler vectorises.
    switch type.byteWidth {
    case 1:
      if type == .bool {
        d.withMemoryRebound(to: UInt8.self) { p in
          for i in p.indices { p[i] = p[i] == 0 ? 0 : 1 }
        }
      }
    case 2:
      d.withMemoryRebound(to: UInt16.self) { p in
        for i in p.indices { p[i] = p[i].byteSwapped }
      }
    case 4:
      d.withMemoryRebound(to: UInt32.self) { p in
        for i in p.indices { p[i] = p[i].byteSwapped }
      }
    default:
      d.withMemoryRebound(to: UInt64.self) { p in
        for i in p.indices { p[i] = p[i].byteSwapped }
      }
    }
  }
}

/// The last partly used basket of each column (see `ROOTTree.cache`).
final class BasketCache: Sendable {
  private let slots: Mutex<[Int: (basket: Int, values: [UInt8])]>

  init(columns: Int) { slots = Mutex([:]) }

  func contains(column: Int, basket: Int) -> Bool {
    slots.withLock { $0[column]?.basket == basket }
  }

  func lookup(column: Int, basket: Int) -> [UInt8]? {
    slots.withLock { s in
      guard let e = s[column], e.basket == basket else { return nil }
      return e.values
    }
  }

  func store(column: Int, basket: Int, values: [UInt8]) {
    slots.withLock { $0[column] = (basket, values) }
  }
}

struct ReadJob: Sendable {
  /// Index in the requested columns, column index in the tree, basket index.
  var slot: Int
  var column: Int
  var basket: Int
}

/// The output buffers of one read. Each job writes a disjoint byte range.
private struct Destinations: @unchecked Sendable {
  let buffers: [UnsafeMutableRawBufferPointer]
  func slice(_ k: Int, bytes: Range<Int>) -> UnsafeMutableRawBufferPointer {
    UnsafeMutableRawBufferPointer(rebasing: buffers[k][bytes])
  }
}

/// Errors of the parallel basket jobs.
private final class ReadErrors: Sendable {
  private let errors = Mutex<[(Int, any Error)]>([])

  func add(_ job: Int, _ error: any Error) {
    errors.withLock { $0.append((job, error)) }
  }

  /// The error of the lowest-numbered failed job (deterministic messages).
  func first() -> (any Error)? {
    errors.withLock { list in list.min { $0.0 < $1.0 }?.1 }
  }
}
