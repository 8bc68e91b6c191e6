import Foundation

/// MIGRAD's core: quasi-Newton steps along −V·g with a parabolic line search and
/// the Davidon (DFP with a BFGS correction) rank-two update of V ≈ H⁻¹.
struct VariableMetricSearch {
  var x: [Double]
  var f: Double
  var gradient: GradientState
  /// Approximate inverse Hessian of FCN in internal coordinates.
  var metric: [[Double]]
  var edm: Double
  /// Set when `run` stopped because its `abandon` test said so.
  var abandoned = false

  /// Starts at `x` with a diagonal metric from the seeded second derivatives.
  init(x: [Double], f: Double, gradient: GradientState) {
    self.x = x
    self.f = f
    self.gradient = gradient
    metric = Self.diagonalMetric(gradient)
    edm = Self.edm(gradient.gradient, metric)
  }

  init(x: [Double], f: Double, gradient: GradientState, metric: [[Double]]) {
    self.x = x
    self.f = f
    self.gradient = gradient
    self.metric = metric
    edm = Self.edm(gradient.gradient, metric)
  }

  static func diagonalMetric(_ g: GradientState) -> [[Double]] {
    let n = g.gradient.count
    var v = SymmetricMatrix.identity(n)
    for i in 0..<n { v[i][i] = g.secondDerivative[i] > 0 ? 1 / g.secondDerivative[i] : 1 }
    return v
  }

  static func edm(_ g: [Double], _ v: [[Double]]) -> Double {
    0.5 * SymmetricMatrix.dot(g, SymmetricMatrix.multiply(v, g))
  }

  /// Iterates until EDM < `edmMaximum`, the call limit, or no further decrease.
  /// Returns whether it converged. With `abandon(iterations, FCN value, EDM)`
  /// returning true, stops early and sets `abandoned`. Gradients are analytic
  /// when the problem has them (second derivatives then keep their last estimate,
  /// as in Minuit2), else central differences.
  mutating func run(problem: MinimizationProblem, strategy: StrategySettings, edmMaximum: Double,
                    abandon: ((Int, Double, Double) -> Bool)? = nil) -> Bool {
    var justReset = false
    var iterations = 0
    while true {
      if edm < edmMaximum && edm >= 0 { return true }
      if problem.isCallLimitReached { return false }
      if let abandon, abandon(iterations, f + problem.reference, edm) {
        abandoned = true
        return false
      }
      f = problem.rebase(f)
      var direction = SymmetricMatrix.multiply(metric, gradient.gradient).map { -$0 }
      var slope = SymmetricMatrix.dot(direction, gradient.gradient)
      if !(slope < 0) {
        if justReset { return false }
        metric = Self.diagonalMetric(gradient)
        justReset = true
        direction = SymmetricMatrix.multiply(metric, gradient.gradient).map { -$0 }
        slope = SymmetricMatrix.dot(direction, gradient.gradient)
        if !(slope < 0) { return false }
      }
      let (lambda, fNew, gradientAtNew) = lineSearch(direction: direction, slope: slope, problem: problem)
      if lambda == 0 {
        // no decrease along this direction: close to the minimum, leave it to HESSE;
        // otherwise retry once with a fresh diagonal metric
        if justReset || edm < 100 * edmMaximum { return edm < edmMaximum }
        metric = Self.diagonalMetric(gradient)
        edm = Self.edm(gradient.gradient, metric)
        justReset = true
        continue
      }
      justReset = false
      let xNew = zip(x, direction).map { $0 + lambda * $1 }
      var gNew = gradient
      if let gradientAtNew {
        gNew.gradient = gradientAtNew
      } else if problem.hasGradient {
        gNew.gradient = problem.gradient(xNew)
      } else {
        gNew.refine(at: xNew, value: fNew, problem: problem, strategy: strategy)
      }
      iterations += 1
      let dx = zip(xNew, x).map { $0 - $1 }
      let dg = zip(gNew.gradient, gradient.gradient).map { $0 - $1 }
      metric = Self.davidonUpdate(metric, dx: dx, dg: dg)
      x = xNew
      f = fNew
      gradient = gNew
      edm = Self.edm(gradient.gradient, metric)
      if edm < 0 {
        metric = Self.diagonalMetric(gradient)
        edm = Self.edm(gradient.gradient, metric)
      }
    }
  }

  /// V' = V + δδᵀ/(δ·γ) − (Vγ)(Vγ)ᵀ/(γᵀVγ), plus (γᵀVγ)·uuᵀ with
  /// u = δ/(δ·γ) − Vγ/(γᵀVγ) when δ·γ > γᵀVγ; skipped when δ·γ ≤ 0.
  static func davidonUpdate(_ v: [[Double]], dx: [Double], dg: [Double]) -> [[Double]] {
    let delgam = SymmetricMatrix.dot(dx, dg)
    guard delgam > 0 else { return v }
    let vg = SymmetricMatrix.multiply(v, dg)
    let gvg = SymmetricMatrix.dot(dg, vg)
    guard gvg > 0 else { return v }
    let n = dx.count
    var out = v
    let addBFGS = delgam > gvg
    for i in 0..<n {
      for j in 0..<n {
        out[i][j] += dx[i] * dx[j] / delgam - vg[i] * vg[j] / gvg
        if addBFGS {
          let ui = dx[i] / delgam - vg[i] / gvg, uj = dx[j] / delgam - vg[j] / gvg
          out[i][j] += gvg * ui * uj
        }
      }
    }
    return out
  }

  /// Minimises F(λ) = FCN(x + λ·d) approximately by successive parabolas,
  /// starting from λ = 1. Returns λ = 0 when no decrease was found.
  /// With an analytic gradient every trial point is evaluated with its gradient in one
  /// pass (about the cost of the value alone), and the best point's gradient is returned.
  func lineSearch(direction d: [Double], slope: Double, problem: MinimizationProblem) -> (Double, Double, [Double]?) {
    var gradients: [Double: [Double]] = [:]
    func at(_ lambda: Double) -> Double {
      let point = zip(x, d).map { $0 + lambda * $1 }
      guard problem.hasGradient else { return problem(point) }
      let (v, g) = problem.valueAndGradient(point)
      gradients[lambda] = g
      return v
    }
    var points: [(l: Double, f: Double)] = [(0, f), (1, at(1))]
    let up = problem.errorDefinition
    // with the gradient at λ = 1 in hand: the full step is taken when it satisfies the strong
    // Wolfe conditions (sufficient decrease, and the slope along d reduced to ≤ 0.9 of its start)
    if let g1 = gradients[1], points[1].f < f {
      let slope1 = zip(g1, d).reduce(0) { $0 + $1.0 * $1.1 }
      if points[1].f <= f + 1e-4 * slope && abs(slope1) <= 0.9 * abs(slope) { return (1, points[1].f, g1) }
    }
    for _ in 0..<8 {
      if problem.isCallLimitReached { break }
      let best = points.min { $0.f < $1.f }!
      var next: Double
      var predictedGain = Double.infinity
      if points.count == 2 {
        let (l1, f1) = points[1]
        let curvature = (f1 - f - slope * l1) / (l1 * l1)
        next = curvature > 0 ? -slope / (2 * curvature) : 4 * l1
        if curvature > 0 { predictedGain = best.f - (f + slope * next + curvature * next * next) }
      } else {
        // parabola through the best point and its two nearest neighbours in λ
        let near = points.sorted { abs($0.l - best.l) < abs($1.l - best.l) }.prefix(3)
        let p = Array(near)
        let (a, b, c) = (p[0], p[1], p[2])
        let d1 = (b.f - a.f) / (b.l - a.l), d2 = (c.f - a.f) / (c.l - a.l)
        let curvature = (d2 - d1) / (c.l - b.l)
        if curvature > 0 {
          // F ≈ a.f + d1 (λ − a.l) + curvature (λ − a.l)(λ − b.l)
          next = 0.5 * (a.l + b.l - d1 / curvature)
          let model = a.f + d1 * (next - a.l) + curvature * (next - a.l) * (next - b.l)
          predictedGain = best.f - model
        } else {
          next = best.l == points.map(\.l).max()! ? 3 * best.l : 0.5 * best.l
        }
      }
      let largest = points.map(\.l).max()!
      if !(next > 0) || !next.isFinite {
        next = 0.3 * points.filter { $0.l > 0 }.map(\.l).min()!
      }
      next = min(next, 10 * largest)
      if best.l > 0 {
        if abs(next - best.l) <= 0.05 * best.l { break }
        if predictedGain < 1e-4 * up { break }
      }
      points.append((next, at(next)))
    }
    let best = points.min { $0.f < $1.f }!
    return best.l > 0 && best.f < f ? (best.l, best.f, gradients[best.l]) : (0, f, nil)
  }
}
