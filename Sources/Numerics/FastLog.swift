/// ln x for normal positive finite x: x = 2^k·m with m ∈ [√½, √2), then
/// ln m = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.1716, by its odd series to
/// s²³ in Estrin's scheme (relative error ≲ 2e-16). Scalar and four-lane
/// versions perform the same operations, so they agree bit for bit. Callers
/// handle x ≤ 0, ∞, NaN and subnormals.
@inline(__always)
func fastLog(_ x: Double) -> Double {
  let bits = x.bitPattern
  // mantissa scaled into [1, 2), then folded to [√½, √2)
  var m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
  var k = Double(Int64(bitPattern: bits >> 52) - 1023)
  if m > 1.4142135623730951 { m *= 0.5; k += 1 }
  let s = (m - 1) / (m + 1)
  let s2 = s * s
  let p = s2 * logSeries(s2)
  let logM = 2 * s + 2 * s * p
  return k * 0.693147180369123816490 + (k * 1.90821492927058770002e-10 + logM)
}

/// `fastLog` on four lanes.
@inline(__always)
func fastLog(_ x: SIMD4<Double>) -> SIMD4<Double> {
  let bits = unsafeBitCast(x, to: SIMD4<UInt64>.self)
  var m = unsafeBitCast((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000, to: SIMD4<Double>.self)
  let exponent = unsafeBitCast(bits &>> 52, to: SIMD4<Int64>.self) &- 1023
  var k = SIMD4<Double>(Double(exponent[0]), Double(exponent[1]), Double(exponent[2]), Double(exponent[3]))
  let fold = m .> 1.4142135623730951
  m.replace(with: m * 0.5, where: fold)
  k.replace(with: k + 1, where: fold)
  let s = (m - 1) / (m + 1)
  let s2 = s * s
  let p = s2 * logSeries(s2)
  let logM = 2 * s + 2 * s * p
  return k * 0.693147180369123816490 + (k * 1.90821492927058770002e-10 + logM)
}

/// Σ_{j=0}^{10} u^j/(2j + 3), Estrin's scheme.
@inline(__always)
func logSeries(_ u: Double) -> Double {
  let u2 = u * u, u4 = u2 * u2, u8 = u4 * u4
  let p01 = 1.0 / 3 + u * (1.0 / 5), p23 = 1.0 / 7 + u * (1.0 / 9), p45 = 1.0 / 11 + u * (1.0 / 13)
  let p67 = 1.0 / 15 + u * (1.0 / 17), p89 = 1.0 / 19 + u * (1.0 / 21)
  let q0 = p01 + u2 * p23, q1 = p45 + u2 * p67, q2 = p89 + u2 * (1.0 / 23)
  return (q0 + u4 * q1) + u8 * q2
}

/// `logSeries` on four lanes (same operations).
@inline(__always)
func logSeries(_ u: SIMD4<Double>) -> SIMD4<Double> {
  let u2 = u * u, u4 = u2 * u2, u8 = u4 * u4
  let p01 = 1.0 / 3 + u * (1.0 / 5), p23 = 1.0 / 7 + u * (1.0 / 9), p45 = 1.0 / 11 + u * (1.0 / 13)
  let p67 = 1.0 / 15 + u * (1.0 / 17), p89 = 1.0 / 19 + u * (1.0 / 21)
  let q0 = p01 + u2 * p23, q1 = p45 + u2 * p67, q2 = p89 + u2 * (1.0 / 23)
  return (q0 + u4 * q1) + u8 * q2
}

/// asinh u = sign(u)·ln(|u| + √(u² + 1)) with `fastLog`: absolute error
/// ≲ 3e-16 (relative near 0 is not kept — the Johnson density only needs
/// γ + δ·asinh u to absolute precision). |u| ≥ 2²⁶ uses ln 2|u|.
@inline(__always)
func fastAsinh(_ u: Double) -> Double {
  let a = Swift.abs(u)
  let r = a < 0x1p26 ? fastLog(a + (a * a + 1).squareRoot()) : fastLog(a) + 0.6931471805599453
  return u < 0 ? -r : r
}

/// `fastAsinh` on four lanes (the same operations, so the same bits).
@inline(__always)
func fastAsinh(_ u: SIMD4<Double>) -> SIMD4<Double> {
  let a = u.replacing(with: -u, where: u .< 0)
  let big = a .>= 0x1p26
  var arg = a + (a * a + 1).squareRoot()
  arg.replace(with: a, where: big)
  var r = fastLog(arg)
  r.replace(with: r + 0.6931471805599453, where: big)
  return r.replacing(with: -r, where: u .< 0)
}
