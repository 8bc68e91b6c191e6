import Foundation

/// HESSE: the full matrix of second derivatives of FCN by finite differences in
/// internal coordinates. Diagonal steps aim at a sagitta of √eps2·(|f| + UP);
/// off-diagonal terms use two extra calls each, f(x ± (dᵢeᵢ + dⱼeⱼ)), so that odd
/// orders cancel: H_ij = [f(++) + f(−−) − f(±dᵢ) − f(±dⱼ) + 2f]/(2dᵢdⱼ) + O(d²).
enum Hesse {
  struct Outcome {
    var hessian: [[Double]]
    var gradient: GradientState
    var succeeded: Bool
  }

  static func compute(at x: [Double], value f0: Double, seed: GradientState,
                      problem: MinimizationProblem, strategy: StrategySettings) -> Outcome {
    let n = x.count
    let up = problem.errorDefinition
    let aimSagitta = Precision.eps2.squareRoot() * (abs(f0) + up)
    let noiseFloor = 8 * Precision.eps2 * (abs(f0) + up)
    var h = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    var g = seed
    var plusValues = [Double](repeating: 0, count: n)
    var minusValues = [Double](repeating: 0, count: n)
    var usedSteps = [Double](repeating: 0, count: n)
    var xs = x
    var succeeded = true
    for i in 0..<n {
      let bounded = problem.transforms[i].isBounded
      let minimumStep = 8 * Precision.eps2 * (abs(x[i]) + Precision.eps2)
      var d = g.secondDerivative[i] > 0 ? (2 * aimSagitta / g.secondDerivative[i]).squareRoot() : abs(g.step[i])
      if bounded { d = min(d, 0.5) }
      d = max(d, minimumStep)
      var g2 = g.secondDerivative[i]
      for _ in 0..<strategy.hessianCycles {
        var fPlus = 0.0, fMinus = 0.0, sagitta = 0.0
        for _ in 0..<5 {
          xs[i] = x[i] + d
          fPlus = problem(xs)
          xs[i] = x[i] - d
          fMinus = problem(xs)
          xs[i] = x[i]
          sagitta = 0.5 * (fPlus + fMinus - 2 * f0)
          if sagitta > noiseFloor { break }
          if bounded && d >= 0.5 { break }
          d *= 10
          if bounded { d = min(d, 0.5) }
        }
        if !(sagitta > 0) { succeeded = false }
        let g2Before = g2
        g2 = 2 * sagitta / (d * d)
        g.gradient[i] = 0.5 * (fPlus - fMinus) / d
        g.step[i] = d
        g.secondDerivative[i] = g2
        plusValues[i] = fPlus
        minusValues[i] = fMinus
        usedSteps[i] = d
        let last = d
        var next = g2 > 0 ? (2 * aimSagitta / g2).squareRoot() : 10 * d
        if bounded { next = min(next, 0.5) }
        next = min(max(max(next, minimumStep), 0.1 * last), 10 * last)
        if abs((next - last) / next) < strategy.hessianStepTolerance { break }
        if g2Before != 0 && abs((g2 - g2Before) / g2) < strategy.hessianG2Tolerance { break }
        d = next
      }
      h[i][i] = g2
    }
    for i in 0..<n {
      for j in (i + 1)..<max(n, i + 1) {
        xs[i] = x[i] + usedSteps[i]
        xs[j] = x[j] + usedSteps[j]
        let fBothPlus = problem(xs)
        xs[i] = x[i] - usedSteps[i]
        xs[j] = x[j] - usedSteps[j]
        let fBothMinus = problem(xs)
        xs[i] = x[i]
        xs[j] = x[j]
        let hij = (fBothPlus + fBothMinus + 2 * f0 - plusValues[i] - minusValues[i] - plusValues[j] - minusValues[j])
          / (2 * usedSteps[i] * usedSteps[j])
        h[i][j] = hij
        h[j][i] = hij
      }
    }
    return Outcome(hessian: h, gradient: g, succeeded: succeeded)
  }
}

extension Hesse {
  /// HESSE from an analytic gradient: column j of the Hessian is the central
  /// difference [g(x + dⱼeⱼ) − g(x − dⱼeⱼ)]/(2dⱼ), symmetrised, with dⱼ aiming at
  /// the same sagitta √eps2·(|f| + UP) as the numerical HESSE along the
  /// current metric's width (dⱼ = √(2·sagitta·Vⱼⱼ), V ≈ H⁻¹). 2n gradient calls.
  static func computeFromGradient(at x: [Double], value f0: Double, seed: GradientState, metric: [[Double]],
                                  problem: MinimizationProblem) -> Outcome {
    let n = x.count
    let up = problem.errorDefinition
    let aimSagitta = Precision.eps2.squareRoot() * (abs(f0) + up)
    var columns = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    var g = seed
    g.gradient = problem.gradient(x)
    var xs = x
    var steps = [Double](repeating: 0, count: n)
    for j in 0..<n {
      let minimumStep = 8 * Precision.eps2 * (abs(x[j]) + Precision.eps2)
      let width = metric[j][j] > 0 && metric[j][j].isFinite
        ? metric[j][j] : (g.secondDerivative[j] > 0 ? 1 / g.secondDerivative[j] : g.step[j] * g.step[j])
      var d = (2 * aimSagitta * width).squareRoot()
      if problem.transforms[j].isBounded { d = min(d, 0.5) }
      d = max(d, minimumStep)
      steps[j] = d
      xs[j] = x[j] + d
      let plus = problem.gradient(xs)
      xs[j] = x[j] - d
      let minus = problem.gradient(xs)
      xs[j] = x[j]
      for i in 0..<n { columns[j][i] = (plus[i] - minus[i]) / (2 * d) }
    }
    var h = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    var succeeded = true
    for i in 0..<n {
      for j in 0..<n { h[i][j] = 0.5 * (columns[i][j] + columns[j][i]) }
      if !(h[i][i] > 0) { succeeded = false }
      g.secondDerivative[i] = h[i][i]
      g.step[i] = steps[i]
    }
    return Outcome(hessian: h, gradient: g, succeeded: succeeded)
  }
}
