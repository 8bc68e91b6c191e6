import CDeflate
import CLZ4
import CZstd
import Foundation

/// Encodes and decodes one chunk through an HDF5 filter pipeline, outside
/// the HDF5 library (so many chunks can be (de)compressed in parallel).
enum ChunkCodec {
  /// Applies `pipeline` (in write order) to `data`.
  static func encode(_ data: UnsafeRawBufferPointer, pipeline: [HDF5Filter], elementSize: Int) throws -> [UInt8] {
    var current = [UInt8](data)
    for filter in pipeline {
      current = try current.withUnsafeBytes { try encodeOne($0, filter, elementSize: elementSize) }
    }
    return current
  }

  /// Undoes `pipeline` on a stored chunk and writes exactly `output.count`
  /// bytes into `output`. Filters whose bit is set in `mask` were skipped
  /// when the chunk was written and are skipped here too.
  /// - Throws: `.corruptFile` when a stage does not produce the expected size.
  static func decode(
    _ stored: UnsafeRawBufferPointer, pipeline: [HDF5Filter], mask: UInt32, elementSize: Int,
    into output: UnsafeMutableRawBufferPointer
  ) throws {
    let active = pipeline.enumerated().filter { mask & (1 << UInt32($0.offset)) == 0 }.map(\.element)
    if active.isEmpty {
      guard stored.count >= output.count else { throw sizeError(stored.count, output.count) }
      output.copyMemory(from: UnsafeRawBufferPointer(rebasing: stored[0..<output.count]))
      return
    }
    var current: [UInt8]? = nil
    for (i, filter) in active.reversed().enumerated() {
      let last = i == active.count - 1
      let input = current
      func run(_ src: UnsafeRawBufferPointer) throws {
        if last {
          try decodeOne(src, filter, elementSize: elementSize, into: output)
        } else {
          current = try decodeOne(src, filter, elementSize: elementSize, expected: output.count)
        }
      }
      if let input { try input.withUnsafeBytes(run) } else { try run(stored) }
    }
  }

  // MARK: - One filter

  private static func encodeOne(_ src: UnsafeRawBufferPointer, _ filter: HDF5Filter, elementSize: Int) throws -> [UInt8] {
    switch filter {
    case .shuffle:
      return [UInt8](unsafeUninitializedCapacity: src.count) { buf, n in
        Shuffle.shuffle(src, into: UnsafeMutableRawBufferPointer(buf), elementSize: elementSize)
        n = src.count
      }
    case .deflate(let level):
      guard let c = libdeflate_alloc_compressor(Int32(level)) else { throw memoryError() }
      defer { libdeflate_free_compressor(c) }
      let bound = libdeflate_zlib_compress_bound(c, src.count)
      return [UInt8](unsafeUninitializedCapacity: bound) { buf, n in
        n = libdeflate_zlib_compress(c, src.baseAddress, src.count, buf.baseAddress, bound)
      }
    case .zstd(let level):
      let bound = ZSTD_compressBound(src.count)
      var failed = false
      let out = [UInt8](unsafeUninitializedCapacity: bound) { buf, n in
        let r = ZSTD_compress(buf.baseAddress, bound, src.baseAddress, src.count, Int32(level))
        if ZSTD_isError(r) != 0 { failed = true; n = 0 } else { n = r }
      }
      if failed { throw ColumnStoreError(.io, path: "", "zstd compression failed") }
      return out
    case .lz4:
      return try lz4Encode(src)
    }
  }

  private static func decodeOne(
    _ src: UnsafeRawBufferPointer, _ filter: HDF5Filter, elementSize: Int, expected: Int
  ) throws -> [UInt8] {
    // Intermediate stages (only shuffle follows a codec) produce exactly the chunk size.
    try [UInt8](unsafeUninitializedCapacity: expected) { buf, n in
      try decodeOne(src, filter, elementSize: elementSize, into: UnsafeMutableRawBufferPointer(buf))
      n = expected
    }
  }

  private static func decodeOne(
    _ src: UnsafeRawBufferPointer, _ filter: HDF5Filter, elementSize: Int, into dst: UnsafeMutableRawBufferPointer
  ) throws {
    switch filter {
    case .shuffle:
      guard src.count == dst.count else { throw sizeError(src.count, dst.count) }
      Shuffle.unshuffle(src, into: dst, elementSize: elementSize)
    case .deflate:
      guard let d = libdeflate_alloc_decompressor() else { throw memoryError() }
      defer { libdeflate_free_decompressor(d) }
      var actual = 0
      let r = libdeflate_zlib_decompress(d, src.baseAddress, src.count, dst.baseAddress, dst.count, &actual)
      guard r == LIBDEFLATE_SUCCESS, actual == dst.count else {
        throw ColumnStoreError(.corruptFile, path: "", "deflate stream is corrupt (libdeflate status \(r.rawValue))")
      }
    case .zstd:
      let r = ZSTD_decompress(dst.baseAddress, dst.count, src.baseAddress, src.count)
      guard ZSTD_isError(r) == 0, r == dst.count else {
        throw ColumnStoreError(.corruptFile, path: "", "zstd frame is corrupt or of the wrong size")
      }
    case .lz4:
      try lz4Decode(src, into: dst)
    }
  }

  // MARK: - LZ4 in the framing of HDF5's LZ4 plugin (filter 32004)
  // Header: original size (u64 BE), block size (u32 BE); then per block its
  // compressed size (u32 BE) and the data, stored raw when compression did
  // not make it smaller (size == block size).

  private static let lz4BlockSize = 1 << 30

  private static func lz4Encode(_ src: UnsafeRawBufferPointer) throws -> [UInt8] {
    var out = [UInt8]()
    let bound = Int(LZ4_compressBound(Int32(min(src.count, lz4BlockSize))))
    out.reserveCapacity(12 + bound + 4 * (src.count / lz4BlockSize + 1))
    appendBE(&out, UInt64(src.count))
    appendBE(&out, UInt32(min(src.count, lz4BlockSize)))
    var offset = 0
    var scratch = [UInt8](repeating: 0, count: bound)
    while offset < src.count {
      let n = min(lz4BlockSize, src.count - offset)
      let c = scratch.withUnsafeMutableBytes { dst in
        LZ4_compress_default(
          src.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self),
          dst.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(n), Int32(dst.count))
      }
      if c <= 0 || Int(c) >= n {
        appendBE(&out, UInt32(n))
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: src[offset..<(offset + n)]))
      } else {
        appendBE(&out, UInt32(c))
        out.append(contentsOf: scratch[0..<Int(c)])
      }
      offset += n
    }
    return out
  }

  private static func lz4Decode(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws {
    guard src.count >= 12 else { throw ColumnStoreError(.corruptFile, path: "", "LZ4 chunk shorter than its header") }
    let total = Int(readBE64(src, 0))
    var blockSize = Int(readBE32(src, 8))
    guard total == dst.count, blockSize > 0 || total == 0 else {
      throw ColumnStoreError(.corruptFile, path: "", "LZ4 chunk header says \(total) bytes, expected \(dst.count)")
    }
    blockSize = min(blockSize, total)
    var pos = 12
    var done = 0
    while done < total {
      let n = min(blockSize, total - done)
      guard pos + 4 <= src.count else { throw ColumnStoreError(.corruptFile, path: "", "LZ4 chunk is truncated") }
      let c = Int(readBE32(src, pos))
      pos += 4
      guard c > 0, pos + c <= src.count else { throw ColumnStoreError(.corruptFile, path: "", "LZ4 block is truncated") }
      if c == n {
        UnsafeMutableRawBufferPointer(rebasing: dst[done..<(done + n)])
          .copyMemory(from: UnsafeRawBufferPointer(rebasing: src[pos..<(pos + n)]))
      } else {
        let r = LZ4_decompress_safe(
          src.baseAddress!.advanced(by: pos).assumingMemoryBound(to: CChar.self),
          dst.baseAddress!.advanced(by: done).assumingMemoryBound(to: CChar.self), Int32(c), Int32(n))
        guard r == n else { throw ColumnStoreError(.corruptFile, path: "", "LZ4 block is corrupt") }
      }
      pos += c
      done += n
    }
  }

  private static func appendBE<T: FixedWidthInteger>(_ out: inout [UInt8], _ v: T) {
    withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) }
  }

  private static func readBE32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
    UInt32(bigEndian: b.loadUnaligned(fromByteOffset: at, as: UInt32.self))
  }

  private static func readBE64(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
    UInt64(bigEndian: b.loadUnaligned(fromByteOffset: at, as: UInt64.self))
  }

  private static func sizeError(_ got: Int, _ want: Int) -> ColumnStoreError {
    ColumnStoreError(.corruptFile, path: "", "chunk decodes to \(got) bytes, expected \(want)")
  }

  private static func memoryError() -> ColumnStoreError {
    ColumnStoreError(.io, path: "", "out of memory for the codec")
  }
}
