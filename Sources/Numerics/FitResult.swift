/// How the covariance matrix of a `FitResult` was obtained (MINUIT's 0–3).
public enum CovarianceQuality: String, Sendable, Codable, Equatable {
  /// 0: no covariance.
  case notComputed
  /// 1: the variable-metric approximation only (HESSE not run or failed).
  case approximate
  /// 2: HESSE's matrix was not positive definite and was forced to be.
  case forcedPositiveDefinite
  /// 3: HESSE, positive definite.
  case accurate
}

/// Flags describing a minimisation.
public struct FitStatus: Sendable, Codable, Equatable {
  /// Converged (EDM below its maximum), within the call limit, covariance accurate.
  public var isValid: Bool
  /// EDM < 0.002 · tolerance · errordef.
  public var isEDMBelowMaximum: Bool
  public var covarianceQuality: CovarianceQuality
  /// Names of free bounded parameters sitting at a limit (their errors are unreliable).
  public var parametersAtLimit: [String]
  public var isCallLimitReached: Bool
}

/// The outcome of `Minimizer.minimize`: values, errors and covariance in
/// external (user) coordinates; fixed parameters have zero error and covariance.
public struct FitResult: Sendable, Codable, Equatable {
  public var parameterNames: [String]
  public var values: [Double]
  public var errors: [Double]
  /// Full covariance (all parameters, in `parameterNames` order); 2·errordef·H⁻¹.
  public var covariance: [[Double]]
  public var isFixed: [Bool]
  /// FCN at the minimum (offset FCNs report their offset value here).
  public var fval: Double
  /// Estimated distance to minimum, ½ gᵀVg.
  public var edm: Double
  /// The EDM threshold used, 0.002 · tolerance · errordef.
  public var edmMaximum: Double
  /// FCN calls, including HESSE's.
  public var nfcn: Int
  /// Analytic gradient calls (0 when the gradient was numerical).
  public var ngrad: Int
  public var status: FitStatus

  /// The fitted value of `name`.
  public func value(_ name: String) -> Double? {
    parameterNames.firstIndex(of: name).map { values[$0] }
  }

  /// The parabolic error of `name`.
  public func error(_ name: String) -> Double? {
    parameterNames.firstIndex(of: name).map { errors[$0] }
  }

  /// The correlation coefficient of two parameters (0 when either is fixed).
  public func correlation(_ a: String, _ b: String) -> Double? {
    guard let i = parameterNames.firstIndex(of: a), let j = parameterNames.firstIndex(of: b) else { return nil }
    let d = (covariance[i][i] * covariance[j][j]).squareRoot()
    return d > 0 ? covariance[i][j] / d : 0
  }
}
