import Foundation
import Testing

@testable import Numerics

@Suite struct IncompleteBetaTests {
  @Test func closedFormsHold() {
    for x in stride(from: 0.01, to: 1, by: 0.07) {
      #expect(abs(IncompleteBeta.regularized(x, a: 1, b: 1) - x) < 1e-14)
      // I_x(a, 1) = x^a and I_x(1, b) = 1 − (1 − x)^b
      for a in [0.5, 2, 7.5, 40] {
        #expect(abs(IncompleteBeta.regularized(x, a: a, b: 1) - pow(x, a)) < 1e-13 * max(1, pow(x, a)))
        #expect(abs(IncompleteBeta.regularized(x, a: 1, b: a) - (1 - pow(1 - x, a))) < 1e-13)
      }
      // I_x(2, 2) = 3x² − 2x³
      #expect(abs(IncompleteBeta.regularized(x, a: 2, b: 2) - (3 * x * x - 2 * x * x * x)) < 1e-14)
    }
    // symmetry: I_½(a, a) = ½, and I_x(a, b) = 1 − I_{1−x}(b, a)
    // the prefactor's lgamma differences lose ~1e-16·(a + b) absolute: 1e-12 up to a few hundred, 1e-10 at 1e5
    for a in [0.3, 3, 250] { #expect(abs(IncompleteBeta.regularized(0.5, a: a, b: a) - 0.5) < 1e-12) }
    #expect(abs(IncompleteBeta.regularized(0.5, a: 1e5, b: 1e5) - 0.5) < 1e-9)
    #expect(abs(IncompleteBeta.regularized(0.3, a: 4, b: 9) + IncompleteBeta.regularized(0.7, a: 9, b: 4) - 1) < 1e-14)
    #expect(IncompleteBeta.regularized(-0.1, a: 1, b: 1).isNaN)
    #expect(IncompleteBeta.regularized(0.5, a: 0, b: 1).isNaN)
  }

  @Test func inverseRoundTrips() {
    for (a, b) in [(1.0, 1.0), (3.0, 8.0), (0.5, 0.5), (120.0, 30.0), (2e4, 5e3)] {
      for p in [1e-6, 0.158655, 0.5, 0.841345, 1 - 1e-6] {
        let x = IncompleteBeta.inverse(p, a: a, b: b)
        #expect(abs(IncompleteBeta.regularized(x, a: a, b: b) - p) < 1e-11, "a \(a) b \(b) p \(p)")
      }
    }
  }

  @Test func clopperPearsonEndsAreAnalytic() {
    let alpha = 1 - ClopperPearson.oneSigma
    for n in [1.0, 4, 10, 1000] {
      // k = 0: [0, 1 − (α/2)^{1/n}];  k = n: [(α/2)^{1/n}, 1]
      let none = ClopperPearson.interval(passed: 0, total: n)
      #expect(none.lower == 0)
      #expect(abs(none.upper - (1 - pow(alpha / 2, 1 / n))) < 1e-12)
      let all = ClopperPearson.interval(passed: n, total: n)
      #expect(all.upper == 1)
      #expect(abs(all.lower - pow(alpha / 2, 1 / n)) < 1e-12)
    }
    // for large n the interval approaches ε ± sqrt(ε(1−ε)/n)
    let (lo, hi) = ClopperPearson.interval(passed: 30_000, total: 100_000)
    let sigma = (0.3 * 0.7 / 100_000).squareRoot()
    #expect(abs((hi - lo) / 2 - sigma) < 0.01 * sigma)
    #expect(ClopperPearson.interval(passed: 3, total: 2).lower.isNaN)
  }
}
