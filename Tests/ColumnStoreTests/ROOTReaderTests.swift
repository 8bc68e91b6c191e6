import Foundation
import Testing
@testable import ColumnStore

/// Every flat branch of every test file matches its sidecar JSON.
@Suite struct ROOTSidecarTests {
  static let files = ROOTTestFiles.all

  @Test func filesArePresent() {
    // 12 written by uproot, 5 by C++ ROOT (Tests/fixtures/make_fixtures.py).
    #expect(Self.files.count >= 17, "\(Self.files.count) test files: \(ROOTTestFiles.missingMessage)")
  }

  @Test(arguments: ROOTTestFiles.all)
  func fileMatchesSidecar(_ rel: String) throws {
    let side = try ROOTTestFiles.sidecar(rel)
    let expected = try #require(side["expected"] as? [String: Any])
    let file = try ROOTFile(path: ROOTTestFiles.path(rel))

    // Header
    let header = try #require(expected["header"] as? [String: Any])
    #expect(file.version == header["fVersion"] as? Int)
    #expect(file.compression == header["fCompress"] as? Int)
    #expect(file.writerVersion == header["writer_version_code"] as? String)

    // Objects: "path;cycle": class
    let objects = try #require(expected["objects"] as? [String: String])
    let got = Dictionary(
      file.objects.map { ("\($0.path);\($0.cycle)", $0.className) }, uniquingKeysWith: { a, _ in a })
    #expect(got == objects)

    // Trees
    let trees = try #require(expected["trees"] as? [String: [String: Any]])
    #expect(Set(file.trees.map(\.path)) == Set(trees.keys))
    for (path, t) in trees {
      let tree = try file.tree(named: path)
      #expect(tree.info.classVersion == t["class_version"] as? Int)
      let entries = try #require(t["num_entries"] as? Int)
      #expect(tree.rowCount == entries)
      #expect(tree.chunkRanges.reduce(0) { $0 + $1.count } == entries)
      let branches = try #require(t["branches"] as? [String: [String: Any]])
      let nonFlat = (t["non_flat_branches"] as? [String: Any]) ?? [:]
      #expect(Set(tree.columns.map(\.name)) == Set(branches.keys), "\(rel) \(path)")
      #expect(Set(tree.skippedBranches) == Set(nonFlat.keys), "\(rel) \(path)")
      for (name, b) in branches {
        try checkBranch(tree, name, b, label: "\(rel) \(path)/\(name)")
      }
    }
  }

  func checkBranch(_ tree: ROOTTree, _ name: String, _ b: [String: Any], label: String) throws {
    let info = try #require(tree.info.branches.first { $0.name == name })
    let dtype = try #require(b["dtype"] as? String)
    #expect(info.type?.rawValue == dtype, "\(label)")
    #expect(info.leafClass == b["leaf_class"] as? String, "\(label)")
    #expect(info.title == b["branch_title"] as? String, "\(label)")
    #expect(info.baskets == b["num_baskets"] as? Int, "\(label)")
    // Basket boundaries and the header of basket 0 (with its compression blocks).
    let ci = try #require(tree.columns.firstIndex { $0.name == name })
    let offsets = (b["basket_entry_offsets"] as? [Int]) ?? []
    #expect([0] + tree.baskets[ci].map(\.rows.upperBound) == offsets, "\(label)")
    if let first = b["first_basket"] as? [String: Any], let h = try tree.basketHeader(column: ci, basket: 0) {
      #expect(h.nevBuf == first["fNevBuf"] as? Int, "\(label)")
      #expect(h.keylen == first["fKeylen"] as? Int, "\(label)")
      #expect(h.objlen == first["fObjlen"] as? Int, "\(label)")
      #expect(h.nbytes == first["fNbytes"] as? Int, "\(label)")
      #expect(h.last == first["fLast"] as? Int, "\(label)")
      let names = ["ZL": "ZLIB", "XZ": "LZMA", "L4": "LZ4", "ZS": "ZSTD"]
      let blocks = h.blocks.map { "\(names[$0.0] ?? $0.0) \($0.1) \($0.2)" }
      let want = ((first["compression_blocks"] as? [[Any]]) ?? []).map { $0.map { "\($0)" }.joined(separator: " ") }
      #expect(blocks == want, "\(label)")
    }
    let column = try tree.readAll(name)
    #expect(column.count == b["num_entries"] as? Int, "\(label)")
    #expect(sha256Hex(column.bigEndianBytes) == b["sha256_bigendian"] as? String, "\(label)")

    let values = column.doubles
    func num(_ any: Any?) -> Double? {
      switch any {
      case let s as String:
        return s == "NaN" ? .nan : s == "Infinity" ? .infinity : s == "-Infinity" ? -.infinity : nil
      case let n as Int: return Double(n)
      case let d as Double: return d
      case let b as Bool: return b ? 1 : 0
      default: return nil
      }
    }
    func same(_ a: Double, _ b: Double?) -> Bool {
      // Foundation's JSON parser on Linux may miss the last bit of a double;
      // the SHA-256 above checks every bit exactly.
      guard let b else { return false }
      return a == b || (a.isNaN && b.isNaN) || false
    }
    let first = (b["first_values"] as? [Any]) ?? []
    let last = (b["last_values"] as? [Any]) ?? []
    #expect(first.count == min(5, values.count), "\(label)")
    for (i, v) in first.enumerated() where i < values.count {
      #expect(same(values[i], num(v)), "\(label) first[\(i)]")
    }
    for (i, v) in last.enumerated() {
      let j = values.count - last.count + i
      if j >= 0 { #expect(same(values[j], num(v)), "\(label) last[\(i)]") }
    }
    let finite = values.filter { !$0.isNaN }
    if column.type.isFloatingPoint {
      #expect(values.count - finite.count == b["nan_count"] as? Int, "\(label)")
      let want = try #require(num(b["sum_fsum_ignoring_nan"]))
      let sum = finite.reduce(0, +)
      #expect(abs(sum - want) <= 1e-9 * max(1, finite.map(abs).reduce(0, +)), "\(label) sum \(sum) vs \(want)")
      if !finite.isEmpty {
        #expect(same(finite.min() ?? 0, num(b["min_ignoring_nan"])), "\(label)")
        #expect(same(finite.max() ?? 0, num(b["max_ignoring_nan"])), "\(label)")
      }
    } else if column.type == .bool {
      #expect(values.filter { $0 != 0 }.count == b["count_true"] as? Int, "\(label)")
    } else {
      let want = (b["sum_exact"] as? Int).map(Int64.init)
      var sum: Int64 = 0
      switch column {
      case .uint64(let a): for v in a { sum &+= Int64(bitPattern: v) }
      case .int64(let a): for v in a { sum &+= v }
      default: for v in values { sum &+= Int64(v) }
      }
      #expect(sum == want, "\(label)")
      if !values.isEmpty {
        #expect(values.min() == num(b["min"]), "\(label)")
        #expect(values.max() == num(b["max"]), "\(label)")
      }
    }
  }
}

@Suite struct ROOTHashTests {
  @Test func sha256KnownVectors() {
    #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let long = [UInt8](repeating: 0x61, count: 1000)
    #expect(sha256Hex(long) == SHA256.hex(long))
  }

  @Test func xxh64KnownVectors() {
    #expect(XXH64.hash([]) == 0xEF46_DB37_51D8_E999)
    #expect(XXH64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
    #expect(XXH64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
  }
}
