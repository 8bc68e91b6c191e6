import Foundation

/// RooChebychev's g(x) = 1 + Σ_{k≥1} c_k T_k(t), t = (x − centre)/halfWidth,
/// with its antiderivative in t (fits-and-splot.md §1.4).
struct ChebychevSeries: Sendable {
  let coefficients: [Double]
  let centre: Double
  let halfWidth: Double

  init(coefficients: [Double], mappedFrom range: FitRange) {
    self.coefficients = coefficients
    centre = 0.5 * (range.lo + range.hi)
    halfWidth = 0.5 * (range.hi - range.lo)
  }

  @inline(__always)
  func value(_ x: Double) -> Double {
    let t = (x - centre) / halfWidth
    var previous = 1.0, current = t, g = 1.0
    for c in coefficients {
      g += c * current
      let next = 2 * t * current - previous
      previous = current
      current = next
    }
    return g
  }

  func accumulate(_ x: UnsafeBufferPointer<Double>, coefficient: Double, into out: UnsafeMutableBufferPointer<Double>) {
    let s = 1 / halfWidth
    if coefficients.count == 2 {
      // g = (1 − c₂) + c₁t + 2c₂t²: the common order-2 case without the recurrence
      let c0 = 1 - coefficients[1], c1 = coefficients[0], c2 = 2 * coefficients[1]
      var i = 0
      if vectorKernels, let xp = x.baseAddress, let op = out.baseAddress {
        while i + 4 <= x.count {
          let xv = UnsafeRawPointer(xp + i).loadUnaligned(as: SIMD4<Double>.self)
          let ov = UnsafeRawPointer(op + i).loadUnaligned(as: SIMD4<Double>.self)
          let t = (xv - centre) * s
          let r = ov + coefficient * (c0 + t * (c1 + t * c2))
          UnsafeMutableRawPointer(op + i).storeBytes(of: r, as: SIMD4<Double>.self)
          i += 4
        }
      }
      while i < x.count {
        let t = (x[i] - centre) * s
        out[i] += coefficient * (c0 + t * (c1 + t * c2))
        i += 1
      }
      return
    }
    // any order: the recurrence on four lanes, the same operations as `value`, so the same bits
    var i = 0
    if vectorKernels, let xp = x.baseAddress, let op = out.baseAddress {
      coefficients.withUnsafeBufferPointer { c in
        while i + 4 <= x.count {
          let t = (UnsafeRawPointer(xp + i).loadUnaligned(as: SIMD4<Double>.self) - centre) / halfWidth
          var previous = SIMD4<Double>(repeating: 1), current = t, g = SIMD4<Double>(repeating: 1)
          for k in c {
            g += k * current
            let next = 2 * t * current - previous
            previous = current
            current = next
          }
          let ov = UnsafeRawPointer(op + i).loadUnaligned(as: SIMD4<Double>.self)
          UnsafeMutableRawPointer(op + i).storeBytes(of: ov + coefficient * g, as: SIMD4<Double>.self)
          i += 4
        }
      }
    }
    while i < x.count {
      out[i] += coefficient * value(x[i])
      i += 1
    }
  }

  /// F(t) = t + c₁t²/2 + Σ_{k≥2} c_k·½[T_{k+1}/(k+1) − T_{k−1}/(k−1)].
  func antiderivative(_ t: Double) -> Double {
    let n = coefficients.count
    var T = [Double](repeating: 0, count: n + 2)
    T[0] = 1
    T[1] = t
    if n + 1 >= 2 { for k in 1...n { T[k + 1] = 2 * t * T[k] - T[k - 1] } }
    var F = t
    for (i, c) in coefficients.enumerated() {
      let k = i + 1
      F += k == 1 ? c * t * t / 2 : c * 0.5 * (T[k + 1] / Double(k + 1) - T[k - 1] / Double(k - 1))
    }
    return F
  }

  /// ∫_a^b g dx.
  func integral(_ a: Double, _ b: Double) -> Double {
    halfWidth * (antiderivative((b - centre) / halfWidth) - antiderivative((a - centre) / halfWidth))
  }

  /// min of g over [lo, hi] on a grid of `points` (positivity check after a fit).
  func minimum(over range: FitRange, points: Int = 2001) -> Double {
    var m = Double.infinity
    for i in 0..<points {
      m = min(m, value(range.lo + range.width * Double(i) / Double(points - 1)))
    }
    return m
  }
}
