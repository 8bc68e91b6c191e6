import Foundation
import Testing
@testable import Numerics

@Suite struct MinimizerTests {
  @Test func rosenbrockReachesMinimumWithAnalyticCovariance() {
    let m = Minimizer(errorDefinition: 1, tolerance: 0.01)
    let r = m.minimize({ p in
      let (x, y) = (p[0], p[1])
      return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
    }, parameters: [FitParameter(name: "x", value: -1.2, step: 0.1), FitParameter(name: "y", value: 1, step: 0.1)])
    #expect(r.status.isValid)
    #expect(abs(r.values[0] - 1) < 1e-2)
    #expect(abs(r.values[1] - 1) < 2e-2)
    // the analytic Hessian at the point found; cov = 2·UP·H⁻¹ (→ [[1, 2], [2, 4.01]] at (1, 1))
    let (x, y) = (r.values[0], r.values[1])
    let h = [[1200 * x * x - 400 * y + 2, -400 * x], [-400 * x, 200.0]]
    let expected = SymmetricMatrix.inverse(h)!.map { $0.map { 2 * $0 } }
    for i in 0..<2 {
      for j in 0..<2 {
        #expect(abs(r.covariance[i][j] - expected[i][j]) < 0.01 * (expected[i][i] * expected[j][j]).squareRoot())
      }
    }
    #expect(r.nfcn < 400)
  }

  @Test func quadraticGivesItsCovarianceExactly() {
    // f = ½ (x−m)ᵀ C⁻¹ (x−m) with UP = 0.5 ⇒ cov = C
    let c: [[Double]] = [[4, 1.2, -0.5], [1.2, 1, 0.3], [-0.5, 0.3, 1]]
    let ci = SymmetricMatrix.inverse(c)!
    let mean = [1.0, -2.0, 0.5]
    let r = Minimizer().minimize({ p in
      let d = zip(p, mean).map { $0 - $1 }
      return 0.5 * SymmetricMatrix.dot(d, SymmetricMatrix.multiply(ci, d))
    }, parameters: [FitParameter(name: "a", value: 0, step: 1), FitParameter(name: "b", value: 0, step: 1),
                    FitParameter(name: "c", value: 0, step: 1)])
    #expect(r.status.isValid)
    #expect(r.status.covarianceQuality == .accurate)
    for i in 0..<3 {
      #expect(abs(r.values[i] - mean[i]) < 1e-3 * c[i][i].squareRoot())
      for j in 0..<3 { #expect(abs(r.covariance[i][j] - c[i][j]) < 1e-4 * (c[i][i] * c[j][j]).squareRoot()) }
    }
    #expect(r.edm < r.edmMaximum)
  }

  @Test func fixedParameterKeepsValueAndZeroError() {
    let r = Minimizer().minimize({ p in (p[0] - 3) * (p[0] - 3) + (p[1] - 1) * (p[1] - 1) * 4 },
                                 parameters: [FitParameter(name: "a", value: 0), FitParameter(name: "b", value: 7, isFixed: true)])
    #expect(r.values[1] == 7)
    #expect(r.errors[1] == 0)
    #expect(abs(r.values[0] - 3) < 1e-3)
    #expect(abs(r.errors[0] - 0.5.squareRoot()) < 1e-3) // UP = 0.5, f'' = 2 ⇒ σ² = 2·0.5/2
  }

  @Test func boundedParameterNearLimitHasJacobianCorrectedError() {
    // minimum at 0.3 inside [0, 10], σ = 0.1 (UP = 0.5, f = (x−0.3)²/(2σ²))
    let r = Minimizer().minimize({ p in (p[0] - 0.3) * (p[0] - 0.3) / (2 * 0.01) },
                                 parameters: [FitParameter(name: "x", value: 5, step: 1, lowerLimit: 0, upperLimit: 10)])
    #expect(r.status.isValid)
    #expect(abs(r.values[0] - 0.3) < 1e-3)
    #expect(abs(r.errors[0] - 0.1) < 2e-3)
    #expect(r.status.parametersAtLimit.isEmpty)
  }

  @Test func parameterPushedToItsLimitIsFlagged() {
    let r = Minimizer().minimize({ p in (p[0] + 1) * (p[0] + 1) + (p[1] - 2) * (p[1] - 2) },
                                 parameters: [FitParameter(name: "x", value: 2, step: 0.5, lowerLimit: 0, upperLimit: 5),
                                              FitParameter(name: "y", value: 0, step: 0.5, lowerLimit: 0)])
    #expect(r.values[0] < 1e-3, "\(r.values) \(r.errors) \(r.edm) \(r.nfcn)")
    #expect(r.status.parametersAtLimit == ["x"])
    #expect(abs(r.values[1] - 2) < 1e-3)
  }

  @Test func callLimitIsReported() {
    let r = Minimizer(errorDefinition: 1, maxCalls: 20).minimize({ p in
      (1 - p[0]) * (1 - p[0]) + 100 * (p[1] - p[0] * p[0]) * (p[1] - p[0] * p[0])
    }, parameters: [FitParameter(name: "x", value: -1.2), FitParameter(name: "y", value: 1)])
    #expect(r.status.isCallLimitReached)
    #expect(!r.status.isValid)
  }

  @Test func multiStartFindsTheGlobalMinimum() {
    // double well: local minimum near x = +1.4 (higher), global near x = −1.5
    let f: ([Double]) -> Double = { p in let x = p[0]; return x * x * x * x - 4 * x * x + x }
    let m = Minimizer(errorDefinition: 1)
    let single = m.minimize(f, parameters: [FitParameter(name: "x", value: 2, step: 0.1)])
    #expect(single.values[0] > 0)
    let multi = m.minimize(f, parameters: [FitParameter(name: "x", value: 2, step: 0.1)], startPoints: [[-2], [0.5]])
    #expect(multi.best.values[0] < 0)
    #expect(multi.all.count == 3)
    #expect(multi.best.fval < single.fval)
  }

  @Test func laterStartsClearlyAboveTheBestAreAbandoned() {
    // deep double well, analytic gradient: minima near x = −1 (f ≈ −15·s) and x = +1 (f ≈ +15·s)
    let s = 10.0
    let f: ([Double]) -> Double = { p in let x = p[0]; return s * (50 * (x * x - 1) * (x * x - 1) + 15 * x) }
    let g: ([Double]) -> [Double] = { p in let x = p[0]; return [s * (200 * x * (x * x - 1) + 15)] }
    let m = Minimizer()
    let x = [FitParameter(name: "x", value: -1.3, step: 0.1)]
    let full = m.minimize(f, gradient: g, parameters: [FitParameter(name: "x", value: 20, step: 0.1)])
    #expect(full.status.isValid && full.values[0] > 0)
    // the upper well's start is abandoned after a few iterations, without HESSE
    let multi = m.minimize(f, gradient: g, parameters: x, startPoints: [[20]])
    #expect(multi.best.values[0] < 0 && multi.best.status.isValid)
    #expect(!multi.all[1].status.isValid)
    #expect(multi.all[1].nfcn + multi.all[1].ngrad < full.nfcn + full.ngrad)
    // a later start that goes lower is kept
    let lower = m.minimize(f, gradient: g, parameters: [FitParameter(name: "x", value: 1.3, step: 0.1)],
                           startPoints: [[-3]])
    #expect(lower.all[1].status.isValid)
    #expect(lower.best.values[0] < 0)
    // with the gradient or without, the same minimum
    let numerical = m.minimize(f, parameters: x)
    #expect(abs(numerical.values[0] - multi.best.values[0]) < 0.02 * numerical.errors[0])
    #expect(abs(numerical.errors[0] / multi.best.errors[0] - 1) < 0.01)
  }

  @Test func resultRoundTripsThroughJSON() throws {
    let r = Minimizer().minimize({ p in p[0] * p[0] }, parameters: [FitParameter(name: "x", value: 1)])
    let back = try JSONDecoder().decode(FitResult.self, from: JSONEncoder().encode(r))
    #expect(back == r)
  }
}
