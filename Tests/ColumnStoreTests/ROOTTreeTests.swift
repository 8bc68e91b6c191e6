import Numerics
import Dispatch
import Foundation
import Synchronization
import Testing
@testable import ColumnStore

/// The tree API: choice of tree, chunks, row ranges, thread safety, layouts.
@Suite struct ROOTTreeTests {
  func open(_ rel: String) throws -> ROOTFile { try ROOTFile(path: ROOTTestFiles.path(rel)) }

  /// A damaged tree does not hide the other trees of the file.
  @Test func damagedTreeKeepsOthersReadable() throws {
    let rel = "vars_multitree_zlib.root"
    let file = try open(rel)
    let key = try #require(file.treeKeys["pions"])
    var bytes = try ROOTTestFiles.bytes(rel)
    bytes[key.seekKey + key.keylen + 5] = 99  // TTree class version
    let damaged = try ROOTFile(bytes: bytes, name: rel)
    #expect(damaged.trees.map(\.path) == ["variables", "pions", "subdir/variables"])
    #expect(damaged.trees[1].error?.hasSuffix("TTree class version 99 not supported (16-20 are)") == true)
    let e = #expect(throws: ColumnStoreError.self) { _ = try damaged.tree(named: "pions") }
    #expect(e?.kind == .unsupported)
    #expect(e?.message
      == "\(rel): TTree 'pions' (TKey at offset \(key.seekKey)): TTree class version 99 not supported (16-20 are)")
    #expect(try damaged.tree().readAll("K_p").bigEndianBytes == file.tree().readAll("K_p").bigEndianBytes)
  }

  @Test func defaultTreeChoice() throws {
    #expect(try open("vars_multitree_zlib.root").tree().info.path == "variables")
    #expect(try open("real-root/uproot-sample-6.20.04-lz4.root").tree().info.path == "sample")
    #expect(try open("real-root/uproot-issue21.root").tree().info.path == "nllscan")
    let sub = try open("vars_multitree_zlib.root").tree(named: "subdir/variables")
    #expect(sub.rowCount == 500)
    #expect(sub.columns.map(\.name) == ["__event__", "x"])
    #expect(sub.info.directory == "subdir")
  }

  @Test func emptyTreeHasNoRows() throws {
    let tree = try open("vars_empty.root").tree()
    #expect(tree.rowCount == 0)
    #expect(tree.chunkRanges.isEmpty)
    #expect(tree.columns.count == 16)
    #expect(try tree.readAll("K_p") == .float64([]))
    #expect(try tree.read(columns: ["K_p"], rows: 0..<0)["K_p"]?.count == 0)
  }

  @Test func chunksFollowBasketBoundaries() throws {
    let tree = try open("vars_smallbaskets_zlib.root").tree()
    let side = try ROOTTestFiles.sidecar("vars_smallbaskets_zlib.root")
    let expected = side["expected"] as? [String: Any]
    let trees = expected?["trees"] as? [String: [String: Any]]
    let branches = trees?["variables"]?["branches"] as? [String: [String: Any]]
    let offsets = try #require(branches?["__experiment__"]?["basket_entry_offsets"] as? [Int])
    #expect(offsets.count == 101)
    let bounds = Set(offsets)
    #expect(tree.chunkRanges.first?.lowerBound == 0)
    #expect(tree.chunkRanges.last?.upperBound == tree.rowCount)
    for (a, b) in zip(tree.chunkRanges, tree.chunkRanges.dropFirst()) {
      #expect(a.upperBound == b.lowerBound)
    }
    for r in tree.chunkRanges { #expect(bounds.contains(r.upperBound)) }
  }

  @Test func arbitraryRowRangesMatchWholeColumns() throws {
    let tree = try open("vars_lz4.root").tree()  // uneven baskets: 1000, 5000, 12000, 2000, 10000
    let names = tree.columns.map(\.name)
    var whole: [String: ColumnBuffer] = [:]
    for n in names { whole[n] = try tree.readAll(n) }
    var rng = SplitMix64(seed: 7)
    for _ in 0..<20 {
      let a = rng.below(tree.rowCount)
      let b = a + rng.below(tree.rowCount - a + 1)
      let part = try tree.read(columns: names, rows: a..<b)
      for n in names {
        // Compare bytes: NaN != NaN for ColumnBuffer's ==.
        let same = part[n]?.bigEndianBytes == whole[n]?.slice(a..<b).bigEndianBytes
        #expect(same, "\(n) \(a)..<\(b)")
      }
    }
    let rows = #expect(throws: ColumnStoreError.self) { _ = try tree.read(columns: ["K_p"], rows: 0..<(tree.rowCount + 1)) }
    #expect(rows?.kind == .invalidInput)
    #expect(rows?.message == "vars_lz4.root: rows 0..<\(tree.rowCount + 1) outside 0..<\(tree.rowCount)")
    let chunk = #expect(throws: ColumnStoreError.self) { _ = try tree.read(columns: ["K_p"], chunk: tree.chunkRanges.count) }
    #expect(chunk?.kind == .invalidInput)
    #expect(chunk?.message == "vars_lz4.root: chunk \(tree.chunkRanges.count) out of range 0..<\(tree.chunkRanges.count)")
  }

  @Test func concurrentReadsAgree() throws {
    let tree = try open("vars_long_zstd.root").tree()  // 200,000 rows in 3 chunks
    #expect(tree.chunkRanges.count == 3)
    let names = tree.columns.map(\.name)
    let reference = try tree.chunkRanges.indices.map {
      try tree.read(columns: names, chunk: $0).mapValues(\.bigEndianBytes)
    }
    let mismatches = Mutex(0)
    let chunks = tree.chunkRanges.count
    DispatchQueue.concurrentPerform(iterations: 16) { i in
      let c = i % chunks
      let got = try? tree.read(columns: names.shuffled(), chunk: c)
      if got?.mapValues(\.bigEndianBytes) != reference[c] { mismatches.withLock { $0 += 1 } }
    }
    #expect(mismatches.withLock { $0 } == 0)
  }

  @Test func embeddedBasketsAreRead() throws {
    let tree = try open("real-root/uproot-issue21.root").tree()
    #expect(tree.info.classVersion == 19)
    #expect(tree.info.branches.allSatisfy { $0.baskets == 1 && $0.entries == 61 })
    guard case .embedded = try #require(tree.baskets.first?.first).location else {
      Issue.record("expected an embedded basket")
      return
    }
    #expect(try tree.readAll("status") == .int32(Array(repeating: 0, count: 61)))
  }

  @Test func skippedBranchesAreReported() throws {
    let tree = try open("real-root/uproot-sample-6.20.04-uncompressed.root").tree()
    #expect(tree.skippedBranches.count == 23)
    let reasons = Dictionary(uniqueKeysWithValues: tree.info.branches.map { ($0.name, $0.skipReason) })
    #expect(reasons["str"] == "string (TLeafC)")
    #expect(reasons["ai4"] == "fixed-size array of 3 (TLeafI)")
    #expect(reasons["Ai4"] == "variable-length array (TLeafI)")
    #expect(reasons["i4"] == .some(nil))
  }

  /// Rewrites the small header of an uproot file in the 64-bit layout and the
  /// root directory record with 64-bit seeks: the content must not change.
  @Test func bigHeaderAndDirectoryLayouts() throws {
    let rel = "vars_multitree_zlib.root"
    var bytes = try ROOTTestFiles.bytes(rel)
    func be32(_ o: Int) -> Int { Int(Int32(bitPattern: UInt32(bytes[o]) << 24 | UInt32(bytes[o + 1]) << 16 | UInt32(bytes[o + 2]) << 8 | UInt32(bytes[o + 3]))) }
    func be16(_ o: Int) -> Int { Int(bytes[o]) << 8 | Int(bytes[o + 1]) }
    func put(_ v: Int, _ width: Int, _ o: Int) {
      for k in 0..<width { bytes[o + k] = UInt8(truncatingIfNeeded: v >> (8 * (width - 1 - k))) }
    }
    let version = be32(4), begin = be32(8), end = be32(12), seekFree = be32(16), nbytesFree = be32(20)
    let nfree = be32(24), nbytesName = be32(28), units = Int(bytes[32]), compress = be32(33)
    let seekInfo = be32(37), nbytesInfo = be32(41)
    put(version + 1_000_000, 4, 4)
    put(begin, 4, 8)
    put(end, 8, 12)
    put(seekFree, 8, 20)
    put(nbytesFree, 4, 28)
    put(nfree, 4, 32)
    put(nbytesName, 4, 36)
    bytes[40] = UInt8(units)
    put(compress, 4, 41)
    put(seekInfo, 8, 45)
    put(nbytesInfo, 4, 53)
    // Root directory record: version, ctime, mtime, nbytesKeys, nbytesName, then 3 seeks.
    let dir = begin + nbytesName
    let dversion = be16(dir)
    let seeks = [be32(dir + 18), be32(dir + 22), be32(dir + 26)]
    put(dversion + 1000, 2, dir)
    for (k, s) in seeks.enumerated() { put(s, 8, dir + 18 + 8 * k) }

    let big = try ROOTFile(bytes: bytes, name: rel)
    let small = try open(rel)
    #expect(big.isBigFile && !small.isBigFile)
    #expect(big.version == 1_062_400)
    #expect(big.writerVersion == "6.24/00")
    #expect(big.trees == small.trees)
    #expect(try big.tree(named: "pions").readAll("pi_p") == small.tree(named: "pions").readAll("pi_p"))
  }

  /// A class version the reader does not know is a clear error naming it.
  @Test func unknownClassVersions() throws {
    let rel = "vars_zlib.root"
    let original = try ROOTTestFiles.bytes(rel)
    let file = try ROOTFile(bytes: original, name: rel)
    // uproot writes the TTree object uncompressed: byte count, then version 20.
    let key = try #require(file.treeKeys["variables"])
    #expect(!key.isCompressed)
    let object = key.seekKey + key.keylen
    #expect(original[object + 4] == 0 && original[object + 5] == 20)
    var bytes = original
    bytes[object + 5] = 21
    let expected = "vars_zlib.root: TTree 'variables' (TKey at offset \(key.seekKey)): TTree class version 21 not supported (16-20 are)"
    // The file opens (other trees stay readable); the tree lists its error.
    let damaged = try ROOTFile(bytes: bytes, name: rel)
    #expect(damaged.trees.first?.error == expected)
    do {
      _ = try damaged.tree()
      Issue.record("TTree v21 must be rejected")
    } catch let e as ColumnStoreError {
      #expect(e.kind == .unsupported)
      #expect(e.message == expected)
    }
    // The first TBranch: "FF FF FF FF TBranch\0", byte count, version 13.
    let tag: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF] + Array("TBranch".utf8) + [0]
    let at = try #require((object..<(object + 4000)).first { Array(original[$0..<($0 + tag.count)]) == tag })
    let v = at + tag.count + 4
    #expect(original[v] == 0 && original[v + 1] == 13)
    bytes = original
    bytes[v + 1] = 9
    do {
      _ = try ROOTFile(bytes: bytes, name: rel).tree()
      Issue.record("TBranch v9 must be rejected")
    } catch let e as ColumnStoreError {
      #expect(e.kind == .unsupported)
      #expect(e.message.hasSuffix("branch 0 '__experiment__': TBranch class version 9 not supported (10-13 are)"), "\(e.message)")
    }
  }
}

@Suite struct ROOTCycleTests {
  /// Renames the key of `variables` in the top key list to `pions` with
  /// cycle 2: the highest cycle of `pions` must win (and hold 3000 entries).
  @Test func highestCycleWins() throws {
    let rel = "vars_multitree_zlib.root"
    var bytes = try ROOTTestFiles.bytes(rel)
    let source = ROOTByteSource(bytes: bytes, name: rel)
    let header = try ROOTHeader.read(source)
    let dir = try ROOTDirectory.read(source, at: header.begin + header.nbytesName, what: "root directory")
    let key = try #require(dir.keys.first { $0.name == "variables" })
    // Layout: ... fCycle at +16, then 32-bit seeks (key version 4) or 64-bit, then the strings.
    let seekWidth = key.version > 1000 ? 8 : 4
    var p = key.offset + 16
    bytes[p] = 0
    bytes[p + 1] = 2  // fCycle = 2
    p += 2 + 2 * seekWidth
    p += 1 + Int(bytes[p])  // class name
    #expect(bytes[p] == 9)  // "variables"
    let titleLength = Int(bytes[p + 10])
    let title = Array(bytes[(p + 11)..<(p + 11 + titleLength)])
    var replacement: [UInt8] = [5] + Array("pions".utf8) + [UInt8(titleLength + 4)] + title + Array("    ".utf8)
    #expect(replacement.count == 1 + 9 + 1 + titleLength)
    for k in 0..<replacement.count { bytes[p + k] = replacement[k] }
    replacement.removeAll()

    let file = try ROOTFile(bytes: bytes, name: rel)
    #expect(file.objects.contains { $0.path == "pions" && $0.cycle == 2 && $0.className == "TTree" })
    #expect(file.objects.contains { $0.path == "pions" && $0.cycle == 1 })
    let pions = try #require(file.trees.first { $0.path == "pions" })
    #expect(pions.cycle == 2)
    #expect(pions.entries == 3000)
    #expect(file.trees.filter { $0.path == "pions" }.count == 1)
    #expect(try file.tree(named: "pions").rowCount == 3000)
  }
}

@Suite struct ROOTNtupleTests {
  /// A TNtuple is a byte count + version 2, a whole TTree, then Int32 fNvar.
  /// Wraps the TTree object of an uproot file that way (shifting fKeylen so
  /// that class-tag keys stay valid) and parses it as a TNtuple.
  @Test func ntupleWrapperIsParsed() throws {
    let rel = "vars_multitree_zlib.root"
    let file = try ROOTFile(path: ROOTTestFiles.path(rel))
    let key = try #require(file.treeKeys["pions"])
    let object = try key.readObject(file.source, what: "pions")
    let count = UInt32(object.count + 2 + 4) | 0x4000_0000
    let wrapped: [UInt8] =
      [UInt8(count >> 24), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF), 0, 2]
      + object + [0, 0, 0, 5]
    var plain = ROOTTreeParser(object: object, keylen: key.keylen, file: file.source.file, context: "TTree")
    var ntuple = ROOTTreeParser(
      object: wrapped, keylen: key.keylen - 6, file: file.source.file, context: "TNtuple")
    let a = try plain.parseTree(className: "TTree")
    let b = try ntuple.parseTree(className: "TNtuple")
    #expect(b.entries == 2000)
    #expect(b.branches.map(\.name) == a.branches.map(\.name))
    #expect(b.branches.map(\.leafClass) == a.branches.map(\.leafClass))
    #expect(b.branches.map(\.basketSeek) == a.branches.map(\.basketSeek))
  }
}

@Suite struct ROOTBasketLayoutTests {
  /// Without a fBasketEntry slot after the last basket, its count comes from
  /// the basket header; the layout must not change.
  @Test func lastBasketCountFromHeader() throws {
    let rel = "real-root/uproot-sample-6.20.04-zlib.root"
    let file = try ROOTFile(path: ROOTTestFiles.path(rel))
    let key = try #require(file.treeKeys["sample"])
    let object = try key.readObject(file.source, what: "sample")
    var parser = ROOTTreeParser(object: object, keylen: key.keylen, file: file.source.file, context: "TTree")
    let model = try parser.parseTree(className: "TTree")
    for branch in model.branches {
      guard case .success(let type) = branch.flatType else { continue }
      let full = try ROOTTreeLayout.basketRefs(branch, type: type, source: file.source, treePath: "sample")
      var cut = branch
      cut.basketEntry = Array(branch.basketEntry.prefix(full.count))
      cut.basketSeek = Array(branch.basketSeek.prefix(full.count))
      cut.basketBytes = Array(branch.basketBytes.prefix(full.count))
      let refs = try ROOTTreeLayout.basketRefs(cut, type: type, source: file.source, treePath: "sample")
      #expect(refs.map(\.rows) == full.map(\.rows), "\(branch.name)")
      #expect(refs.last?.rows.upperBound == 30)
    }
  }

  /// A tree without flat columns must not size anything by its (untrusted) fEntries.
  @Test func treeWithoutFlatColumns() throws {
    let source = ROOTByteSource(bytes: [UInt8]("root".utf8), name: "x.root")
    let model = ROOTTreeModel(
      name: "t", title: "", className: "TTree", classVersion: 20, entries: Int(Int64.max / 2),
      branches: [ROOTBranchModel(name: "s", title: "s/C", className: "TBranch", leafClass: "TLeafC", leafCount: 1)])
    let layout = try ROOTTreeLayout(model: model, source: source, treePath: "t")
    let info = ROOTTreeInfo(
      path: "t", directory: "", name: "t", title: "", className: "TTree", classVersion: 20, cycle: 1,
      entries: model.entries, branches: layout.infos)
    let tree = ROOTTree(info: info, layout: layout, source: source)
    #expect(tree.columns.isEmpty)
    #expect(tree.chunkRanges.count == 1)
    #expect(tree.skippedBranches == ["s"])
    #expect(try tree.read(columns: [], chunk: 0).isEmpty)
  }
}
