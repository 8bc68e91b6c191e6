/// FNV-1a 64-bit hash of a string's UTF-8 bytes (stable across runs).
public func fnv1a64(_ s: String) -> UInt64 {
  var h: UInt64 = 0xCBF2_9CE4_8422_2325
  for b in s.utf8 {
    h ^= UInt64(b)
    h = h &* 0x0000_0100_0000_01B3
  }
  return h
}

