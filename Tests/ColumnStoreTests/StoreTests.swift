import TestSupport
import Foundation
import Testing
@testable import ColumnStore

@Suite struct StoreTests {
  func table(_ rows: Int, offset: Double = 0) throws -> MemoryTable {
    try MemoryTable(columns: [
      (ColumnInfo(name: "x", type: .float64, unit: "GeV"), .float64((0..<rows).map { Double($0) + offset })),
      (ColumnInfo(name: "n", type: .int32), .int32((0..<rows).map { Int32($0 % 7) })),
    ], chunkRows: 1000)
  }

  @Test func ingestAppendsFilesAndSetsJoinThem() throws {
    let dir = TemporaryDirectory()
    defer { dir.cleanup() }
    let store = Store(path: dir.path)
    var ingest = Ingest(store: store, proc: "proc12", mode: "Dst", sample: "data")
    ingest.chunkRows = 4096
    try ingest.run([("a", try table(10_000)), ("b", try table(5_000, offset: 0.5))])
    let set = try store.open(proc: "proc12", mode: "Dst", sample: "data")
    #expect(set.rowCount == 15_000)
    #expect(set.chunkRanges.count == 3 + 2)
    let x = try set.readAll("x")
    #expect(x.double(at: 9_999) == 9_999 && x.double(at: 10_000) == 0.5)
    #expect(set.statistics(column: "x", chunk: 3)?.max == 4_095.5)
    let m = try store.manifest(proc: "proc12", mode: "Dst", sample: "data")
    #expect(m.files.count == 2 && m.entries == 15_000 && m.history.count == 1)
    // A file with other columns cannot join the set.
    let other = try MemoryTable(columns: [(ColumnInfo(name: "y", type: .float64), .float64([1]))])
    let e = #expect(throws: ColumnStoreError.self) { try ingest.run([("c", other)]) }
    #expect(e?.kind == .invalidInput)
    #expect(e?.remedy == .replaceSet)
    #expect(e?.message.contains("columns differ") == true)
    #expect(e?.message.contains(": its columns differ from the set proc12/Dst/data (") == true)
    #expect(try store.manifest(proc: "proc12", mode: "Dst", sample: "data").files.count == 2)
  }

  @Test func unknownSelectionsListWhatExists() throws {
    let dir = TemporaryDirectory()
    defer { dir.cleanup() }
    let store = Store(path: dir.path)
    let empty = #expect(throws: ColumnStoreError.self) { _ = try store.manifest(proc: "p", mode: "Dst", sample: "data") }
    #expect(empty?.kind == .notFound)
    #expect(empty?.remedy == .addData)
    #expect(empty?.message == "the store \(dir.path) is empty")
    try Ingest(store: store, proc: "proc12", mode: "Dst", sample: "data").run([("a", try table(10))])
    try Ingest(store: store, proc: "proc13", mode: "Dst", sample: "data").run([("a", try table(10))])
    let e1 = #expect(throws: ColumnStoreError.self) { _ = try store.manifest(proc: "proc12", mode: "KS", sample: "data") }
    #expect(e1?.kind == .notFound)
    #expect(e1?.message == "unknown mode 'KS'; known modes: Dst")
    let e2 = #expect(throws: ColumnStoreError.self) { _ = try store.manifest(proc: "proc1", mode: "Dst", sample: "data") }
    #expect(e2?.kind == .notFound)
    #expect(e2?.message == "no processing 'proc1' for mode Dst; known: proc12, proc13")
    let e3 = #expect(throws: ColumnStoreError.self) { _ = try store.resolve(mode: "Dst", proc: nil, sample: "data") }
    #expect(e3?.kind == .notFound)
    #expect(e3?.message.contains("several sets match") == true)
    #expect(e3?.message == "several sets match mode Dst")
    #expect(e3?.remedy == .chooseSet(["proc12/data", "proc13/data"]))
    #expect(try store.resolve(mode: "Dst", proc: "proc13", sample: nil) == ("proc13", "Dst", "data"))
    // A fully named set is not looked up among the others; opening it says what exists.
    #expect(try store.resolve(mode: "Dst", proc: "proc1", sample: "data") == ("proc1", "Dst", "data"))
    let e4 = #expect(throws: ColumnStoreError.self) { _ = try store.open(proc: "proc1", mode: "Dst", sample: "data") }
    #expect(e4?.kind == .notFound)
    #expect(e4?.message == "no processing 'proc1' for mode Dst; known: proc12, proc13")
    let e5 = #expect(throws: ColumnStoreError.self) {
      _ = try SetTransaction(store: store, proc: "proc12", mode: "Dst", sample: "both", command: "")
    }
    #expect(e5?.kind == .invalidInput)
    #expect(e5?.message == "unknown sample 'both'; use data or mc")
  }

  @Test func friendColumnsAreVersionedAndJoinedByRow() throws {
    let dir = TemporaryDirectory()
    defer { dir.cleanup() }
    let store = Store(path: dir.path)
    var ingest = Ingest(store: store, proc: "p", mode: "KS", sample: "mc")
    ingest.chunkRows = 1024
    try ingest.run([("a", try table(3_000)), ("b", try table(2_000))])
    let weights = try MemoryTable(columns: [
      (ColumnInfo(name: "sw", type: .float64), .float64((0..<5_000).map { Double($0) * 2 }))
    ], chunkRows: 700)  // chunking unrelated to the base files'
    let friends = FriendColumns(store: store, proc: "p", mode: "KS", sample: "mc")
    #expect(try friends.add(name: "sweights", table: weights) == "sweights_v1")
    #expect(try friends.add(name: "sweights", table: weights) == "sweights_v2")
    let set = try store.open(proc: "p", mode: "KS", sample: "mc")
    // the bare name reads the newest version
    #expect(set.columns.map(\.name) == ["x", "n", "sw_v1", "sw_v2", "sw"])
    #expect(try set.readAll("sw") == set.readAll("sw_v2"))
    #expect(set.column(named: "sw")?.description.hasPrefix("the newest version, sw_v2") == true)
    let sw = try set.readAll("sw_v2")
    let x = try set.readAll("x")
    #expect(sw.count == 5_000)
    for i in [0, 2_999, 3_000, 4_999] {
      #expect(sw.double(at: i) == Double(i) * 2)
    }
    #expect(x.double(at: 3_000) == 0)
    // Wrong row count is refused and changes nothing.
    let short = try MemoryTable(columns: [(ColumnInfo(name: "sw", type: .float64), .float64([1, 2]))])
    let rows = #expect(throws: ColumnStoreError.self) { try friends.add(name: "sweights", table: short) }
    #expect(rows?.kind == .invalidInput)
    #expect(rows?.path == "sweights")
    #expect(rows?.message == "the new columns have 2 rows; the set p/KS/mc has 5000")
    #expect(try store.manifest(proc: "p", mode: "KS", sample: "mc").friends.map(\.name) == ["sweights_v1", "sweights_v2"])
    // Base files cannot be appended under friends (they would lack the columns).
    let base = #expect(throws: ColumnStoreError.self) { try ingest.run([("c", try table(10))]) }
    #expect(base?.kind == .invalidInput)
    #expect(base?.remedy == .replaceSet)
    #expect(base?.message == "the set has friend columns (sweights_v1, sweights_v2); new base files would lack them")
  }
}
