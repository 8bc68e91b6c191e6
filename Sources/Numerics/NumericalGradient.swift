import Foundation

/// First derivatives, diagonal second derivatives and the steps that gave them,
/// in internal coordinates; refined from one point to the next.
struct GradientState {
  var gradient: [Double]
  var secondDerivative: [Double]
  var step: [Double]

  /// A seed from initial internal steps d: g2 = 2·UP/d² (a parabola rising by UP over d).
  init(steps: [Double], errorDefinition up: Double) {
    step = steps.map { max($0, 1e-8) }
    secondDerivative = step.map { 2 * up / ($0 * $0) }
    gradient = zip(secondDerivative, step).map { $0 * $1 }
  }

  /// Central differences with the step adapted to the curvature: the step aims at a
  /// function change of about 8·eps2·(|f| + UP), is kept within [0.1, 10]× the
  /// previous step, and cycles stop when the step or the gradient settles.
  /// `cycles` overrides the strategy's number of cycles (1: a single pair of calls per parameter).
  mutating func refine(at x: [Double], value f0: Double, problem: MinimizationProblem, strategy: StrategySettings,
                       cycles: Int? = nil) {
    let up = problem.errorDefinition
    let dfmin = 8 * Precision.eps2 * (abs(f0) + up)
    let verySmall = 8 * Precision.eps * Precision.eps
    var xs = x
    for i in x.indices {
      let bounded = problem.transforms[i].isBounded
      let epspri = Precision.eps2 + abs(gradient[i] * Precision.eps2)
      var previousStep = 0.0
      for _ in 0..<(cycles ?? strategy.gradientCycles) {
        var s = max((dfmin / (abs(secondDerivative[i]) + epspri)).squareRoot(), abs(0.1 * step[i]))
        if bounded { s = min(s, 0.5) }
        s = min(s, 10 * abs(step[i]))
        s = max(s, max(verySmall, 8 * abs(Precision.eps2 * x[i])))
        if abs((s - previousStep) / s) < strategy.gradientStepTolerance { break }
        step[i] = s
        previousStep = s
        xs[i] = x[i] + s
        let fPlus = problem(xs)
        xs[i] = x[i] - s
        let fMinus = problem(xs)
        xs[i] = x[i]
        let before = gradient[i]
        gradient[i] = 0.5 * (fPlus - fMinus) / s
        secondDerivative[i] = (fPlus + fMinus - 2 * f0) / (s * s)
        if abs(before - gradient[i]) / (abs(gradient[i]) + dfmin / s) < strategy.gradientTolerance { break }
      }
    }
  }
}
