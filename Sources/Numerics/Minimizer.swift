import Foundation

/// A MIGRAD + HESSE minimiser following MINUIT's conventions
/// (fits-and-splot.md §3): errordef UP (0.5 for an NLL, 1 for χ²), convergence
/// at EDM < 0.002·tolerance·UP, covariance 2·UP·H⁻¹ mapped through the limit
/// transforms' Jacobian, strategy 0/1/2 settings of Minuit2.
public struct Minimizer: Sendable {
  /// UP: 0.5 for a negative log-likelihood, 1 for χ² or −2 ln L.
  public var errorDefinition: Double
  /// MINUIT tolerance (iminuit default 0.1; RooFit uses 1).
  public var tolerance: Double
  /// 0, 1 (default) or 2.
  public var strategy: Int
  /// Call limit; nil means MINUIT's 200 + 100n + 5n² for n free parameters.
  public var maxCalls: Int?

  public init(errorDefinition: Double = 0.5, tolerance: Double = 0.1, strategy: Int = 1, maxCalls: Int? = nil) {
    self.errorDefinition = errorDefinition
    self.tolerance = tolerance
    self.strategy = strategy
    self.maxCalls = maxCalls
  }

  /// 0.002 · tolerance · UP.
  public var edmMaximum: Double { 0.002 * tolerance * errorDefinition }

  /// MIGRAD from the parameters' values, then HESSE. `fcn` receives all
  /// parameter values (fixed ones included) in the order of `parameters`.
  /// With `gradient` (∂fcn/∂p for every parameter, same order), MIGRAD takes
  /// its gradients from it and HESSE differentiates it once more (central
  /// differences of the gradient); the start's second derivatives are still
  /// estimated numerically, as MINUIT's seed does. `valueAndGradient` (fcn and its
  /// gradient from one call) may replace `gradient`: the line search then gets each
  /// trial point's gradient with its value.
  public func minimize(_ fcn: @escaping ([Double]) -> Double, gradient: (([Double]) -> [Double])? = nil,
                       valueAndGradient: (([Double]) -> (Double, [Double]))? = nil,
                       parameters: [FitParameter]) -> FitResult {
    minimize(fcn, gradient: gradient, valueAndGradient: valueAndGradient, parameters: parameters, abandon: nil)
  }

  /// `minimize`, stopping early (an invalid result) when `abandon(iteration, fcn value, edm)` says so.
  func minimize(_ fcn: @escaping ([Double]) -> Double, gradient: (([Double]) -> [Double])?,
                valueAndGradient: (([Double]) -> (Double, [Double]))?,
                parameters: [FitParameter], abandon: ((Int, Double, Double) -> Bool)?) -> FitResult {
    let n = parameters.filter { !$0.isFixed }.count
    let problem = MinimizationProblem(fcn: fcn, gradient: gradient, valueAndGradient: valueAndGradient,
                                      parameters: parameters,
                                      errorDefinition: errorDefinition,
                                      maxCalls: maxCalls ?? (200 + 100 * n + 5 * n * n))
    let settings = StrategySettings(strategy)
    let x0 = problem.startPoint()
    let f0 = problem(x0)
    guard n > 0 else {
      return result(problem, x: x0, f: f0, edm: 0, covarianceInternal: nil, quality: .notComputed, converged: true)
    }
    var seed = GradientState(steps: problem.startSteps(at: x0), errorDefinition: errorDefinition)
    // with an analytic gradient, the numerical pass only seeds the second derivatives: one cycle
    seed.refine(at: x0, value: f0, problem: problem, strategy: settings, cycles: problem.hasGradient ? 1 : nil)
    if problem.hasGradient { seed.gradient = problem.gradient(x0) }
    var search = VariableMetricSearch(x: x0, f: f0, gradient: seed)
    _ = search.run(problem: problem, strategy: settings, edmMaximum: edmMaximum, abandon: abandon)
    if search.abandoned {
      return result(problem, x: search.x, f: search.f, edm: search.edm, covarianceInternal: search.metric,
                    quality: .approximate, converged: false)
    }
    // HESSE, and MIGRAD again from its matrix while HESSE's EDM is above the maximum;
    // convergence is judged on HESSE's EDM
    for round in 0..<3 {
      search.f = problem.rebase(search.f)
      let hesse = problem.hasGradient
        ? Hesse.computeFromGradient(at: search.x, value: search.f, seed: search.gradient, metric: search.metric,
                                    problem: problem)
        : Hesse.compute(at: search.x, value: search.f, seed: search.gradient, problem: problem, strategy: settings)
      let (h, forced) = SymmetricMatrix.forcedPositiveDefinite(hesse.hessian)
      guard let v = SymmetricMatrix.inverse(h) else { break }
      let edm = VariableMetricSearch.edm(hesse.gradient.gradient, v)
      let quality: CovarianceQuality = forced || !hesse.succeeded ? .forcedPositiveDefinite : .accurate
      if edm < edmMaximum || round == 2 || problem.isCallLimitReached {
        return result(problem, x: search.x, f: search.f, edm: edm, covarianceInternal: v, quality: quality,
                      converged: edm < edmMaximum)
      }
      search = VariableMetricSearch(x: search.x, f: search.f, gradient: hesse.gradient, metric: v)
      _ = search.run(problem: problem, strategy: settings, edmMaximum: edmMaximum)
    }
    return result(problem, x: search.x, f: search.f, edm: search.edm, covarianceInternal: search.metric,
                  quality: .approximate, converged: search.edm < edmMaximum)
  }

  /// MIGRAD + HESSE from each start point (full value vectors in parameter order)
  /// and from the parameters' own values; keeps the lowest valid minimum
  /// (or the lowest of all if none is valid). `all` lists every run in order.
  ///
  /// A later start is abandoned (an invalid run) when, after `abandonAfterIterations`
  /// MIGRAD iterations, its FCN value is still clearly above the best valid minimum so far:
  /// by more than max(20·UP, 10·EDM), EDM being the decrease its quadratic model still expects.
  public func minimize(_ fcn: @escaping ([Double]) -> Double, gradient: (([Double]) -> [Double])? = nil,
                       valueAndGradient: (([Double]) -> (Double, [Double]))? = nil,
                       parameters: [FitParameter],
                       startPoints: [[Double]]) -> (best: FitResult, all: [FitResult]) {
    var runs = [minimize(fcn, gradient: gradient, valueAndGradient: valueAndGradient, parameters: parameters)]
    let up = errorDefinition
    for start in startPoints {
      precondition(start.count == parameters.count, "a start point needs \(parameters.count) values")
      var p = parameters
      for i in p.indices { p[i].value = start[i] }
      let bestValid = runs.filter(\.status.isValid).map(\.fval).min()
      let abandon: ((Int, Double, Double) -> Bool)? = bestValid.map { best in
        { iteration, f, edm in
          iteration >= Self.abandonAfterIterations && f - best > max(20 * up, 10 * edm)
        }
      }
      runs.append(minimize(fcn, gradient: gradient, valueAndGradient: valueAndGradient, parameters: p,
                           abandon: abandon))
    }
    let valid = runs.filter(\.status.isValid)
    let best = (valid.isEmpty ? runs : valid).min { $0.fval < $1.fval }!
    return (best, runs)
  }

  /// MIGRAD iterations before a later start may be abandoned.
  public static let abandonAfterIterations = 4

  /// HESSE alone at the parameters' values (no minimisation).
  public func hesse(_ fcn: @escaping ([Double]) -> Double, parameters: [FitParameter]) -> FitResult {
    let n = parameters.filter { !$0.isFixed }.count
    let problem = MinimizationProblem(fcn: fcn, parameters: parameters, errorDefinition: errorDefinition,
                                      maxCalls: maxCalls ?? (200 + 100 * n + 5 * n * n))
    let x = problem.startPoint()
    let f = problem(x)
    guard n > 0 else {
      return result(problem, x: x, f: f, edm: 0, covarianceInternal: nil, quality: .notComputed, converged: true)
    }
    let settings = StrategySettings(strategy)
    var seed = GradientState(steps: problem.startSteps(at: x), errorDefinition: errorDefinition)
    seed.refine(at: x, value: f, problem: problem, strategy: settings)
    let hesse = Hesse.compute(at: x, value: f, seed: seed, problem: problem, strategy: settings)
    let (h, forced) = SymmetricMatrix.forcedPositiveDefinite(hesse.hessian)
    guard let v = SymmetricMatrix.inverse(h) else {
      return result(problem, x: x, f: f, edm: .infinity, covarianceInternal: nil, quality: .notComputed, converged: false)
    }
    let edm = VariableMetricSearch.edm(hesse.gradient.gradient, v)
    return result(problem, x: x, f: f, edm: edm, covarianceInternal: v,
                  quality: forced || !hesse.succeeded ? .forcedPositiveDefinite : .accurate,
                  converged: edm < edmMaximum)
  }

  /// External values, errors and covariance: cov = 2·UP·J V Jᵀ, J = d external/d internal.
  private func result(_ problem: MinimizationProblem, x: [Double], f: Double, edm: Double,
                      covarianceInternal v: [[Double]]?, quality: CovarianceQuality, converged: Bool) -> FitResult {
    let all = problem.parameters
    let values = problem.external(x)
    var covariance = [[Double]](repeating: [Double](repeating: 0, count: all.count), count: all.count)
    let jacobian = x.indices.map { problem.transforms[$0].derivative(x[$0]) }
    if let v {
      for (a, i) in problem.free.enumerated() {
        for (b, j) in problem.free.enumerated() {
          covariance[i][j] = 2 * errorDefinition * jacobian[a] * v[a][b] * jacobian[b]
        }
      }
    }
    let atLimit = problem.free.enumerated().filter { problem.transforms[$0.offset].isAtLimit(x[$0.offset]) }
      .map { all[$0.element].name }
    let callLimit = problem.isCallLimitReached
    let status = FitStatus(
      isValid: converged && !callLimit && quality == .accurate && f.isFinite,  // callLimit: MINUIT's rule
      isEDMBelowMaximum: edm < edmMaximum, covarianceQuality: v == nil ? .notComputed : quality,
      parametersAtLimit: atLimit, isCallLimitReached: callLimit)
    return FitResult(parameterNames: all.map(\.name), values: values,
                     errors: covariance.indices.map { max(covariance[$0][$0], 0).squareRoot() },
                     covariance: covariance, isFixed: all.map(\.isFixed), fval: f + problem.reference, edm: edm,
                     edmMaximum: edmMaximum, nfcn: problem.calls, ngrad: problem.gradientCalls, status: status)
  }
}
