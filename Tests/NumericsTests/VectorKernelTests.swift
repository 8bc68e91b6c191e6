import Foundation
import Testing
@testable import Numerics

@Suite struct VectorKernelTests {
  @Test func fourLaneKernelsGiveTheScalarBits() {
    var rng = Xoshiro256StarStar(seed: 42)
    for _ in 0..<2000 {
      let e = SIMD4<Double>(-800 * rng.uniform(), -20 * rng.uniform(), -rng.uniform(), 0)
      let ev = exponentialOfNonPositive(e)
      let l = SIMD4<Double>(rng.uniform() * 1e6, rng.uniform(), 1e-300 + rng.uniform() * 1e-290, 1 + rng.uniform())
      let lv = fastLog(l)
      for i in 0..<4 {
        #expect(ev[i].bitPattern == exponentialOfNonPositive(e[i]).bitPattern)
        #expect(lv[i].bitPattern == fastLog(l[i]).bitPattern)
      }
    }
  }

  /// Chebychev series of every order: the four-lane `accumulate` gives `value`'s bits (tails included).
  @Test func chebychevLanesGiveTheScalarBits() {
    let range = FitRange(0.45, 0.55)
    let x = (0..<27).map { range.lo + range.width * Double($0) / 26 }
    for coefficients in [[], [0.3], [-0.1, 0.05], [-0.1, 0.05, 0.02], [0.3, -0.1, 0.05, 0.02, -0.01]] {
      let series = ChebychevSeries(coefficients: coefficients, mappedFrom: range)
      var out = [Double](repeating: 0, count: x.count)
      x.withUnsafeBufferPointer { xs in out.withUnsafeMutableBufferPointer { series.accumulate(xs, coefficient: 1, into: $0) } }
      for i in x.indices where coefficients.count != 2 {
        #expect(out[i].bitPattern == series.value(x[i]).bitPattern, "order \(coefficients.count) at \(x[i])")
      }
      for i in x.indices { #expect(abs(out[i] - series.value(x[i])) <= 1e-15 * abs(series.value(x[i])) + 1e-15) }
    }
  }

  @Test func kernelsAreAccurate() {
    var worstExp = 0.0, worstLog = 0.0
    var x = -700.0
    while x <= 0 {
      worstExp = max(worstExp, abs(exponentialOfNonPositive(x) / exp(x) - 1))
      x += 0.0137
    }
    var y = 1e-300
    while y < 1e300 {
      let reference = log(y)
      worstLog = max(worstLog, abs(fastLog(y) - reference) / max(abs(reference), 1))
      y *= 1.0173
    }
    #expect(worstExp < 1e-15)
    #expect(worstLog < 1e-15)
  }
}

@Suite struct FastAsinhTests {
  /// Absolute accuracy against libm over 40 decades and both signs; four lanes give the scalar values.
  @Test func matchesLibmAndTheScalarPath() {
    var worst = 0.0
    for e in stride(from: -20.0, through: 20.0, by: 0.01) {
      for sign in [-1.0, 1.0] {
        let u = sign * pow(10, e)
        worst = max(worst, abs(fastAsinh(u) - asinh(u)) / max(1, abs(asinh(u))))
        let lanes = fastAsinh(SIMD4(u, -u, u * 1.5, 0))
        // the same value (±0 compare equal: γ + δ·(±0) is γ either way)
        #expect(lanes[0] == fastAsinh(u) && lanes[1] == fastAsinh(-u) && lanes[2] == fastAsinh(u * 1.5))
      }
    }
    #expect(worst < 5e-16)
    #expect(fastAsinh(0) == 0)
  }
}
