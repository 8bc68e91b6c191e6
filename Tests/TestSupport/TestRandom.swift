import Numerics

/// One seeded random source for test data and generated expressions
/// (SplitMix64): reproducible across runs and platforms.
public struct TestRandom {
  private var source: SplitMix64
  public init(_ seed: UInt64) { source = SplitMix64(seed: seed) }
  public mutating func next() -> UInt64 { source.next() }
  /// Uniform in 0..<n.
  public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
  /// Uniform in [0, 1) with 53 random bits.
  public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
  public mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
  public mutating func chance(_ p: Double) -> Bool { unit() < p }
}
