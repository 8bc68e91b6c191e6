import TestSupport
import Foundation
import Testing
@testable import ColumnStore

/// The chunk index beside the store's files must say exactly what HDF5 says,
/// and must never be trusted when it does not match its file.
@Suite struct ChunkIndexTests {
  func table(_ rows: Int) throws -> MemoryTable {
    try MemoryTable(columns: [
      (ColumnInfo(name: "x", type: .float64, unit: "GeV", description: "momentum", variable: "p", particle: "K"),
       .float64((0..<rows).map { $0 % 97 == 0 ? .nan : Double($0) * 0.25 - 100 })),
      (ColumnInfo(name: "n", type: .int32), .int32((0..<rows).map { Int32($0 % 7) - 3 })),
      (ColumnInfo(name: "f", type: .float32), .float32((0..<rows).map { Float($0 % 13) })),
      (ColumnInfo(name: "b", type: .bool), .bool((0..<rows).map { $0 % 3 == 0 })),
    ], chunkRows: 1000)
  }

  /// Opens `path` through its index and again through HDF5 alone and
  /// compares everything a query uses.
  func expectIndexMatchesHDF5(_ path: String) throws {
    let fast = try HDF5Table(path: path)
    #expect(fast.openedThroughIndex)
    let saved = try Data(contentsOf: URL(fileURLWithPath: ChunkIndex.path(for: path)))
    try FileManager.default.removeItem(atPath: ChunkIndex.path(for: path))
    defer { _ = FileManager.default.createFile(atPath: ChunkIndex.path(for: path), contents: saved) }
    let slow = try HDF5Table(path: path)
    #expect(!slow.openedThroughIndex)
    #expect(fast.columns == slow.columns)
    #expect(fast.rowCount == slow.rowCount && fast.chunkRanges == slow.chunkRanges)
    #expect(fast.codecName == slow.codecName && fast.group == slow.group)
    #expect(try fast.attributes == slow.attributes)
    for c in slow.columns {
      for k in slow.chunkRanges.indices {
        #expect(fast.statistics(column: c.name, chunk: k) == slow.statistics(column: c.name, chunk: k))
        let a = try fast.read(column: c.name, chunk: k)
        let b = try slow.read(column: c.name, chunk: k)
        #expect(a.count == b.count)
        for i in 0..<a.count where !(a.double(at: i).isNaN && b.double(at: i).isNaN) {
          #expect(a.double(at: i) == b.double(at: i))
        }
      }
    }
  }

  @Test(arguments: ["none", "lz4", "zstd", "deflate"])
  func storeFilesCarryAnIndexThatMatchesHDF5(codec: String) throws {
    let dir = TemporaryDirectory()
    defer { dir.cleanup() }
    let store = Store(path: dir.path)
    var ingest = Ingest(store: store, proc: "p", mode: "Dst", sample: "mc")
    ingest.chunkRows = 1024
    ingest.codec = try Codec(parsing: codec)
    ingest.attributes.truth = "{\"k\": 1}"
    try ingest.run([("a", try table(5_500))])
    let m = try store.manifest(proc: "p", mode: "Dst", sample: "mc")
    let path = store.setPath(proc: "p", mode: "Dst", sample: "mc") + "/" + m.files[0].name
    #expect(FileManager.default.fileExists(atPath: ChunkIndex.path(for: path)))
    try expectIndexMatchesHDF5(path)
    #expect(try HDF5Table(path: path).attributes.truth == "{\"k\": 1}")
    // Attributes are read lazily through HDF5: never from a file that replaced the one opened.
    let opened = try HDF5Table(path: path)
    try FileManager.default.copyItem(atPath: path, toPath: path + ".copy")
    #expect(rename(path + ".copy", path) == 0)
    let replaced = #expect(throws: ColumnStoreError.self) { _ = try opened.attributes }
    #expect(replaced?.kind == .io)
    #expect(replaced?.message == "\(path): the file was replaced or removed since it was opened")
    // Friend columns get their own index.
    let friend = try MemoryTable(columns: [(ColumnInfo(name: "w", type: .float64), .float64((0..<5_500).map(Double.init)))])
    _ = try FriendColumns(store: store, proc: "p", mode: "Dst", sample: "mc").add(name: "sw", table: friend)
    let fm = try store.manifest(proc: "p", mode: "Dst", sample: "mc")
    try expectIndexMatchesHDF5(store.setPath(proc: "p", mode: "Dst", sample: "mc") + "/" + fm.friends[0].files[0])
  }

  @Test func aStaleOrDamagedIndexIsIgnored() throws {
    let dir = TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.path + "/t.h5"
    let w = try NtupleWriter(path: path, columns: try table(10).columns, chunkRows: 1000, durable: false, index: true)
    try w.append(contentsOf: try table(2_500))
    try w.finish()
    let indexPath = ChunkIndex.path(for: path)
    let good = try Data(contentsOf: URL(fileURLWithPath: indexPath))
    #expect(ChunkIndex([UInt8](good)) != nil)
    // Every truncation and a flipped byte in the header are rejected, never a crash.
    for n in stride(from: 0, to: good.count, by: max(1, good.count / 97)) {
      #expect(ChunkIndex([UInt8](good.prefix(n))) == nil, "truncated to \(n) bytes")
    }
    var bad = [UInt8](good)
    bad[17] ^= 0xFF  // the version
    #expect(ChunkIndex(bad) == nil)
    // Absurd counts in a header are refused without arithmetic overflow or huge allocations.
    func header(rows: UInt64, chunkRows: UInt64, columns: UInt32, chunks: UInt32) -> [UInt8] {
      var h = ChunkIndex.magic
      for v in [UInt32(1), 0] { withUnsafeBytes(of: v.littleEndian) { h += $0 } }
      for v in [UInt64(1 << 20), rows, chunkRows] { withUnsafeBytes(of: v.littleEndian) { h += $0 } }
      for v in [columns, chunks, 0, 0] { withUnsafeBytes(of: v.littleEndian) { h += $0 } }  // + empty group, codec
      return h
    }
    #expect(ChunkIndex(header(rows: 0x7FFF_FFFF_FFFF_FFF0, chunkRows: 100, columns: 1, chunks: 7)) == nil)
    #expect(ChunkIndex(header(rows: UInt64(UInt32.max - 1) * 10, chunkRows: 10, columns: 0, chunks: UInt32.max - 1)) == nil)
    #expect(ChunkIndex(header(rows: 0, chunkRows: 10, columns: 0, chunks: 0)) != nil)
    // A record pointing past the end of the file is refused at read time.
    var outside = [UInt8](good)
    outside.replaceSubrange((outside.count - 44)..<(outside.count - 36), with: [0, 0, 0, 0, 0, 0, 0, 0x7F])
    try Data(outside).write(to: URL(fileURLWithPath: indexPath))
    let t = try HDF5Table(path: path)
    #expect(t.openedThroughIndex)
    let beyond = #expect(throws: ColumnStoreError.self) { _ = try t.read(column: "b", chunk: 2) }
    #expect(beyond?.kind == .corruptFile)
    #expect(beyond?.message == "\(path): chunk 2 of 'b' lies beyond the end of the file (index)")
    // The file changed size since the index was written: HDF5 is asked instead.
    try good.write(to: URL(fileURLWithPath: indexPath))
    let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    h.seekToEndOfFile()
    h.write(Data([0]))
    try h.close()
    let stale = try HDF5Table(path: path)
    #expect(!stale.openedThroughIndex)
    #expect(try stale.readAll("x").double(at: 2_499) == 2_499 * 0.25 - 100)
  }

  @Test func exportsHaveNoIndexAndOrphansAreCollected() throws {
    let dir = TemporaryDirectory()
    defer { dir.cleanup() }
    let out = dir.path + "/export.h5"
    // An index beside the path (of a store file copied there, say) goes with the file it described.
    FileManager.default.createFile(atPath: ChunkIndex.path(for: out), contents: Data([1, 2, 3]))
    let w = try NtupleWriter(path: out, columns: try table(10).columns, durable: false)
    try w.append(contentsOf: try table(100))
    try w.finish()
    #expect(!FileManager.default.fileExists(atPath: ChunkIndex.path(for: out)))
    // An index left by a session that died before its commit is removed with its file.
    let store = Store(path: dir.path + "/store")
    try Ingest(store: store, proc: "p", mode: "KS", sample: "data").run([("a", try table(100))])
    let set = store.setPath(proc: "p", mode: "KS", sample: "data")
    FileManager.default.createFile(atPath: set + "/part-dead.h5.index", contents: Data([1, 2, 3]))
    var again = Ingest(store: store, proc: "p", mode: "KS", sample: "data")
    again.allowDuplicate = true  // the same rows on purpose
    try again.run([("b", try table(100))])
    let names = try FileManager.default.contentsOfDirectory(atPath: set)
    #expect(!names.contains("part-dead.h5.index"))
    #expect(names.filter { $0.hasSuffix(".h5.index") }.count == 2)
  }
}
