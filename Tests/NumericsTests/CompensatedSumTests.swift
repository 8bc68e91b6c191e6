import Numerics
import Testing

@Suite struct CompensatedSumTests {
  @Test func recoversWhatNaiveSummationLoses() {
    var s = CompensatedSum()
    for x in [1e16, 1.0, -1e16, 1.0, 1e-3] { s.add(x) }
    #expect(s.value == 2.001)
    var naive = 0.0
    for x in [1e16, 1.0, -1e16, 1.0, 1e-3] { naive += x }
    #expect(naive != 2.001)
  }

  @Test func mergingPartialsEqualsOneSum() {
    var rng = SplitMix64(seed: 9)
    let xs = (0..<10_000).map { _ in Double(Int64(bitPattern: rng.next() >> 11)) * 1e-6 * (1 + 1e-9) }
    var whole = CompensatedSum()
    xs.forEach { whole.add($0) }
    var a = CompensatedSum(), b = CompensatedSum()
    xs[..<3333].forEach { a.add($0) }
    xs[3333...].forEach { b.add($0) }
    a.add(b)
    #expect(abs(a.value - whole.value) <= 1e-12 * abs(whole.value))
  }
}

@Suite struct StableHashTests {
  /// Published FNV-1a 64 test vectors; words hash as their eight little-endian bytes.
  @Test func knownValues() {
    #expect(fnv1a64("") == 0xCBF2_9CE4_8422_2325)
    #expect(fnv1a64("a") == 0xAF63_DC4C_8601_EC8C)
    #expect(fnv1a64("foobar") == 0x85944171F73967E8)
    var w = StableHash()
    w.add(UInt64(0x0102_0304_0506_0708))
    #expect(w.value == fnv1a64(String(decoding: [8, 7, 6, 5, 4, 3, 2, 1] as [UInt8], as: UTF8.self)))
  }
}
