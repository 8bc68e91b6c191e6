/// e^x for x ≤ 0 (clamped at −708): Cody–Waite reduction by ln 2 to
/// |r| ≤ ln2/2, then the degree-12 Taylor polynomial evaluated in Estrin's
/// scheme (short dependency chains, so independent lanes overlap); relative
/// error ≲ 3e-16. The scalar and four-lane versions perform the same
/// operations, so they agree bit for bit.
@inline(__always)
func exponentialOfNonPositive(_ x: Double) -> Double {
  let xc = x < -708.0 ? -708.0 : x
  let t = xc * 1.4426950408889634 + 6755399441055744.0
  let k = t - 6755399441055744.0
  let r = (xc - k * 0.693147180369123816490) - k * 1.90821492927058770002e-10
  let r2 = r * r, r4 = r2 * r2, r8 = r4 * r4
  let p01 = 1.0 + r, p23 = 0.5 + r * (1.0 / 6), p45 = 1.0 / 24 + r * (1.0 / 120)
  let p67 = 1.0 / 720 + r * (1.0 / 5040), p89 = 1.0 / 40320 + r * (1.0 / 362880)
  let pAB = 1.0 / 3628800 + r * (1.0 / 39916800)
  let q0 = p01 + r2 * p23, q1 = p45 + r2 * p67, q2 = p89 + r2 * pAB
  let s0 = q0 + r4 * q1, s1 = q2 + r4 * (1.0 / 479001600)
  let p = s0 + r8 * s1
  let scale = Double(bitPattern: (t.bitPattern &- 0x4338_0000_0000_0000 &+ 1023) << 52)
  return p * scale
}

/// `exponentialOfNonPositive` on four lanes (the clamp written with lane masks
/// so that it stays inline).
@inline(__always)
func exponentialOfNonPositive(_ x: SIMD4<Double>) -> SIMD4<Double> {
  var xc = x
  xc.replace(with: -708.0, where: x .< -708.0)
  let t = xc * 1.4426950408889634 + 6755399441055744.0
  let k = t - 6755399441055744.0
  let r = (xc - k * 0.693147180369123816490) - k * 1.90821492927058770002e-10
  let r2 = r * r, r4 = r2 * r2, r8 = r4 * r4
  let p01 = 1.0 + r, p23 = 0.5 + r * (1.0 / 6), p45 = 1.0 / 24 + r * (1.0 / 120)
  let p67 = 1.0 / 720 + r * (1.0 / 5040), p89 = 1.0 / 40320 + r * (1.0 / 362880)
  let pAB = 1.0 / 3628800 + r * (1.0 / 39916800)
  let q0 = p01 + r2 * p23, q1 = p45 + r2 * p67, q2 = p89 + r2 * pAB
  let s0 = q0 + r4 * q1, s1 = q2 + r4 * (1.0 / 479001600)
  let p = s0 + r8 * s1
  let bits = unsafeBitCast(t, to: SIMD4<UInt64>.self)
  let scale = unsafeBitCast((bits &- 0x4338_0000_0000_0000 &+ 1023) &<< 52, to: SIMD4<Double>.self)
  return p * scale
}

/// Whether block loops take their four-lane paths. Unoptimised builds run
/// SIMD types through generic code that is two orders of magnitude slower;
/// the package compiles Numerics with -O in every configuration (defining
/// SYSCORR_OPTIMIZED), and the scalar paths, which perform the same
/// operations and give the same bits (a test calls both), remain for any
/// build without it.
#if SYSCORR_OPTIMIZED || !DEBUG
let vectorKernels = true
#else
let vectorKernels = false
#endif
