import Foundation

/// SplitMix64 (Steele, Lea, Flood 2014): used to seed xoshiro and to mix seeds.
public struct SplitMix64: Sendable {
  public var state: UInt64
  public init(seed: UInt64) { state = seed }

  @inlinable @inline(__always)
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The SplitMix64 finaliser of `x` (a good 64-bit mixing function).
  public static func mix(_ x: UInt64) -> UInt64 {
    var g = SplitMix64(seed: x)
    return g.next()
  }
}

/// xoshiro256** 1.0 (Blackman & Vigna), seeded through SplitMix64, with
/// uniform and standard-normal (Marsaglia–Tsang ziggurat) variates.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
  @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

  public init(seed: UInt64) {
    var sm = SplitMix64(seed: seed)
    s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
  }

  @inlinable @inline(__always)
  public mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << 45) | (s3 >> 19)
    return result
  }

  /// Uniform in [0, 1) with 53 random bits.
  @inlinable @inline(__always)
  public mutating func uniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Uniform in (0, 1], safe for `log`.
  @inlinable @inline(__always)
  public mutating func uniformPositive() -> Double {
    (Double(next() >> 11) + 1) * 0x1.0p-53
  }

  @inlinable @inline(__always)
  public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
    lo + (hi - lo) * uniform()
  }

  /// Exponential with mean 1.
  @inlinable @inline(__always)
  public mutating func exponential() -> Double { -log(uniformPositive()) }

  /// A standard normal variate (ziggurat with 128 layers, 32-bit resolution).
  @inlinable @inline(__always)
  public mutating func normal() -> Double {
    let hz = Int32(truncatingIfNeeded: Int64(bitPattern: next()) >> 32)
    let iz = Int(hz & 127)
    let t = Ziggurat.table
    if Int64(hz).magnitude < t.kn[iz] { return Double(hz) * t.wn[iz] }
    return normalTail(hz: hz, iz: iz)
  }

  @inlinable @inline(__always)
  public mutating func normal(_ mean: Double, _ sigma: Double) -> Double {
    mean + sigma * normal()
  }

  @usableFromInline mutating func normalTail(hz hz0: Int32, iz iz0: Int) -> Double {
    let t = Ziggurat.table
    let r = Ziggurat.r
    var hz = hz0
    var iz = iz0
    while true {
      let x = Double(hz) * t.wn[iz]
      if iz == 0 {
        var xx = 0.0, y = 0.0
        repeat {
          xx = -log(uniformPositive()) / r
          y = -log(uniformPositive())
        } while y + y < xx * xx
        return hz > 0 ? r + xx : -r - xx
      }
      if t.fn[iz] + uniform() * (t.fn[iz - 1] - t.fn[iz]) < exp(-0.5 * x * x) { return x }
      hz = Int32(truncatingIfNeeded: Int64(bitPattern: next()) >> 32)
      iz = Int(hz & 127)
      if Int64(hz).magnitude < t.kn[iz] { return Double(hz) * t.wn[iz] }
    }
  }
}

/// Marsaglia & Tsang (2000) ziggurat tables for the standard normal.
@usableFromInline enum Ziggurat {
  @usableFromInline static let r = 3.442619855899
  @usableFromInline struct Table: Sendable {
    @usableFromInline var kn = [UInt64](repeating: 0, count: 128)
    @usableFromInline var wn = [Double](repeating: 0, count: 128)
    @usableFromInline var fn = [Double](repeating: 0, count: 128)
  }
  @usableFromInline static let table: Table = {
    var t = Table()
    let m1 = 2147483648.0
    let vn = 9.91256303526217e-3
    var dn = r
    var tn = dn
    let q = vn / exp(-0.5 * dn * dn)
    t.kn[0] = UInt64((dn / q) * m1)
    t.kn[1] = 0
    t.wn[0] = q / m1
    t.wn[127] = dn / m1
    t.fn[0] = 1.0
    t.fn[127] = exp(-0.5 * dn * dn)
    for i in stride(from: 126, through: 1, by: -1) {
      dn = (-2 * log(vn / dn + exp(-0.5 * dn * dn))).squareRoot()
      t.kn[i + 1] = UInt64((dn / tn) * m1)
      tn = dn
      t.fn[i] = exp(-0.5 * dn * dn)
      t.wn[i] = dn / m1
    }
    return t
  }()
}

