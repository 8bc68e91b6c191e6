import Foundation

/// The FCN seen in internal coordinates of the free parameters, counting calls.
final class MinimizationProblem {
  let fcn: ([Double]) -> Double
  let parameters: [FitParameter]
  let free: [Int]
  let transforms: [ParameterTransform]
  let errorDefinition: Double
  let maxCalls: Int
  /// The analytic gradient in external coordinates (all parameters), if any.
  let gradientFunction: (([Double]) -> [Double])?
  /// FCN and its gradient in one pass, if available.
  let valueAndGradientFunction: (([Double]) -> (Double, [Double]))?
  private(set) var calls = 0
  private(set) var gradientCalls = 0

  init(fcn: @escaping ([Double]) -> Double, gradient: (([Double]) -> [Double])? = nil,
       valueAndGradient: (([Double]) -> (Double, [Double]))? = nil, parameters: [FitParameter],
       errorDefinition: Double, maxCalls: Int) {
    self.fcn = fcn
    gradientFunction = gradient ?? valueAndGradient.map { f in { f($0).1 } }
    valueAndGradientFunction = valueAndGradient
    self.parameters = parameters
    free = parameters.indices.filter { !parameters[$0].isFixed }
    transforms = free.map { ParameterTransform(lower: parameters[$0].lowerLimit, upper: parameters[$0].upperLimit) }
    self.errorDefinition = errorDefinition
    self.maxCalls = maxCalls
  }

  var dimension: Int { free.count }
  var isCallLimitReached: Bool { calls >= maxCalls }

  func external(_ x: [Double]) -> [Double] {
    var e = parameters.map(\.value)
    for (k, i) in free.enumerated() { e[i] = transforms[k].external(x[k]) }
    return e
  }

  /// The internal start; a value sitting on a limit is first moved 10 % of its
  /// step inside (at the limit the transform's derivative vanishes).
  func startPoint() -> [Double] {
    free.enumerated().map { k, i in
      let p = parameters[i]
      var v = p.value
      let nudge = 0.1 * abs(p.step)
      if let lo = p.lowerLimit, v - lo < 1e-3 * abs(p.step) {
        v = lo + min(nudge, p.upperLimit.map { 0.5 * ($0 - lo) } ?? nudge)
      }
      if let hi = p.upperLimit, hi - v < 1e-3 * abs(p.step) {
        v = hi - min(nudge, p.lowerLimit.map { 0.5 * (hi - $0) } ?? nudge)
      }
      return transforms[k].internal(v)
    }
  }

  func startSteps(at x: [Double]) -> [Double] {
    free.enumerated().map { k, i in transforms[k].internalStep(at: x[k], external: parameters[i].step) }
  }

  /// A constant subtracted from every FCN value. Moving it to the current
  /// minimum keeps |f| small, so the noise floor MINUIT assumes for FCN
  /// differences, ∝ eps2·(|f| + UP), stays small (fits-and-splot.md §6.1).
  private(set) var reference = 0.0

  /// Shifts the reference by `f` (a value returned by this problem); returns the new value of that point (0).
  func rebase(_ f: Double) -> Double {
    if f.isFinite { reference += f }
    return f.isFinite ? 0 : f
  }

  var hasGradient: Bool { gradientFunction != nil }

  /// The analytic gradient at internal point `x` in internal coordinates
  /// (chain rule through the limit transforms). Requires `hasGradient`.
  func gradient(_ x: [Double]) -> [Double] {
    gradientCalls += 1
    let g = gradientFunction!(external(x))
    return free.enumerated().map { k, i in
      let v = g[i] * transforms[k].derivative(x[k])
      return v.isFinite ? v : 0
    }
  }

  /// FCN and its analytic gradient at internal point `x` in one call (counted as one of each).
  /// Requires `hasGradient` and `valueAndGradientFunction`'s value to be FCN's (up to rounding).
  func valueAndGradient(_ x: [Double]) -> (Double, [Double]) {
    guard let fused = valueAndGradientFunction else {
      return (self(x), gradient(x))
    }
    calls += 1
    gradientCalls += 1
    let (value, g) = fused(external(x))
    let v = value - reference
    let internalGradient = free.enumerated().map { k, i in
      let d = g[i] * transforms[k].derivative(x[k])
      return d.isFinite ? d : 0
    }
    return (v.isNaN ? .infinity : v, internalGradient)
  }

  /// FCN at internal point `x`, minus `reference`; NaN is reported as +∞ so comparisons reject it.
  func callAsFunction(_ x: [Double]) -> Double {
    calls += 1
    let v = fcn(external(x)) - reference
    return v.isNaN ? .infinity : v
  }
}

/// MINUIT strategy settings (Minuit2 `MnStrategy`, fits-and-splot.md §3).
struct StrategySettings {
  let gradientCycles: Int
  let gradientStepTolerance: Double
  let gradientTolerance: Double
  let hessianCycles: Int
  let hessianStepTolerance: Double
  let hessianG2Tolerance: Double

  init(_ level: Int) {
    switch level {
    case ...0: (gradientCycles, gradientStepTolerance, gradientTolerance) = (2, 0.5, 0.1)
      (hessianCycles, hessianStepTolerance, hessianG2Tolerance) = (3, 0.5, 0.1)
    case 1: (gradientCycles, gradientStepTolerance, gradientTolerance) = (3, 0.3, 0.05)
      (hessianCycles, hessianStepTolerance, hessianG2Tolerance) = (5, 0.3, 0.05)
    default: (gradientCycles, gradientStepTolerance, gradientTolerance) = (5, 0.1, 0.02)
      (hessianCycles, hessianStepTolerance, hessianG2Tolerance) = (7, 0.1, 0.02)
    }
  }
}

/// Machine-precision constants as MINUIT uses them.
enum Precision {
  static let eps = Double.ulpOfOne
  /// 2√ε: the relative precision assumed for FCN differences.
  static let eps2 = 2 * Double.ulpOfOne.squareRoot()
}
