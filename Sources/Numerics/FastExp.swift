import Foundation

/// e^x, inlined: Cody–Waite reduction by ln 2 and a degree-12 Taylor
/// polynomial, relative error below 1e-15 on [−700, 700]; the argument is
/// clamped to [−708, 709]. The SIMD version performs the same operations per
/// lane, so both give bit-identical results.
@inlinable @inline(__always)
public func fastExp(_ x: Double) -> Double {
  let xc = min(max(x, -708.0), 709.0)
  // x·log2(e) rounded to an integer k by the 1.5·2^52 trick; t's low bits hold k
  let t = xc * 1.4426950408889634 + 6755399441055744.0
  let k = t - 6755399441055744.0
  let r = (xc - k * 0.693147180369123816490) - k * 1.90821492927058770002e-10
  var p = 1.0 / 479001600.0
  p = p * r + 1.0 / 39916800.0
  p = p * r + 1.0 / 3628800.0
  p = p * r + 1.0 / 362880.0
  p = p * r + 1.0 / 40320.0
  p = p * r + 1.0 / 5040.0
  p = p * r + 1.0 / 720.0
  p = p * r + 1.0 / 120.0
  p = p * r + 1.0 / 24.0
  p = p * r + 1.0 / 6.0
  p = p * r + 0.5
  p = p * r + 1.0
  p = p * r + 1.0
  // 2^k: exponent field k + 1023 (k in [−1021, 1023] after the clamp)
  let scale = Double(bitPattern: (t.bitPattern &- 0x4338_0000_0000_0000 &+ 1023) << 52)
  return p * scale
}

/// The logistic function 1/(1 + e^−x).
@inlinable @inline(__always)
public func logistic(_ x: Double) -> Double { 1 / (1 + fastExp(-x)) }

/// `fastExp` on four lanes.
@inlinable @inline(__always)
public func fastExp(_ x: SIMD4<Double>) -> SIMD4<Double> {
  let xc = pointwiseMin(pointwiseMax(x, SIMD4(repeating: -708.0)), SIMD4(repeating: 709.0))
  let t = xc * 1.4426950408889634 + 6755399441055744.0
  let k = t - 6755399441055744.0
  let r = (xc - k * 0.693147180369123816490) - k * 1.90821492927058770002e-10
  var p = SIMD4<Double>(repeating: 1.0 / 479001600.0)
  p = p * r + 1.0 / 39916800.0
  p = p * r + 1.0 / 3628800.0
  p = p * r + 1.0 / 362880.0
  p = p * r + 1.0 / 40320.0
  p = p * r + 1.0 / 5040.0
  p = p * r + 1.0 / 720.0
  p = p * r + 1.0 / 120.0
  p = p * r + 1.0 / 24.0
  p = p * r + 1.0 / 6.0
  p = p * r + 0.5
  p = p * r + 1.0
  p = p * r + 1.0
  let bits = unsafeBitCast(t, to: SIMD4<UInt64>.self)
  let scale = unsafeBitCast((bits &- 0x4338_0000_0000_0000 &+ 1023) &<< 52, to: SIMD4<Double>.self)
  return p * scale
}

/// The logistic function on four lanes.
@inlinable @inline(__always)
public func logistic(_ x: SIMD4<Double>) -> SIMD4<Double> { 1 / (1 + fastExp(-x)) }
