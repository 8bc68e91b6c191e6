/// FNV-1a, 64 bits: a hash stable across runs and machines (seeds, content
/// digests, fingerprints), fed with bytes, strings or 64-bit words.
public struct StableHash: Sendable {
  public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

  public init() {}

  public mutating func add(byte b: UInt8) {
    value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3
  }

  /// The string's UTF-8 bytes.
  public mutating func add(_ s: String) {
    for b in s.utf8 { add(byte: b) }
  }

  /// The word's eight bytes, least significant first.
  public mutating func add(_ word: UInt64) {
    for shift in stride(from: 0, to: 64, by: 8) { add(byte: UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
  }
}

/// FNV-1a 64-bit hash of a string's UTF-8 bytes (stable across runs).
public func fnv1a64(_ s: String) -> UInt64 {
  var h = StableHash()
  h.add(s)
  return h.value
}
