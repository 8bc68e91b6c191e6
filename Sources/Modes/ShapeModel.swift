import ColumnStore
import Foundation
import Numerics
import Yams

/// A normalised shape of a mass-like observable (see fits-and-splot.md §1).
///
/// `kind` and the parameter names:
/// * `gaussian`: `mu`, `sigma`
/// * `doubleGaussian`: `mu`, `sigma1`, `sigma2` (σ₁ < σ₂), `f` (fraction of the σ₁ Gaussian)
/// * `johnsonSU`: `mu`, `lambda`, `gamma`, `delta`
/// * `johnsonSU+gaussian`: `mu` (common), `lambda`, `gamma`, `delta`, `sigma`,
///   `fJohnson` (fraction of the Johnson component)
/// * `chebychev`: `c1` … `cn` (order n = number of coefficients), mapped on the range
/// * `threshold`: `m0`, `power`: g(x) = (x − m0)^power for x > m0 (a ΔM background)
public struct ShapeModel: Sendable, Equatable, Codable {
  public var kind: String
  /// Start values of a fit (the generator's true values).
  public var parameters: [String: Double]
  /// Fit limits [lo, hi] of some parameters (the others get defaults from the fitter).
  public var limits: [String: [Double]]
  /// Parameters held at their value in a fit.
  public var fixed: Set<String>

  public init(kind: String, parameters: [String: Double], limits: [String: [Double]] = [:], fixed: Set<String> = []) {
    self.kind = kind
    self.parameters = parameters
    self.limits = limits
    self.fixed = fixed
  }

  /// The parameters a kind requires (Chebychev: at least `c1`).
  public static func requiredParameters(_ kind: String) -> [String] {
    switch kind {
    case "gaussian": ["mu", "sigma"]
    case "doubleGaussian": ["mu", "sigma1", "sigma2", "f"]
    case "johnsonSU": ["mu", "lambda", "gamma", "delta"]
    case "johnsonSU+gaussian": ["mu", "lambda", "gamma", "delta", "sigma", "fJohnson"]
    case "chebychev": ["c1"]
    case "threshold": ["m0", "power"]
    case "exponential": ["c"]
    case "crystalBall": ["m0", "sigma", "alpha", "n"]
    case "doubleSidedCrystalBall": ["m0", "sigma", "alphaL", "nL", "alphaR", "nR"]
    case "argus": ["m0", "c"]
    case "bifurcatedGaussian": ["mu", "sigmaL", "sigmaR"]
    case "polynomial": ["a0"]
    default: []
    }
  }

  /// Chebychev coefficients c1…cn in order.
  public var chebychevCoefficients: [Double] {
    var c: [Double] = []
    while let v = parameters["c\(c.count + 1)"] { c.append(v) }
    return c
  }

  public subscript(_ name: String) -> Double { parameters[name] ?? .nan }

  /// The typed, normalisable shape at the start values.
  public func shape() throws -> Shape { try Shape(kind: kind, parameters: parameters) }

  /// The parameter names in a fixed order: the kind's documented order, then
  /// the rest by length and name (`c1 … c10`), so that files are reproducible.
  public var orderedParameterNames: [String] {
    let documented = ShapeModel.requiredParameters(kind).filter { parameters[$0] != nil }
    return documented + parameters.keys.filter { !documented.contains($0) }.sorted { ($0.count, $0) < ($1.count, $1) }
  }

  enum CodingKeys: String, CodingKey { case kind, parameters }

  struct ParameterKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  /// A parameter in YAML: a number (a start value), or a mapping with
  /// `value`, optional `limits: [lo, hi]` and `fixed: true`.
  struct ParameterSetting: Codable {
    var value: Double
    var limits: [Double]?
    var fixed: Bool?
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    kind = try c.decode(String.self, forKey: .kind)
    let p = try c.nestedContainer(keyedBy: ParameterKey.self, forKey: .parameters)
    parameters = [:]
    limits = [:]
    fixed = []
    for key in p.allKeys {
      if let v = try? p.decode(Double.self, forKey: key) {
        parameters[key.stringValue] = v
        continue
      }
      let setting = try p.decode(ParameterSetting.self, forKey: key)
      parameters[key.stringValue] = setting.value
      if let l = setting.limits { limits[key.stringValue] = l }
      if setting.fixed == true { fixed.insert(key.stringValue) }
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    var p = c.nestedContainer(keyedBy: ParameterKey.self, forKey: .parameters)
    for key in orderedParameterNames {
      let k = ParameterKey(stringValue: key)
      if limits[key] == nil && !fixed.contains(key) {
        try p.encode(parameters[key]!, forKey: k)
      } else {
        try p.encode(ParameterSetting(value: parameters[key]!, limits: limits[key], fixed: fixed.contains(key) ? true : nil), forKey: k)
      }
    }
  }

  /// Checks limits and fixed flags; `path` locates errors (`Dst.fit.signal`).
  func validateFitSettings(path: String) throws {
    for (name, l) in limits.sorted(by: { $0.key < $1.key }) {
      let at = "\(path).parameters.\(name)"
      guard parameters[name] != nil else {
        throw ColumnStoreError(.invalidInput, path: at, "limits for a parameter the shape does not have")
      }
      guard l.count == 2, l.allSatisfy(\.isFinite) else {
        throw ColumnStoreError(.invalidInput, path: at, "limits must be [lo, hi] (two finite numbers)")
      }
      guard l[0] < l[1] else { throw ColumnStoreError(.invalidInput, path: at, "lower limit above upper limit") }
      guard (l[0]...l[1]).contains(parameters[name]!) else {
        throw ColumnStoreError(.invalidInput, path: at, "value \(parameters[name]!) outside its limits [\(l[0]), \(l[1])]")
      }
    }
    for name in fixed.sorted() where parameters[name] == nil {
      throw ColumnStoreError(.invalidInput, path: "\(path).parameters.\(name)", "fixed flag for a parameter the shape does not have")
    }
  }
}
