import Foundation

/// Adaptive Gauss–Legendre quadrature (10 nodes per panel, panels halved until
/// the two halves agree with the whole). Used where no closed form exists.
enum Quadrature {
  /// Nodes and weights of the n-point Gauss–Legendre rule on [−1, 1],
  /// from Newton's method on P_n (three-term recurrence).
  static func legendreRule(_ n: Int) -> (nodes: [Double], weights: [Double]) {
    var nodes = [Double](repeating: 0, count: n), weights = nodes
    for i in 0..<n {
      var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
      var derivative = 0.0
      for _ in 0..<100 {
        var p0 = 1.0, p1 = x
        for k in 2...n {
          let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
          p0 = p1
          p1 = p2
        }
        derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
        let dx = p1 / derivative
        x -= dx
        if abs(dx) < 1e-16 { break }
      }
      nodes[i] = x
      weights[i] = 2 / ((1 - x * x) * derivative * derivative)
    }
    return (nodes, weights)
  }

  static let rule10 = legendreRule(10)

  static func panel(_ f: (Double) -> Double, _ a: Double, _ b: Double) -> Double {
    let mid = 0.5 * (a + b), half = 0.5 * (b - a)
    var s = 0.0
    for i in 0..<10 { s += rule10.weights[i] * f(mid + half * rule10.nodes[i]) }
    return s * half
  }

  /// ∫_a^b f dx to relative tolerance `relativeTolerance` (depth-limited).
  static func integrate(_ f: (Double) -> Double, _ a: Double, _ b: Double,
                        relativeTolerance: Double = 1e-13) -> Double {
    guard b > a else { return b == a ? 0 : -integrate(f, b, a, relativeTolerance: relativeTolerance) }
    let whole = panel(f, a, b)
    return refine(f, a, b, whole, tolerance: max(abs(whole), .leastNormalMagnitude) * relativeTolerance, depth: 0)
  }

  private static func refine(_ f: (Double) -> Double, _ a: Double, _ b: Double, _ whole: Double,
                             tolerance: Double, depth: Int) -> Double {
    let m = 0.5 * (a + b)
    let left = panel(f, a, m), right = panel(f, m, b)
    if abs(left + right - whole) <= tolerance || depth >= 40 { return left + right }
    return refine(f, a, m, left, tolerance: 0.5 * tolerance, depth: depth + 1)
      + refine(f, m, b, right, tolerance: 0.5 * tolerance, depth: depth + 1)
  }
}
