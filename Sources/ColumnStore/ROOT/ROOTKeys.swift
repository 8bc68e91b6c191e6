/// The ROOT file header (offset 0).
struct ROOTHeader: Sendable {
  var version: Int
  var begin: Int
  var end: Int
  var seekFree: Int
  var nbytesName: Int
  var compress: Int
  var seekInfo: Int
  var isBig: Bool

  static func read(_ src: ROOTByteSource) throws -> ROOTHeader {
    let bytes = try src.readUpTo(0, 64, "file header")
    var c = ROOTCursor(bytes, base: 0, file: src.file, context: "file header")
    guard bytes.count >= 4, bytes[0..<4] == [0x72, 0x6F, 0x6F, 0x74] else {
      if bytes.count < 4 {
        throw src.file.corrupt("file header: file is \(src.size) bytes, too short for a ROOT file")
      }
      throw src.file.corrupt("file header: not a ROOT file (magic is not 'root')")
    }
    try c.skip(4)
    let version = try c.int32()
    let big = version >= 1_000_000
    let begin = try c.int32()
    var h = ROOTHeader(
      version: version, begin: begin, end: 0, seekFree: 0, nbytesName: 0, compress: 0, seekInfo: 0,
      isBig: big)
    if big {
      h.end = try c.int64()
      h.seekFree = try c.int64()
      _ = try c.i32()  // fNbytesFree
      _ = try c.i32()  // nfree
      h.nbytesName = try c.int32()
      _ = try c.u8()  // fUnits
      h.compress = try c.int32()
      h.seekInfo = try c.int64()
    } else {
      h.end = try c.int32()
      h.seekFree = try c.int32()
      _ = try c.i32()
      _ = try c.i32()
      h.nbytesName = try c.int32()
      _ = try c.u8()
      h.compress = try c.int32()
      h.seekInfo = try c.int32()
    }
    guard begin > 0, begin < src.size else {
      throw src.file.corrupt("file header: fBEGIN \(begin) outside the \(src.size)-byte file")
    }
    guard h.nbytesName > 0, h.nbytesName < src.size else {
      throw src.file.corrupt("file header: fNbytesName \(h.nbytesName) out of range")
    }
    return h
  }
}

/// A TKey header.
struct ROOTKey: Sendable {
  var offset: Int  // where the header was read (file offset)
  var nbytes: Int
  var version: Int
  var objlen: Int
  var keylen: Int
  var cycle: Int
  var seekKey: Int
  var seekPdir: Int
  var className: String
  var name: String
  var title: String

  var isCompressed: Bool { nbytes - keylen != objlen }

  /// Parses a key header at the cursor; leaves the cursor after the three strings.
  static func parse(_ c: inout ROOTCursor) throws -> ROOTKey {
    let start = c.pos
    let offset = (c.base ?? 0) + start
    let saved = c.context
    c.context = "TKey at offset \(offset)"
    defer { c.context = saved }
    let nbytes = try c.int32()
    let version = Int(try c.i16())
    let objlen = try c.int32()
    try c.skip(4)  // fDatime
    let keylen = Int(try c.i16())
    let cycle = Int(try c.i16())
    let big = version > 1000
    let seekKey = big ? try c.int64() : try c.int32()
    let seekPdir = big ? try c.int64() : try c.int32()
    let className = try c.string()
    let name = try c.string()
    let title = try c.string()
    guard objlen >= 0 else { throw c.error("negative fObjlen \(objlen)") }
    guard keylen >= c.pos - start else {
      throw c.error("fKeylen \(keylen) shorter than the key header (\(c.pos - start) bytes)")
    }
    return ROOTKey(
      offset: offset, nbytes: nbytes, version: version, objlen: objlen, keylen: keylen,
      cycle: cycle, seekKey: seekKey, seekPdir: seekPdir, className: className, name: name,
      title: title)
  }

  /// Reads the object this key points to, decompressing it if needed.
  func readObject(_ src: ROOTByteSource, what: String) throws -> [UInt8] {
    let ctx = "\(what) (TKey at offset \(seekKey))"
    guard nbytes >= keylen, let objStart = seekKey.adding(keylen) else {
      throw src.file.corrupt("\(ctx): fNbytes \(nbytes) smaller than fKeylen \(keylen)")
    }
    let stored = try src.read(objStart, nbytes - keylen, ctx)
    if !isCompressed { return stored }
    return try stored.withUnsafeBytes {
      try ROOTCompression.decompress($0, objlen: objlen, file: src.file, what: ctx)
    }
  }
}

/// A TDirectory record and its keys.
struct ROOTDirectory {
  var seekKeys: Int
  var nbytesKeys: Int
  var keys: [ROOTKey]

  /// Reads the directory record at `offset` and its key list.
  static func read(_ src: ROOTByteSource, at offset: Int, what: String) throws -> ROOTDirectory {
    let rec = try src.readUpTo(offset, 64, "\(what) record at offset \(offset)")
    var c = ROOTCursor(rec, base: offset, file: src.file, context: "\(what) record at offset \(offset)")
    let version = Int(try c.i16())
    try c.skip(8)  // ctime, mtime
    let nbytesKeys = try c.int32()
    _ = try c.int32()  // fNbytesName
    let big = version > 1000
    _ = big ? try c.int64() : try c.int32()  // fSeekDir
    _ = big ? try c.int64() : try c.int32()  // fSeekParent
    let seekKeys = big ? try c.int64() : try c.int32()
    guard nbytesKeys >= 0, seekKeys >= 0 else {
      throw c.error("negative fSeekKeys \(seekKeys) or fNbytesKeys \(nbytesKeys)")
    }
    if seekKeys == 0 {
      return ROOTDirectory(seekKeys: 0, nbytesKeys: 0, keys: [])
    }
    let listWhat = "\(what) key list at offset \(seekKeys)"
    let list = try src.read(seekKeys, nbytesKeys, listWhat)
    var k = ROOTCursor(list, base: seekKeys, file: src.file, context: listWhat)
    let head = try ROOTKey.parse(&k)
    try k.seek(head.keylen)
    let n = try k.count32("number of keys", limit: list.count / 20)
    var keys: [ROOTKey] = []
    keys.reserveCapacity(n)
    for _ in 0..<n {
      let start = k.pos
      let key = try ROOTKey.parse(&k)
      guard let next = start.adding(key.keylen), next <= list.count else {
        throw src.file.corrupt("TKey at offset \(key.offset): fKeylen \(key.keylen) runs past the key list")
      }
      k.pos = next
      keys.append(key)
    }
    return ROOTDirectory(seekKeys: seekKeys, nbytesKeys: nbytesKeys, keys: keys)
  }
}
