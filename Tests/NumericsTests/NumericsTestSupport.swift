import Foundation
import TestSupport
@testable import Numerics

/// Adaptive Simpson quadrature, independent of the library's Gauss–Legendre rule.
func simpsonIntegral(_ f: (Double) -> Double, _ a: Double, _ b: Double, tolerance: Double = 1e-12) -> Double {
  func simpson(_ a: Double, _ fa: Double, _ b: Double, _ fb: Double, _ m: Double, _ fm: Double) -> Double {
    (b - a) / 6 * (fa + 4 * fm + fb)
  }
  func recurse(_ a: Double, _ fa: Double, _ b: Double, _ fb: Double, _ m: Double, _ fm: Double,
               _ whole: Double, _ tol: Double, _ depth: Int) -> Double {
    let lm = 0.5 * (a + m), rm = 0.5 * (m + b)
    let flm = f(lm), frm = f(rm)
    let left = simpson(a, fa, m, fm, lm, flm), right = simpson(m, fm, b, fb, rm, frm)
    if depth > 48 || abs(left + right - whole) <= 15 * tol { return left + right + (left + right - whole) / 15 }
    return recurse(a, fa, m, fm, lm, flm, left, 0.5 * tol, depth + 1)
      + recurse(m, fm, b, fb, rm, frm, right, 0.5 * tol, depth + 1)
  }
  let m = 0.5 * (a + b)
  let fa = f(a), fb = f(b), fm = f(m)
  return recurse(a, fa, b, fb, m, fm, simpson(a, fa, b, fb, m, fm), tolerance, 0)
}

