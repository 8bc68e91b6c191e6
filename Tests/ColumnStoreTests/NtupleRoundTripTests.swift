import TestSupport
import Foundation
import Testing
@testable import ColumnStore

/// Every element type through every codec, with an edge chunk, NaN and
/// extreme values; read back through the direct path and through HDF5's
/// own pipeline (where HDF5 can decode it).
@Suite struct NtupleRoundTripTests {
  static func sampleColumns(rows: Int, seed: UInt64) -> [(ColumnInfo, ColumnBuffer)] {
    var r = TestRandom(seed)
    func ints<T: FixedWidthInteger>(_: T.Type) -> [T] {
      (0..<rows).map { i in i == 0 ? T.min : i == 1 ? T.max : T(truncatingIfNeeded: r.next()) }
    }
    let doubles: [Double] = (0..<rows).map { i in
      i % 97 == 5 ? .nan : i == 2 ? -.infinity : i == 3 ? -0.0 : r.unit() * 10 - 5
    }
    let buffers: [ColumnBuffer] = [
      .float64(doubles), .float32(doubles.map(Float.init)),
      .int64(ints(Int64.self)), .int32(ints(Int32.self)), .int16(ints(Int16.self)), .int8(ints(Int8.self)),
      .uint64(ints(UInt64.self)), .uint32(ints(UInt32.self)), .uint16(ints(UInt16.self)), .uint8(ints(UInt8.self)),
      .bool((0..<rows).map { _ in r.next() & 1 == 1 }),
    ]
    return buffers.map { (ColumnInfo(name: "c_\($0.type.rawValue)", type: $0.type, unit: "GeV", description: "test"), $0) }
  }

  static func bitsEqual(_ a: ColumnBuffer, _ b: ColumnBuffer) -> Bool {
    a.type == b.type && a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
  }

  @Test(arguments: ["none", "lz4", "zstd", "zstd:7", "deflate", "deflate:6"])
  func everyTypeRoundTrips(codecName: String) throws {
    let dir = TemporaryDirectory()
    defer { dir.cleanup() }
    let codec = try Codec(parsing: codecName)
    let rows = 2_500  // 2 full chunks of 1024 and an edge chunk
    let cols = Self.sampleColumns(rows: rows, seed: 42)
    let path = dir.file("t.h5")
    let w = try NtupleWriter(path: path, columns: cols.map(\.0), attributes: NtupleAttributes(mode: "Dst", sample: "mc"), codec: codec, chunkRows: 1024)
    // Uneven blocks exercise the pending-row logic.
    for range in [0..<7, 7..<1500, 1500..<1500, 1500..<2500] {
      try w.append(Dictionary(uniqueKeysWithValues: cols.map { ($0.0.name, $0.1.slice(range)) }))
    }
    #expect(try w.finish() == rows)
    let t = try HDF5Table(path: path)
    #expect(t.rowCount == rows)
    #expect(t.chunkRanges == [0..<1024, 1024..<2048, 2048..<2500])
    #expect(t.columns.map(\.name) == cols.map(\.0.name))
    #expect(t.columns[0].unit == "GeV")
    #expect(try t.attributes.mode == "Dst")
    #expect(t.codecName == codec.description)
    for (info, original) in cols {
      let back = try t.readAll(info.name)
      #expect(Self.bitsEqual(back, original), "\(info.name) with \(codecName)")
      let s = try #require(t.statistics(column: info.name, chunk: 2))
      #expect(s == ChunkStatistics(of: original.slice(2048..<2500)))
    }
    // HDF5's own pipeline (H5Dread) agrees where HDF5 has the filter.
    if codec == .none || codecName.hasPrefix("deflate") {
      let f = try H5File.open(path)
      let g = try f.group("ntuple")
      for (info, original) in cols {
        let d = try g.dataset(info.name)
        #expect(Self.bitsEqual(try d.read(0..<rows, as: info.type), original))
      }
    }
  }

  @Test func compressionShrinksSmoothData() throws {
    let dir = TemporaryDirectory()
    defer { dir.cleanup() }
    let values = ColumnBuffer.float64((0..<200_000).map { Double($0 % 1000) * 0.25 })
    var sizes: [String: Int] = [:]
    for name in ["none", "lz4", "zstd", "deflate"] {
      let p = dir.file("\(name).h5")
      let w = try NtupleWriter(path: p, columns: [ColumnInfo(name: "x", type: .float64)], codec: try Codec(parsing: name))
      try w.append(["x": values])
      try w.finish()
      sizes[name] = try HDF5Table(path: p).fileBytes
      #expect(Self.bitsEqual(try HDF5Table(path: p).readAll("x"), values))
    }
    #expect(sizes["lz4"]! < sizes["none"]! / 2)
    #expect(sizes["zstd"]! < sizes["none"]! / 4)
    #expect(sizes["deflate"]! < sizes["none"]! / 4)
  }

  @Test func unfinishedWriterLeavesNothing() throws {
    let dir = TemporaryDirectory()
    defer { dir.cleanup() }
    do {
      let w = try NtupleWriter(path: dir.file("x.h5"), columns: [ColumnInfo(name: "a", type: .int32)])
      try w.append(["a": .int32([1, 2, 3])])
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
  }

  @Test func writerRejectsBadInput() throws {
    let dir = TemporaryDirectory()
    defer { dir.cleanup() }
    let badName = #expect(throws: ColumnStoreError.self) {
      _ = try NtupleWriter(path: dir.file("x.h5"), columns: [ColumnInfo(name: "../a", type: .int32)])
    }
    #expect(badName?.kind == .invalidInput)
    #expect(badName?.path == "../a")
    #expect(badName?.message == "invalid column name '../a': no '/', '..', leading '.' or control characters")
    let w = try NtupleWriter(path: dir.file("x.h5"), columns: [ColumnInfo(name: "a", type: .int32), ColumnInfo(name: "b", type: .int32)])
    let lengths = #expect(throws: ColumnStoreError.self) { try w.append(["a": .int32([1, 2]), "b": .int32([1])]) }
    #expect(lengths?.kind == .invalidInput)
    #expect(lengths?.message == "columns have unequal lengths: 'a' has 2 rows, 'b' has 1")
    let mismatch = #expect(throws: ColumnStoreError.self) { try w.append(["a": .int32([1]), "b": .float64([1])]) }
    #expect(mismatch?.kind == .invalidInput)
    #expect(mismatch?.path == "b")
    #expect(mismatch?.message == "column 'b' is int32 but the block holds float64")
  }

  @Test func missingAndCorruptFilesGiveOneLineErrors() throws {
    let dir = TemporaryDirectory()
    defer { dir.cleanup() }
    let missing = #expect(throws: ColumnStoreError.self) { _ = try HDF5Table(path: dir.file("nope.h5")) }
    #expect(missing?.kind == .fileNotFound)
    #expect(missing?.message == "\(dir.file("nope.h5")): no such file")
    try Data("not hdf5 at all".utf8).write(to: URL(fileURLWithPath: dir.file("junk.h5")))
    let junk = #expect(throws: ColumnStoreError.self) { _ = try HDF5Table(path: dir.file("junk.h5")) }
    #expect(junk?.kind == .corruptFile)
    #expect(junk?.message == "\(dir.file("junk.h5")): not an HDF5 file (or truncated)")
    // A truncated file: the header survives, chunk data does not.
    let good = dir.file("good.h5")
    let w = try NtupleWriter(path: good, columns: [ColumnInfo(name: "x", type: .float64)], codec: .lz4, chunkRows: 4096)
    try w.append(["x": .float64((0..<50_000).map(Double.init))])
    try w.finish()
    let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
    let cut = dir.file("cut.h5")
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
    let error = #expect(throws: ColumnStoreError.self) {
      let t = try HDF5Table(path: cut)
      _ = try t.readAll("x")
    }
    #expect(error?.message.contains("cut.h5") == true)
    #expect(error?.message.contains("\n") == false)
    #expect(error?.kind == .corruptFile)
    #expect(error?.message.hasPrefix("\(cut): cannot open HDF5 file (") == true)
    #expect(error?.message.contains("truncated file") == true)
  }
}
