import Foundation

/// Large numeric arrays inside partials (a fit sample's masses, weights and
/// row numbers) in base64: doubles as their little-endian bytes (~11
/// characters per value instead of up to 24, every bit kept, NaN payloads
/// and signed zeros too, no number parsing); increasing row numbers as
/// LEB128 varints of their differences (~2 characters per row).
enum PackedArray {
  /// Increasing (or any) integers as zig-zag LEB128 varints of their differences.
  static func encodeDeltas(_ values: [Int64]) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(values.count * 2)
    var previous: Int64 = 0
    for v in values {
      let d = v &- previous
      previous = v
      var z = UInt64(bitPattern: (d << 1) ^ (d >> 63))
      while z >= 0x80 {
        bytes.append(UInt8(z & 0x7f) | 0x80)
        z >>= 7
      }
      bytes.append(UInt8(z))
    }
    return Data(bytes).base64EncodedString()
  }

  static func decodeDeltas(_ text: String, codingPath: [any CodingKey]) throws -> [Int64] {
    guard let data = Data(base64Encoded: text) else {
      throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "not packed row numbers"))
    }
    var out: [Int64] = []
    var previous: Int64 = 0
    var z: UInt64 = 0
    var shift: UInt64 = 0
    for b in data {
      guard shift < 64 else { throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "packed row numbers overflow")) }
      z |= UInt64(b & 0x7f) << shift
      if b & 0x80 != 0 {
        shift += 7
        continue
      }
      let d = Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
      previous = previous &+ d
      out.append(previous)
      z = 0
      shift = 0
    }
    guard shift == 0 else { throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "packed row numbers end mid-value")) }
    return out
  }

  static func encode<T: FixedWidthInteger>(_ values: [T]) -> String {
    values.map(\.littleEndian).withUnsafeBytes { Data($0).base64EncodedString() }
  }

  static func encode(_ values: [Double]) -> String { encode(values.map(\.bitPattern)) }

  static func decode<T: FixedWidthInteger>(_ text: String, as: T.Type, codingPath: [any CodingKey]) throws -> [T] {
    guard let data = Data(base64Encoded: text), data.count % MemoryLayout<T>.size == 0 else {
      throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "not a packed array of \(T.self)"))
    }
    return [T](unsafeUninitializedCapacity: data.count / MemoryLayout<T>.size) { buffer, count in
      data.withUnsafeBytes { raw in
        for i in 0..<buffer.count { buffer[i] = T(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)) }
      }
      count = buffer.count
    }
  }

  static func decodeDoubles(_ text: String, codingPath: [any CodingKey]) throws -> [Double] {
    try decode(text, as: UInt64.self, codingPath: codingPath).map(Double.init(bitPattern:))
  }
}
