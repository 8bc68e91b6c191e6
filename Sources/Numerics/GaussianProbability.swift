import Foundation

/// Φ(zHi) − Φ(zLo) without cancellation in either tail (fits-and-splot.md §1.1):
/// erfc of the absolute value on the side away from 0.
@inline(__always)
func gaussianProbability(_ zLo: Double, _ zHi: Double) -> Double {
  let s = 1 / 2.0.squareRoot()
  if zLo >= 0 { return 0.5 * (erfc(zLo * s) - erfc(zHi * s)) }
  if zHi <= 0 { return 0.5 * (erfc(-zHi * s) - erfc(-zLo * s)) }
  return 1 - 0.5 * (erfc(-zLo * s) + erfc(zHi * s))
}

/// √(2π).
let sqrtTwoPi = (2 * Double.pi).squareRoot()
