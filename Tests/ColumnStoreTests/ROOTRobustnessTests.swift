import Foundation
import Testing
@testable import ColumnStore

/// Damaged files are rejected with messages naming the file and structure.
@Suite struct ROOTErrorTests {
  /// The file offset and key length of basket 0 of the first column of `tree`.
  func firstBasket(_ tree: ROOTTree) throws -> (seek: Int, keylen: Int) {
    guard case .disk(let seek, _, _) = try #require(tree.baskets.first?.first).location else {
      Issue.record("first basket is not on disk")
      return (0, 0)
    }
    return (seek, 0)
  }

  func message(_ bytes: [UInt8], _ name: String) -> String? {
    do {
      let file = try ROOTFile(bytes: bytes, name: name)
      for info in file.trees {
        let tree = try file.tree(named: info.path)
        for name in tree.columns.map(\.name) { _ = try tree.readAll(name) }
      }
      return nil
    } catch let e as ColumnStoreError {
      return e.message
    } catch {
      return "not a ColumnStoreError: \(error)"
    }
  }

  @Test func truncatedHeader() throws {
    let bytes = try ROOTTestFiles.bytes("vars_zlib.root")
    #expect(
      message(Array(bytes[0..<30]), "vars_zlib.root")
        == "vars_zlib.root: file header: truncated: needs 4 bytes at file offset 28, only 2 left")
    #expect(
      message(Array(bytes[0..<3]), "vars_zlib.root")
        == "vars_zlib.root: file header: file is 3 bytes, too short for a ROOT file")
    #expect(
      message([UInt8]("notroot....".utf8), "x.root") == "x.root: file header: not a ROOT file (magic is not 'root')")
  }

  @Test func truncatedKeyList() throws {
    let bytes = try ROOTTestFiles.bytes("vars_zlib.root")
    let cut = bytes.count - 200
    // uproot writes the baskets last: the first one (in branch order) that the
    // cut leaves incomplete is named, with its size and offset.
    let tree = try ROOTFile(bytes: bytes, name: "vars_zlib.root").tree()
    var want: String?
    search: for (c, column) in tree.columns.enumerated() {
      for ref in tree.baskets[c] {
        if case .disk(let seek, let size, let index) = ref.location, seek + size > cut {
          want = "vars_zlib.root: tree 'variables' branch '\(column.name)': basket \(index) (\(size) bytes at offset \(seek)) lies outside the \(cut)-byte file"
          break search
        }
      }
    }
    #expect(want != nil, "the last 200 bytes of vars_zlib.root hold basket data")
    #expect(message(Array(bytes[0..<cut]), "vars_zlib.root") == want)
    // C++ ROOT writes the key list at the end.
    let real = try ROOTTestFiles.bytes("real-root/uproot-sample-6.20.04-lz4.root")
    #expect(
      message(Array(real[0..<50000]), "s.root")
        == "s.root: root directory key list at offset 50851: 101 bytes at offset 50851 lie outside the 50000-byte file")
  }

  @Test func badCompressionMagic() throws {
    var bytes = try ROOTTestFiles.bytes("vars_zlib.root")
    let tree = try ROOTFile(bytes: bytes, name: "vars_zlib.root").tree()
    let (seek, _) = try firstBasket(tree)
    let keylen = Int(bytes[seek + 14]) << 8 | Int(bytes[seek + 15])
    #expect(bytes[seek + keylen] == UInt8(ascii: "Z") && bytes[seek + keylen + 1] == UInt8(ascii: "L"))
    bytes[seek + keylen] = UInt8(ascii: "Q")
    bytes[seek + keylen + 1] = UInt8(ascii: "Q")
    #expect(
      message(bytes, "vars_zlib.root")
        == "vars_zlib.root: TBasket 0 of branch '__experiment__' at offset \(seek): bad compression block magic 51 51 at byte 0 (expected ZL, XZ, L4 or ZS)"
    )
  }

  @Test func badLZ4Checksum() throws {
    var bytes = try ROOTTestFiles.bytes("vars_lz4.root")
    let tree = try ROOTFile(bytes: bytes, name: "vars_lz4.root").tree()
    let (seek, _) = try firstBasket(tree)
    let keylen = Int(bytes[seek + 14]) << 8 | Int(bytes[seek + 15])
    #expect(bytes[seek + keylen] == UInt8(ascii: "L") && bytes[seek + keylen + 1] == UInt8(ascii: "4"))
    bytes[seek + keylen + 9 + 7] ^= 0x01  // last byte of the stored checksum
    let block = seek + keylen
    let csize = Int(bytes[block + 3]) | Int(bytes[block + 4]) << 8 | Int(bytes[block + 5]) << 16
    let stored = bytes[(block + 9)..<(block + 17)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    let computed = XXH64.hash(Array(bytes[(block + 17)..<(block + 9 + csize)]))
    #expect(stored != computed)
    #expect(
      message(bytes, "vars_lz4.root")
        == "vars_lz4.root: TBasket 0 of branch '__experiment__' at offset \(seek): L4 block at byte 0: LZ4 checksum mismatch (stored \(ROOTCompression.hex64(stored)), computed \(ROOTCompression.hex64(computed)))"
    )
  }

  @Test func corruptZlibStream() throws {
    var bytes = try ROOTTestFiles.bytes("vars_zlib.root")
    let tree = try ROOTFile(bytes: bytes, name: "vars_zlib.root").tree()
    let (seek, _) = try firstBasket(tree)
    let keylen = Int(bytes[seek + 14]) << 8 | Int(bytes[seek + 15])
    for k in 11..<20 { bytes[seek + keylen + k] = 0xFF }
    let msg = message(bytes, "vars_zlib.root") ?? ""
    #expect(msg.hasPrefix("vars_zlib.root: TBasket 0 of branch '__experiment__' at offset \(seek): ZL block at byte 0: zlib inflate failed"), "\(msg)")
  }

  @Test func missingFile() {
    #expect {
      _ = try ROOTFile(path: "/nonexistent/file.root")
    } throws: { error in
      (error as? ColumnStoreError)?.kind == .fileNotFound
    }
  }

  @Test func unknownTreeAndColumn() throws {
    let file = try ROOTFile(path: ROOTTestFiles.path("vars_multitree_zlib.root"))
    let noTree = #expect(throws: ColumnStoreError.self) { _ = try file.tree(named: "nope") }
    #expect(noTree?.kind == .notFound)
    #expect(noTree?.message == "vars_multitree_zlib.root: no tree 'nope' (trees: variables, pions, subdir/variables)")
    let sample = try ROOTFile(path: ROOTTestFiles.path("real-root/uproot-sample-6.20.04-zlib.root")).tree()
    do {
      _ = try sample.read(columns: ["str"], chunk: 0)
      Issue.record("reading a skipped branch must fail")
    } catch let e as ColumnStoreError {
      #expect(e.kind == .unknownColumn)
      #expect(e.message == "branch 'str' of tree 'sample' is skipped: string (TLeafC)")
    }
  }
}

@Suite struct ROOTFuzzTests {
  /// A short run over the small files. A long run: set ROOT_FUZZ_CASES
  /// (e.g. 10000), and ROOT_FUZZ_ALL=1 to use every test file.
  @Test func fuzzShortRun() throws {
    let env = ProcessInfo.processInfo.environment
    let cases = env["ROOT_FUZZ_CASES"].flatMap { Int($0) } ?? 500
    let names =
      env["ROOT_FUZZ_ALL"] == nil
      ? [
        "real-root/uproot-sample-6.20.04-zlib.root", "real-root/uproot-sample-6.20.04-lz4.root",
        "real-root/uproot-sample-6.20.04-lzma.root", "real-root/uproot-sample-6.20.04-uncompressed.root",
        "real-root/uproot-issue21.root", "vars_multitree_zlib.root", "vars_empty.root", "vars_lzma.root",
      ] : ROOTTestFiles.all
    let report = try ROOTFuzzer.run(
      files: names.map(ROOTTestFiles.path), cases: cases, seed: UInt64(env["ROOT_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20240611))
    print(report)
    #expect(report.passed, "\(report)")
    #expect(report.cases == cases)
    #expect(report.rejected.values.reduce(0, +) > cases / 10, "most structural damage must be detected")
  }
}

@Suite struct ROOTRecoveryTests {
  /// A C++ ROOT file cut before its key list (a job that never closed its
  /// file): the recovery scan finds the tree and reads it completely.
  @Test(arguments: [
    "real-root/uproot-sample-6.20.04-zlib.root", "real-root/uproot-sample-6.20.04-uncompressed.root",
    "real-root/uproot-issue21.root",
  ])
  func recoverTruncatedFile(_ rel: String) throws {
    let original = try ROOTFile(path: ROOTTestFiles.path(rel))
    let bytes = try ROOTTestFiles.bytes(rel)
    let source = ROOTByteSource(bytes: bytes, name: rel)
    let header = try ROOTHeader.read(source)
    let dir = try ROOTDirectory.read(source, at: header.begin + header.nbytesName, what: "root directory")
    let treeKey = try #require(original.treeKeys[original.trees[0].path])
    #expect(treeKey.seekKey < dir.seekKeys)
    let cut = Array(bytes[0..<dir.seekKeys])
    let e = #expect(throws: ColumnStoreError.self) { _ = try ROOTFile(bytes: cut, name: rel) }
    #expect(e?.kind == .corruptFile)
    let fileName = rel.split(separator: "/").last.map(String.init) ?? rel
    #expect(e?.message.hasPrefix("\(fileName): root directory key list at offset \(dir.seekKeys): ") == true, "\(e?.message ?? "")")
    #expect(e?.message.hasSuffix(" lie outside the \(dir.seekKeys)-byte file") == true, "\(e?.message ?? "")")

    let recovered = try ROOTFile(bytes: cut, name: rel, recover: true)
    #expect(recovered.trees == original.trees)
    #expect(recovered.objects.filter { $0.className == "TTree" } == original.objects.filter { $0.className == "TTree" })
    let a = try original.tree()
    let b = try recovered.tree()
    for name in a.columns.map(\.name) {
      #expect(try a.readAll(name).bigEndianBytes == b.readAll(name).bigEndianBytes, "\(name)")
    }
  }

  @Test func recoveryNeedsRecords() throws {
    var bytes = try ROOTTestFiles.bytes("vars_zlib.root")
    for i in 100..<200 { bytes[i] = 0 }
    #expect {
      _ = try ROOTFile(bytes: bytes, name: "vars_zlib.root", recover: true)
    } throws: { error in
      (error as? ColumnStoreError)?.message == "vars_zlib.root: recovery scan: no records found from offset 100"
    }
  }
}
