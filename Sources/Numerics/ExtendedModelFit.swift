import Foundation

/// Fits an `ExtendedModel` to unbinned data with `Minimizer`: parameters are
/// "<species>.yield" and "<species>.<shape parameter>"; the FCN is the extended
/// NLL minus its value at the start point (RooFit's Offset("initial"), §6.1).
/// A negative log-likelihood of an extended model: unbinned or binned.
public protocol ModelLikelihood: Sendable {
  func value(_ model: ExtendedModel) -> Double
  /// The value and its gradient in the order of `ExtendedModelFit.parameters`, or nil
  /// when not available analytically for this model (the fit then differentiates numerically).
  func valueAndGradient(_ model: ExtendedModel) -> (value: Double, gradient: [Double])?
  /// Whether `valueAndGradient` gives a gradient for models shaped like `model`.
  func hasAnalyticGradient(_ model: ExtendedModel) -> Bool
}

extension ModelLikelihood {
  public func valueAndGradient(_ model: ExtendedModel) -> (value: Double, gradient: [Double])? { nil }
  public func hasAnalyticGradient(_ model: ExtendedModel) -> Bool { false }
}

extension ExtendedNLL: ModelLikelihood {}
extension BinnedExtendedNLL: ModelLikelihood {}

public struct ExtendedModelFit: Sendable {
  public let nll: any ModelLikelihood
  /// The model whose values are the start point (and whose structure is fitted).
  public let model: ExtendedModel
  /// One per model parameter; edit limits, steps and fixed flags before `fit`.
  public var parameters: [FitParameter]

  public init(model: ExtendedModel, nll: any ModelLikelihood) {
    self.model = model
    self.nll = nll
    var p: [FitParameter] = []
    for s in model.species {
      p.append(FitParameter(name: "\(s.name).yield", value: s.yield, step: max(s.yield.magnitude.squareRoot(), 1)))
      for (name, v) in zip(s.shape.parameterNames, s.shape.parameterValues) {
        p.append(FitParameter(name: "\(s.name).\(name)", value: v))
      }
    }
    parameters = p
  }

  /// Sets limits / step / fixed flag of the parameter `name` (nil arguments keep the current setting).
  public mutating func configure(_ name: String, lowerLimit: Double? = nil, upperLimit: Double? = nil,
                                 step: Double? = nil, isFixed: Bool? = nil) {
    guard let i = parameters.firstIndex(where: { $0.name == name }) else {
      preconditionFailure("no fit parameter '\(name)'; known: \(parameters.map(\.name))")
    }
    if let lowerLimit { parameters[i].lowerLimit = lowerLimit }
    if let upperLimit { parameters[i].upperLimit = upperLimit }
    if let step { parameters[i].step = step }
    if let isFixed { parameters[i].isFixed = isFixed }
  }

  /// The model at a full parameter vector (order of `parameters`).
  public func model(at values: [Double]) -> ExtendedModel {
    var m = model
    var k = 0
    for s in m.species.indices {
      m.species[s].yield = values[k]
      let count = m.species[s].shape.parameterValues.count
      m.species[s].shape = m.species[s].shape.replacingParameterValues(Array(values[(k + 1)...(k + count)]))
      k += count + 1
    }
    return m
  }

  /// MIGRAD + HESSE from the start point and from each extra start (name → value
  /// overrides); the lowest valid minimum wins. The gradient is analytic when the
  /// likelihood provides one for this model (`analyticGradient` false forces numerical).
  public func fit(minimizer: Minimizer = Minimizer(), startPoints: [[String: Double]] = [],
                  analyticGradient: Bool = true) -> ExtendedFitOutcome {
    let start = parameters.map(\.value)
    let offset = nll.value(model(at: start))
    let fcn: ([Double]) -> Double = { [nll, self] v in nll.value(self.model(at: v)) - offset }
    let fused: (([Double]) -> (Double, [Double]))? = analyticGradient && nll.hasAnalyticGradient(model)
      ? { [nll, self] v in
        let (value, gradient) = nll.valueAndGradient(self.model(at: v))!
        return (value - offset, gradient)
      } : nil
    let starts = startPoints.map { overrides in
      parameters.map { overrides[$0.name] ?? $0.value }
    }
    let result = starts.isEmpty
      ? minimizer.minimize(fcn, valueAndGradient: fused, parameters: parameters)
      : minimizer.minimize(fcn, valueAndGradient: fused, parameters: parameters, startPoints: starts).best
    let fitted = model(at: result.values)
    var minima: [String: Double] = [:]
    for s in fitted.species {
      if let m = s.shape.chebychevMinimum(over: fitted.range) { minima[s.name] = m }
    }
    return ExtendedFitOutcome(result: result, model: fitted, nll: result.fval + offset, offset: offset,
                              chebychevMinima: minima)
  }
}

/// The outcome of `ExtendedModelFit.fit`.
public struct ExtendedFitOutcome: Sendable, Codable, Equatable {
  /// Minimiser output; `fval` is offset (NLL − `offset`).
  public var result: FitResult
  /// The model at the fitted values.
  public var model: ExtendedModel
  /// The un-offset extended NLL at the minimum.
  public var nll: Double
  /// The NLL at the start point that was subtracted.
  public var offset: Double
  /// For each Chebychev species, min of g over the range (≤ 0 means an unphysical background).
  public var chebychevMinima: [String: Double]
}
