/// A basket embedded in TBranch.fBaskets (the values only).
struct ROOTEmbeddedBasket: Sendable {
  var entries: Int
  var values: [UInt8]
}

/// What the reader learned about one TBranch.
struct ROOTBranchModel: Sendable {
  var name: String
  var title: String
  var className: String
  var leafClass: String = ""
  var leafCount = 0
  var fLen = 1
  var isUnsigned = false
  var hasLeafCount = false
  var subBranches = 0
  var entries = 0
  var writeBasket = 0
  var basketBytes: [Int] = []
  var basketEntry: [Int] = []
  var basketSeek: [Int] = []
  var embedded: [ROOTEmbeddedBasket] = []
  var fileName = ""
  /// Set when the reader cannot parse this branch (unknown class reference, ...).
  var problem: String?

  /// The column type of a flat branch, or the reason it is not flat.
  var flatType: Result<ColumnType, SkipReason> {
    if let problem { return .failure(SkipReason(problem)) }
    guard className == "TBranch" else {
      return .failure(SkipReason("\(className) (object, string or STL branch)"))
    }
    if subBranches > 0 { return .failure(SkipReason("has \(subBranches) sub-branches")) }
    if leafCount != 1 { return .failure(SkipReason("leaf list with \(leafCount) leaves")) }
    if hasLeafCount { return .failure(SkipReason("variable-length array (\(leafClass))")) }
    if fLen != 1 { return .failure(SkipReason("fixed-size array of \(fLen) (\(leafClass))")) }
    if !fileName.isEmpty { return .failure(SkipReason("baskets stored in another file '\(fileName)'")) }
    let u = isUnsigned
    switch leafClass {
    case "TLeafO": return .success(.bool)
    case "TLeafB": return .success(u ? .uint8 : .int8)
    case "TLeafS": return .success(u ? .uint16 : .int16)
    case "TLeafI": return .success(u ? .uint32 : .int32)
    case "TLeafL", "TLeafG": return .success(u ? .uint64 : .int64)
    case "TLeafF": return .success(.float32)
    case "TLeafD": return .success(.float64)
    case "TLeafC": return .failure(SkipReason("string (TLeafC)"))
    case "TLeafF16", "TLeafD32": return .failure(SkipReason("packed float (\(leafClass))"))
    default: return .failure(SkipReason("unsupported leaf class \(leafClass)"))
    }
  }

  struct SkipReason: Error { var text: String; init(_ t: String) { text = t } }
}

/// What the reader learned about one TTree.
struct ROOTTreeModel: Sendable {
  var name: String
  var title: String
  var className: String
  var classVersion: Int
  var entries: Int
  var branches: [ROOTBranchModel]
}

/// Parses a TTree (or TNtuple/TNtupleD) object up to fBranches.
///
/// Offsets of class tags count from the start of the key, so the parser must
/// know fKeylen (`tagKey = position in object + keylen + 2`).
struct ROOTTreeParser {
  var c: ROOTCursor
  let keylen: Int
  let file: ROOTFileName
  /// Class names by tag key.
  var classes: [Int: String] = [:]

  init(object: [UInt8], keylen: Int, file: ROOTFileName, context: String) {
    c = ROOTCursor(object, base: nil, file: file, context: context)
    self.keylen = keylen
    self.file = file
    classes = ROOTTreeParser.scanClassTags(object, keylen: keylen)
  }

  /// Registers every `FF FF FF FF <name> NUL` in the buffer: class names
  /// defined inside skipped objects can be referenced later.
  static func scanClassTags(_ data: [UInt8], keylen: Int) -> [Int: String] {
    var out: [Int: String] = [:]
    let n = data.count
    var i = 0
    while i + 5 < n {
      if data[i] == 0xFF, data[i + 1] == 0xFF, data[i + 2] == 0xFF, data[i + 3] == 0xFF {
        var j = i + 4
        let limit = min(n, j + 256)
        while j < limit, isNameByte(data[j]) { j += 1 }
        if j > i + 4, j < limit, data[j] == 0, isNameStart(data[i + 4]) {
          out[i + keylen + 2] = String(decoding: data[(i + 4)..<j], as: UTF8.self)
          i = j + 1
          continue
        }
      }
      i += 1
    }
    return out
  }

  static func isNameStart(_ b: UInt8) -> Bool {
    (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
  }

  static func isNameByte(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || isNameStart(b) || b == 0x3A || b == 0x3C || b == 0x3E
      || b == 0x2C || b == 0x20 || b == 0x2A
  }

  /// A pointer slot ("object-any"): returns the class name (nil for a null
  /// pointer), the start of the object body and the end of the slot.
  enum Slot {
    case null
    case reference  // an object read earlier
    case object(className: String?, body: Int, end: Int?)
  }

  mutating func slot(_ what: String) throws -> Slot {
    let slotStart = c.pos
    let a = try c.u32()
    var end: Int? = nil
    var tag = a
    var tagPos = slotStart
    if a & 0x4000_0000 != 0, a != 0xFFFF_FFFF {
      let e = slotStart + 4 + Int(a & 0x3FFF_FFFF)
      guard e <= c.data.count else {
        throw c.error("\(what) at \(c.describe(slotStart)): byte count runs past the end of the object")
      }
      end = e
      tagPos = c.pos
      tag = try c.u32()
    }
    if tag == 0 { return .null }
    if tag == 0xFFFF_FFFF {
      let name = try c.cString(limit: 512)
      classes[tagPos + keylen + 2] = name
      return .object(className: name, body: c.pos, end: end)
    }
    if tag & 0x8000_0000 == 0 {
      if let end { c.pos = end }
      return .reference
    }
    let key = Int(tag & 0x7FFF_FFFF)
    return .object(className: classes[key], body: c.pos, end: end)
  }

  /// TObjArray header; returns (item count, end of the array).
  mutating func objArrayHeader(_ what: String) throws -> (count: Int, end: Int?) {
    let (end, _) = try c.countAndVersion(what)
    try c.skipTObject()
    _ = try c.string()  // fName
    let n = try c.count32("\(what) size", limit: c.remaining / 4 + 1)
    _ = try c.i32()  // lower bound
    return (n, end)
  }

  mutating func parseTree(className: String) throws -> ROOTTreeModel {
    let treeCtx = c.context
    // TNtuple/TNtupleD: byte count + version, a whole TTree, then fNvar (ignored).
    if className == "TNtuple" || className == "TNtupleD" {
      _ = try c.countAndVersion(className)
    }
    // Everything after fBranches (fLeaves, aliases, friends...) is ignored.
    let (_, version) = try c.countAndVersion("TTree")
    guard (16...20).contains(version) else {
      throw file.unsupported("\(treeCtx): TTree class version \(version) not supported (16-20 are)")
    }
    let (name, title) = try c.named("TTree")
    try c.skipObject("TAttLine")
    try c.skipObject("TAttFill")
    try c.skipObject("TAttMarker")
    let entries = try c.int64()
    guard entries >= 0 else { throw c.error("negative fEntries \(entries)") }
    switch version {
    case 20, 19, 18:
      try c.skip(8 * 4 + 8 + 4 * 4)
      if version >= 19 {
        let nClusterRange = try c.count32("fNClusterRange", limit: c.remaining / 8)
        try c.skip(8 * 6)
        for _ in 0..<2 {
          let present = try c.u8()
          if present != 0 { try c.skip(8 * nClusterRange) }
        }
        if version == 20 { try c.skipObject("TTree fIOFeatures") }
      } else {
        try c.skip(8 * 6)
      }
    case 17:
      try c.skip(8 * 3 + 8 + 4 * 4 + 8 * 5)
    default:  // 16
      try c.skip(8 * 3 + 8 + 4 * 3 + 8 * 5)
    }
    // fBranches
    let (n, arrayEnd) = try objArrayHeader("TTree fBranches")
    var branches: [ROOTBranchModel] = []
    for i in 0..<n {
      c.context = "\(treeCtx): branch \(i)"
      let s = try slot("branch \(i)")
      guard case .object(let cls, let body, let end) = s else { continue }
      guard let end else { throw c.error("branch \(i) has no byte count") }
      c.pos = body
      var b: ROOTBranchModel
      if cls == "TBranch" {
        b = try parseBranch()
      } else {
        b = ROOTBranchModel(name: peekName() ?? "(branch \(i))", title: "", className: cls ?? "?")
        if cls == nil { b.problem = "unresolved class reference" }
      }
      c.pos = end
      branches.append(b)
    }
    c.context = treeCtx
    try c.finish(arrayEnd, "TTree fBranches")
    return ROOTTreeModel(
      name: name, title: title, className: className, classVersion: version, entries: entries,
      branches: branches)
  }

  /// The fName of an object whose TNamed is reached through nested base classes
  /// (TBranchElement → TBranch → TNamed). Does not move the cursor.
  func peekName() -> String? {
    var p = self.c
    for _ in 0..<5 {
      guard let (_, _) = try? p.countAndVersion("object") else { return nil }
      guard p.remaining >= 4 else { return nil }
      let next = UInt32(p.data[p.pos]) << 24 | UInt32(p.data[p.pos + 1]) << 16
      if next & 0x4000_0000 == 0 {  // a TObject version, not a byte count
        guard (try? p.skipTObject()) != nil, let name = try? p.string() else { return nil }
        return name
      }
    }
    return nil
  }

  mutating func parseBranch() throws -> ROOTBranchModel {
    let ctx = c.context
    let (end, version) = try c.countAndVersion("TBranch")
    let (name, title) = try c.named("TBranch")
    c.context = "\(ctx) '\(name)'"
    guard (10...13).contains(version) else {
      throw file.unsupported("\(c.context): TBranch class version \(version) not supported (10-13 are)")
    }
    var b = ROOTBranchModel(name: name, title: title, className: "TBranch")
    try c.skipObject("TAttFill")
    _ = try c.i32()  // fCompress
    _ = try c.i32()  // fBasketSize
    _ = try c.i32()  // fEntryOffsetLen
    b.writeBasket = try c.int32()
    _ = try c.i64()  // fEntryNumber
    if version >= 13 { try c.skipObject("TBranch fIOFeatures") }
    _ = try c.i32()  // fOffset
    let maxBaskets = Int(try c.u32())
    guard maxBaskets <= c.remaining else {
      throw c.error("fMaxBaskets \(maxBaskets) larger than the remaining \(c.remaining) bytes")
    }
    _ = try c.i32()  // fSplitLevel
    b.entries = try c.int64()
    guard b.entries >= 0 else { throw c.error("negative fEntries \(b.entries)") }
    if version >= 11 { _ = try c.i64() }  // fFirstEntry
    _ = try c.i64()  // fTotBytes
    _ = try c.i64()  // fZipBytes

    // fBranches: only the count matters (sub-branches make it non-flat).
    let (nsub, subEnd) = try objArrayHeader("TBranch fBranches")
    b.subBranches = nsub
    if let subEnd { c.pos = subEnd } else if nsub > 0 { throw c.error("fBranches without byte count") }

    // fLeaves
    let (nleaves, leavesEnd) = try objArrayHeader("TBranch fLeaves")
    b.leafCount = nleaves
    if nleaves == 1 {
      let s = try slot("leaf")
      if case .object(let cls, let body, let leafEnd) = s {
        b.leafClass = cls ?? "?"
        c.pos = body
        try parseLeaf(into: &b)
        if let leafEnd { c.pos = leafEnd }
      } else {
        b.problem = "leaf is not stored inline"
      }
    }
    if let leavesEnd { c.pos = leavesEnd } else if nleaves > 1 { throw c.error("fLeaves without byte count") }

    // fBaskets (embedded baskets)
    let (nbaskets, basketsEnd) = try objArrayHeader("TBranch fBaskets")
    for k in 0..<nbaskets {
      let s = try slot("embedded basket \(k)")
      guard case .object(_, let body, let bend) = s else { continue }
      c.pos = body
      if let basket = try parseEmbeddedBasket(k, end: bend) { b.embedded.append(basket) }
      if let bend { c.pos = bend }
    }
    if let basketsEnd { c.pos = basketsEnd }

    // fBasketBytes, fBasketEntry, fBasketSeek
    func array(_ width: Int, _ what: String) throws -> [Int] {
      let present = try c.u8()
      if present == 0 { return [] }
      try c.need(maxBaskets * width)
      var out = [Int]()
      out.reserveCapacity(maxBaskets)
      for _ in 0..<maxBaskets { out.append(width == 4 ? try c.int32() : try c.int64()) }
      return out
    }
    b.basketBytes = try array(4, "fBasketBytes")
    b.basketEntry = try array(8, "fBasketEntry")
    b.basketSeek = try array(8, "fBasketSeek")
    b.fileName = try c.string()
    try c.finish(end, "TBranch")
    c.context = ctx
    return b
  }

  mutating func parseLeaf(into b: inout ROOTBranchModel) throws {
    let known = ["TLeafO", "TLeafB", "TLeafS", "TLeafI", "TLeafL", "TLeafG", "TLeafF", "TLeafD"]
    guard known.contains(b.leafClass) else { return }  // skipped as non-flat
    let (_, v1) = try c.countAndVersion(b.leafClass)
    guard v1 == 1 else {
      throw file.unsupported("\(c.context): \(b.leafClass) class version \(v1) not supported (1 is)")
    }
    let (leafEnd, v2) = try c.countAndVersion("TLeaf")
    guard v2 == 2 else {
      throw file.unsupported("\(c.context): TLeaf class version \(v2) not supported (2 is)")
    }
    _ = try c.named("TLeaf")
    b.fLen = try c.int32()
    _ = try c.i32()  // fLenType
    _ = try c.i32()  // fOffset
    _ = try c.u8()  // fIsRange
    b.isUnsigned = try c.u8() != 0
    let s = try slot("fLeafCount")
    if case .null = s {} else { b.hasLeafCount = true }
    _ = leafEnd
  }

  /// An embedded TBasket: a TKey header and the basket fields, then (if the
  /// flag has the +10 part) fLast bytes whose first fKeylen copy the header.
  mutating func parseEmbeddedBasket(_ k: Int, end: Int?) throws -> ROOTEmbeddedBasket? {
    let start = c.pos
    let saved = c.context
    c.context = "\(saved): embedded basket \(k)"
    defer { c.context = saved }
    try c.skip(4)  // fNbytes
    _ = try c.i16()  // version
    try c.skip(4 + 4)  // fObjlen, fDatime
    let bkeylen = Int(try c.i16())
    guard bkeylen >= 18 + 9 else { throw c.error("fKeylen \(bkeylen) too small") }
    try c.seek(start)
    try c.need(bkeylen)
    c.pos = start + bkeylen - 9
    let nevBuf = try c.int32()
    let last = try c.int32()
    let flag = Int(try c.u8())
    guard (flag / 10) & 1 == 1 else { return nil }  // header-only copy
    if flag % 10 == 1 {
      let n = try c.count32("entry-offset count", limit: c.remaining / 4)
      try c.skip(4 * n)
    }
    guard nevBuf >= 0, last >= bkeylen else {
      throw c.error("fNevBuf \(nevBuf) / fLast \(last) inconsistent with fKeylen \(bkeylen)")
    }
    let buf = try c.bytes(last)
    let values = Array(buf.dropFirst(bkeylen))
    return ROOTEmbeddedBasket(entries: nevBuf, values: values)
  }
}
