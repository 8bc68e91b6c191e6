import Foundation
import Modes
import Numerics
import Query

/// An extended unbinned maximum-likelihood fit of a calibration mode's mass
/// model (signal + background, shapes from the mode file) to a fit sample,
/// with MIGRAD + HESSE, NLL offsetting and the model's extra starting points.
///
/// Parameters are named `signal.<p>`, `background.<p>`, and the yields
/// `signal.yield`, `background.yield`. A parameter without limits in the mode
/// file gets a default that keeps the shape valid (widths positive and below
/// the range width, fractions in [0, 1], locations inside the range, Chebychev
/// coefficients in [−1, 1], yields in [0, 2N + 10]).
public struct MassFit: Sendable {
  public var model: MassModel
  public var threads: Int?
  /// Bins of a binned extended fit (for very large samples); nil: unbinned.
  public var bins: Int?
  public var minimizer = Minimizer()

  /// The most bins of a binned fit: finer than any mass resolution, and
  /// 80 MB of bin contents and densities.
  public static let maximumBins = 10_000_000

  public init(model: MassModel, threads: Int? = nil, bins: Int? = nil) {
    self.model = model
    self.threads = threads
    self.bins = bins
  }

  /// The species names, in model order.
  public static let species = ["signal", "background"]

  /// Fits `sample`.
  /// - Throws: `MassFitError` for an empty sample, a model that cannot be
  ///   built, or a fit that does not converge (the report says how it failed).
  public func fit(_ sample: FitSampleAggregate.Result) throws -> MassFitOutcome {
    let started = Date()
    guard sample.count > 0 else {
      throw MassFitError.noEventsInRange(column: model.column, range: model.range, outside: sample.outside)
    }
    if let bins, !(2...Self.maximumBins).contains(bins) { throw MassFitError.binCount(bins, maximum: Self.maximumBins) }
    let range = FitRange(model.lo, model.hi)
    let nll: any ModelLikelihood = bins.map {
      BinnedExtendedNLL(data: sample.values, weights: sample.weights, range: range, bins: $0)
    } ?? ExtendedNLL(data: sample.values, weights: sample.weights, range: range, workers: threads)
    return try fit(nll: nll, events: sample.count, outside: sample.outside,
                   sumOfWeights: sample.weights.map { $0.reduce(0, +) }, started: started)
  }

  /// Fits a histogram of the fit variable (`bins` must be its bin count):
  /// the binned fit of a sharded run, whose shards send histograms.
  /// - Throws: as `fit(_:)`.
  public func fit(histogram h: FitHistogramAggregate.Result) throws -> MassFitOutcome {
    let started = Date()
    guard h.entries > 0 else {
      throw MassFitError.noEventsInRange(column: model.column, range: model.range, outside: h.outside)
    }
    precondition(bins == h.sumW.count, "the histogram's bins are the fit's")
    if !(2...Self.maximumBins).contains(h.sumW.count) { throw MassFitError.binCount(h.sumW.count, maximum: Self.maximumBins) }
    return try fit(nll: BinnedExtendedNLL(counts: h.sumW, range: FitRange(model.lo, model.hi)), events: h.entries,
                   outside: h.outside, sumOfWeights: h.weighted ? h.sumOfWeights : nil, started: started)
  }

  func fit(nll: any ModelLikelihood, events: Int, outside: Int, sumOfWeights: Double?, started: Date) throws -> MassFitOutcome {
    let range = FitRange(model.lo, model.hi)
    let n = Double(events)
    var components: [ModelComponent] = []
    for (name, shape) in zip(Self.species, [model.signal, model.background]) {
      do {
        components.append(ModelComponent(name: name, yield: 0.5 * n, shape: try shape.shape()))
      } catch {
        throw MassFitError.invalidModel("\(name): \(error)")
      }
    }
    let extended = ExtendedModel(range: range, species: components)
    var problem = ExtendedModelFit(model: extended, nll: nll)
    for (name, shape) in zip(Self.species, [model.signal, model.background]) {
      problem.configure("\(name).yield", lowerLimit: 0, upperLimit: 2 * n + 10)
      for p in shape.parameters.keys {
        let (lo, hi) = shape.limits[p].map { ($0[0], $0[1]) } ?? Self.defaultLimits(p, kind: shape.kind, range: range)
        problem.configure("\(name).\(p)", lowerLimit: lo, upperLimit: hi, isFixed: shape.fixed.contains(p))
      }
    }
    let starts = model.starts.map { start in
      var named: [String: Double] = [:]
      for (p, v) in start {
        for (name, shape) in zip(Self.species, [model.signal, model.background]) where shape.parameters[p] != nil {
          named["\(name).\(p)"] = v
        }
      }
      return named
    }
    // RooFit's call limit, 500 per free parameter (MINUIT's default is too
    // tight for the strongly correlated Johnson + Gaussian of K_S0)
    var minimizer = self.minimizer
    if minimizer.maxCalls == nil { minimizer.maxCalls = 500 * problem.parameters.filter { !$0.isFixed }.count }
    // the nominal start first (`fit` always runs it), then the mode's extra starts
    var outcome = problem.fit(minimizer: minimizer, startPoints: starts)
    if !outcome.result.status.isValid {
      // MINUIT practice: an invalid minimum is refitted with strategy 2 from where it stopped
      var retry = problem
      for i in retry.parameters.indices { retry.parameters[i].value = outcome.result.values[i] }
      var careful = minimizer
      careful.strategy = 2
      let second = retry.fit(minimizer: careful)
      if second.result.status.isValid || second.nll < outcome.nll { outcome = second }
    }
    let report = MassFitReport(
      outcome: outcome, column: model.column, range: model.range, events: events, outside: outside,
      sumOfWeights: sumOfWeights, seconds: Date().timeIntervalSince(started))
    guard report.valid else { throw MassFitError.notConverged(report) }
    return MassFitOutcome(report: report, model: outcome.model)
  }

  /// Limits for a parameter the mode file leaves open: wide, but keeping the
  /// shape valid everywhere the minimizer may step.
  static func defaultLimits(_ p: String, kind: String, range: FitRange) -> (Double, Double) {
    let w = range.hi - range.lo
    switch p {
    case "mu":
      return (range.lo, range.hi)
    case "m0" where kind != "argus" && kind != "threshold":
      // a peak position (Crystal Ball); ARGUS's endpoint and the ΔM threshold may lie outside
      return (range.lo, range.hi)
    case "sigma", "sigma1", "sigma2", "sigmaL", "sigmaR", "lambda":
      return (1e-4 * w, w)
    case "f", "fJohnson":
      return (0, 1)
    case "delta":
      return (0.05, 20)
    case "gamma":
      return (-20, 20)
    case "alpha", "alphaL", "alphaR":
      return (0.05, 10)
    case "n", "nL", "nR":
      return (1.01, 100)
    case _ where kind == "chebychev":
      return (-1, 1)
    default:
      return (-1e3, 1e3)
    }
  }
}

/// A converged fit: the report and the fitted model (for sWeights and plots).
public struct MassFitOutcome: Sendable {
  public var report: MassFitReport
  public var model: ExtendedModel
}

/// Why a mass fit gave no result.
public enum MassFitError: Error, Sendable {
  /// No row passes the selection.
  case emptySelection(cut: String)
  /// sWeights need the systematic model, and the mode file has none.
  case noSystematicModel
  /// sWeights need every event, and the fit had a histogram (the shards of a binned fit).
  case sWeightsNeedEvents
  /// The selection left no event inside the fit range.
  case noEventsInRange(column: String, range: [Double], outside: Int)
  /// The mode's shapes do not make a model.
  case invalidModel(String)
  /// MIGRAD/HESSE ended without a valid minimum.
  case notConverged(MassFitReport)
  /// A binned fit asked for fewer than 2 or more than `maximum` bins.
  case binCount(Int, maximum: Int)
}

/// A value with its HESSE error.
public struct ValueWithError: Sendable, Codable, Equatable {
  public var value: Double
  public var error: Double
  /// Within 1e-5 of (or at) a limit: the error is not reliable.
  public var atLimit: Bool
  public var fixed: Bool

  enum CodingKeys: String, CodingKey { case value, error, atLimit = "at_limit", fixed }
}

/// What `syscorr fit --json` prints and `fit_results/*.json` holds.
public struct MassFitReport: Sendable, Codable, Equatable {
  public var column: String
  public var range: [Double]
  /// Events in the fit (inside the range) and passing events outside it.
  public var events: Int
  public var outside: Int
  /// Σw of a weighted fit.
  public var sumOfWeights: Double?
  public var valid: Bool
  /// "valid", or why not ("edm above maximum", "call limit", …).
  public var status: String
  public var edm: Double
  public var edmMaximum: Double
  /// The extended NLL at the minimum (un-offset, masses in the file's units).
  public var nll: Double
  public var calls: Int
  /// Analytic gradient calls (MIGRAD and HESSE; 0 when the gradient was numerical).
  public var gradientCalls: Int
  public var covarianceQuality: String
  public var parameters: [String: ValueWithError]
  public var yields: [String: ValueWithError]
  /// Free parameters and their covariance (HESSE).
  public var covariance: Covariance
  /// min over the range of each Chebychev background (≤ 0: unphysical).
  public var chebychevMinimum: [String: Double]
  public var seconds: Double

  public struct Covariance: Sendable, Codable, Equatable {
    public var names: [String]
    public var matrix: [[Double]]
  }

  enum CodingKeys: String, CodingKey {
    case column, range, events, outside, sumOfWeights = "sum_of_weights", valid, status, edm
    case edmMaximum = "edm_max", nll, calls, gradientCalls = "gradient_calls", covarianceQuality = "covariance_quality", parameters, yields
    case covariance, chebychevMinimum = "chebychev_minimum", seconds
  }

  init(outcome: ExtendedFitOutcome, column: String, range: [Double], events: Int, outside: Int,
       sumOfWeights: Double?, seconds: Double) {
    let r = outcome.result
    self.column = column
    self.range = range
    self.events = events
    self.outside = outside
    self.sumOfWeights = sumOfWeights
    var reasons: [String] = []
    if !r.status.isEDMBelowMaximum { reasons.append("edm above maximum") }
    if r.status.isCallLimitReached { reasons.append("call limit reached") }
    if r.status.covarianceQuality != .accurate { reasons.append("covariance \(r.status.covarianceQuality.rawValue)") }
    valid = r.status.isValid
    status = valid ? "valid" : reasons.isEmpty ? "invalid" : reasons.joined(separator: ", ")
    edm = r.edm
    edmMaximum = r.edmMaximum
    nll = outcome.nll
    calls = r.nfcn
    gradientCalls = r.ngrad
    covarianceQuality = r.status.covarianceQuality.rawValue
    var parameters: [String: ValueWithError] = [:]
    var yields: [String: ValueWithError] = [:]
    let atLimit = Set(r.status.parametersAtLimit)
    for (i, name) in r.parameterNames.enumerated() {
      let v = ValueWithError(value: r.values[i], error: r.errors[i], atLimit: atLimit.contains(name), fixed: r.isFixed[i])
      if name.hasSuffix(".yield") { yields[String(name.dropLast(".yield".count))] = v } else { parameters[name] = v }
    }
    self.parameters = parameters
    self.yields = yields
    let free = r.parameterNames.indices.filter { !r.isFixed[$0] }
    let names = free.map { r.parameterNames[$0] }
    let matrix = free.map { i in free.map { j in r.covariance[i][j] } }
    covariance = Covariance(names: names, matrix: matrix)
    chebychevMinimum = outcome.chebychevMinima
    self.seconds = seconds
  }
}
