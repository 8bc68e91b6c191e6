import CDeflate
import CLZ4
import CLZMA
import CZlib
import CZstd
import Synchronization

/// ROOT's compression block format: a sequence of blocks, each with a 9-byte
/// header (2-byte algorithm tag, method byte, 24-bit little-endian compressed
/// and uncompressed sizes).
enum ROOTCompression {
  static let maxBlockSize = 0xFF_FFFF

  /// Decompresses `src` (the bytes of a compressed object) into exactly
  /// `objlen` bytes. `what` names the object for messages.
  static func decompress(
    _ src: UnsafeRawBufferPointer, objlen: Int, file: ROOTFileName, what: String
  ) throws -> [UInt8] {
    let blocks = try scan(src, objlen: objlen, file: file, what: what)
    return try [UInt8](unsafeUninitializedCapacity: objlen) { buffer, initialized in
      try decode(src, blocks: blocks, into: UnsafeMutableRawBufferPointer(buffer), file: file, what: what)
      initialized = objlen
    }
  }

  /// Decompresses `src` into `dst`, which holds exactly the object length.
  static func decompress(
    _ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, file: ROOTFileName,
    what: String
  ) throws {
    let blocks = try scan(src, objlen: dst.count, file: file, what: what)
    try decode(src, blocks: blocks, into: dst, file: file, what: what)
  }

  struct Block { var tag: String; var start: Int; var csize: Int; var usize: Int; var header: Int }

  /// Walks the block headers so that the output size is known (and bounded
  /// by the blocks actually present) before anything is allocated.
  static func scan(
    _ src: UnsafeRawBufferPointer, objlen: Int, file: ROOTFileName, what: String
  ) throws -> [Block] {
    var blocks: [Block] = []
    var pos = 0
    var total = 0
    while total < objlen {
      guard src.count - pos >= 9 else {
        throw file.corrupt(
          "\(what): compressed data ends after \(total) of \(objlen) bytes (block header at byte \(pos) of \(src.count))"
        )
      }
      let t0 = src[pos], t1 = src[pos + 1]
      let tag = String(decoding: [t0, t1], as: UTF8.self)
      let csize = Int(src[pos + 3]) | Int(src[pos + 4]) << 8 | Int(src[pos + 5]) << 16
      let usize = Int(src[pos + 6]) | Int(src[pos + 7]) << 8 | Int(src[pos + 8]) << 16
      let known = ["ZL", "XZ", "L4", "ZS"]
      guard known.contains(tag) else {
        if tag == "CS" {
          throw file.unsupported("\(what): compression algorithm 'CS' (old ROOT) is not supported")
        }
        let hex = String(format2: t0) + " " + String(format2: t1)
        throw file.corrupt(
          "\(what): bad compression block magic \(hex) at byte \(pos) (expected ZL, XZ, L4 or ZS)")
      }
      guard csize <= src.count - pos - 9 else {
        throw file.corrupt(
          "\(what): \(tag) block at byte \(pos) claims \(csize) compressed bytes, only \(src.count - pos - 9) present"
        )
      }
      guard usize > 0, usize <= objlen - total else {
        throw file.corrupt(
          "\(what): \(tag) block at byte \(pos) claims \(usize) uncompressed bytes, \(objlen - total) expected"
        )
      }
      blocks.append(Block(tag: tag, start: pos + 9, csize: csize, usize: usize, header: pos))
      pos += 9 + csize
      total += usize
    }
    return blocks
  }

  static func decode(
    _ src: UnsafeRawBufferPointer, blocks: [Block], into dst: UnsafeMutableRawBufferPointer,
    file: ROOTFileName, what: String
  ) throws {
    var o = 0
    for b in blocks {
      let input = UnsafeRawBufferPointer(rebasing: src[b.start..<(b.start + b.csize)])
      let output = UnsafeMutableRawBufferPointer(rebasing: dst[o..<(o + b.usize)])
      let blockWhat = "\(what): \(b.tag) block at byte \(b.header)"
      try decodeBlock(tag: b.tag, input, output, file: file, what: blockWhat)
      o += b.usize
    }
  }

  static func decodeBlock(
    tag: String, _ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer,
    file: ROOTFileName, what: String
  ) throws {
    guard let inBase = input.baseAddress, let outBase = output.baseAddress else {
      throw file.corrupt("\(what): empty block")
    }
    switch tag {
    case "ZL":
      var produced = 0
      var ok = false
      if let d = DeflatePool.shared.take() {
        let r = libdeflate_zlib_decompress(d, inBase, input.count, outBase, output.count, &produced)
        DeflatePool.shared.give(d)
        ok = r == LIBDEFLATE_SUCCESS && produced == output.count
      }
      if !ok {
        // zlib is more lenient (e.g. trailing bytes after the stream).
        var destLen = uLongf(output.count)
        let r = uncompress(
          outBase.assumingMemoryBound(to: Bytef.self), &destLen,
          inBase.assumingMemoryBound(to: Bytef.self), uLong(input.count))
        guard r == Z_OK, Int(destLen) == output.count else {
          throw file.corrupt("\(what): zlib inflate failed (zlib error \(r))")
        }
      }
    case "L4":
      guard input.count >= 8 else { throw file.corrupt("\(what): LZ4 block shorter than its checksum") }
      var stored: UInt64 = 0
      for i in 0..<8 { stored = stored << 8 | UInt64(input[i]) }
      let payload = UnsafeRawBufferPointer(rebasing: input[8...])
      let actual = XXH64.hash(payload)
      guard stored == actual else {
        throw file.corrupt(
          "\(what): LZ4 checksum mismatch (stored \(hex64(stored)), computed \(hex64(actual)))")
      }
      guard payload.count <= Int(Int32.max), output.count <= Int(Int32.max) else {
        throw file.corrupt("\(what): LZ4 block too large")
      }
      let r = LZ4_decompress_safe(
        payload.baseAddress?.assumingMemoryBound(to: CChar.self),
        outBase.assumingMemoryBound(to: CChar.self), Int32(payload.count), Int32(output.count))
      guard r == Int32(output.count) else {
        throw file.corrupt("\(what): LZ4 decompression failed (result \(r), expected \(output.count) bytes)")
      }
    case "ZS":
      let r = ZSTD_decompress(outBase, output.count, inBase, input.count)
      guard ZSTD_isError(r) == 0, r == output.count else {
        let msg = ZSTD_isError(r) != 0 ? String(cString: ZSTD_getErrorName(r)) : "\(r) bytes"
        throw file.corrupt("\(what): ZSTD decompression failed (\(msg), expected \(output.count) bytes)")
      }
    case "XZ":
      var memlimit: UInt64 = 1 << 31
      var inPos = 0
      var outPos = 0
      let r = lzma_stream_buffer_decode(
        &memlimit, 0, nil, inBase.assumingMemoryBound(to: UInt8.self), &inPos, input.count,
        outBase.assumingMemoryBound(to: UInt8.self), &outPos, output.count)
      guard r == LZMA_OK, outPos == output.count else {
        throw file.corrupt(
          "\(what): LZMA decompression failed (lzma error \(r.rawValue), \(outPos) of \(output.count) bytes)")
      }
    default:
      throw file.corrupt("\(what): unknown compression algorithm '\(tag)'")
    }
  }

  static func hex64(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 16 - s.count)) + s
  }
}

extension String {
  /// A byte as two hex digits.
  init(format2 b: UInt8) {
    let s = String(b, radix: 16, uppercase: true)
    self = s.count == 1 ? "0" + s : s
  }
}

/// Reusable libdeflate decompressors (one per concurrent user; each is
/// used by one thread at a time). Saves an allocation per basket.
final class DeflatePool: Sendable {
  static let shared = DeflatePool()
  private struct Handle: @unchecked Sendable { let pointer: OpaquePointer }
  private let free = Mutex<[Handle]>([])

  func take() -> OpaquePointer? {
    if let d = free.withLock({ $0.popLast() }) { return d.pointer }
    return libdeflate_alloc_decompressor()
  }

  func give(_ d: OpaquePointer) {
    let handle = Handle(pointer: d)
    let kept = free.withLock { list -> Bool in
      guard list.count < 64 else { return false }
      list.append(handle)
      return true
    }
    if !kept { libdeflate_free_decompressor(d) }
  }
}

/// XXH64 (seed 0 by default), as used by ROOT's LZ4 blocks.
enum XXH64 {
  static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
  static let p2: UInt64 = 14_029_467_366_897_019_727
  static let p3: UInt64 = 1_609_587_929_392_839_161
  static let p4: UInt64 = 9_650_029_242_287_828_579
  static let p5: UInt64 = 2_870_177_450_012_600_261

  @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

  @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
    var a = acc &+ input &* p2
    a = rotl(a, 31)
    return a &* p1
  }

  @inline(__always) static func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 {
    var a = acc ^ round(0, val)
    a = a &* p1 &+ p4
    return a
  }

  static func hash(_ data: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
    let n = data.count
    var i = 0
    @inline(__always) func r64(_ o: Int) -> UInt64 {
      UInt64(littleEndian: data.loadUnaligned(fromByteOffset: o, as: UInt64.self))
    }
    @inline(__always) func r32(_ o: Int) -> UInt64 {
      UInt64(UInt32(littleEndian: data.loadUnaligned(fromByteOffset: o, as: UInt32.self)))
    }
    var h: UInt64
    if n >= 32 {
      var v1 = seed &+ p1 &+ p2
      var v2 = seed &+ p2
      var v3 = seed
      var v4 = seed &- p1
      while i + 32 <= n {
        v1 = round(v1, r64(i))
        v2 = round(v2, r64(i + 8))
        v3 = round(v3, r64(i + 16))
        v4 = round(v4, r64(i + 24))
        i += 32
      }
      h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
      h = merge(h, v1)
      h = merge(h, v2)
      h = merge(h, v3)
      h = merge(h, v4)
    } else {
      h = seed &+ p5
    }
    h = h &+ UInt64(n)
    while i + 8 <= n {
      h ^= round(0, r64(i))
      h = rotl(h, 27) &* p1 &+ p4
      i += 8
    }
    if i + 4 <= n {
      h ^= r32(i) &* p1
      h = rotl(h, 23) &* p2 &+ p3
      i += 4
    }
    while i < n {
      h ^= UInt64(data[i]) &* p5
      h = rotl(h, 11) &* p1
      i += 1
    }
    h ^= h >> 33
    h = h &* p2
    h ^= h >> 29
    h = h &* p3
    h ^= h >> 32
    return h
  }

  static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
    bytes.withUnsafeBytes { hash($0, seed: seed) }
  }
}
