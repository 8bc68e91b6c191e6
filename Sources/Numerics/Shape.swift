/// A one-dimensional mass shape, normalised over a `FitRange` when evaluated.
///
/// Each case maps to a mode-YAML `kind:` string with named parameters (see
/// `init(kind:parameters:)`). Normalisation (fits-and-splot.md §1):
/// * analytic: gaussian, doubleGaussian, johnsonSU, johnsonSU+gaussian (tail-accurate
///   Φ differences), chebychev, exponential, polynomial, threshold, crystalBall,
///   doubleSidedCrystalBall, bifurcatedGaussian;
/// * quadrature (adaptive Gauss–Legendre, relative 1e-13, after the substitution
///   v = √(1 − (m/m₀)²) that makes the integrand smooth): argus.
public enum Shape: Sendable, Equatable {
  /// exp(−(x−μ)²/2σ²). Kind "gaussian" {mu, sigma}.
  case gaussian(mu: Double, sigma: Double)
  /// f·G(μ,σ₁) + (1−f)·G(μ,σ₂), each normalised before mixing. Kind "doubleGaussian" {mu, sigma1, sigma2, f}.
  case doubleGaussian(mu: Double, sigma1: Double, sigma2: Double, f: Double)
  /// RooJohnson without threshold. Kind "johnsonSU" {mu, lambda, gamma, delta}; δ > 0, λ > 0.
  case johnsonSU(mu: Double, lambda: Double, gamma: Double, delta: Double)
  /// fJohnson·Johnson + (1−fJohnson)·G(μ,σ), sharing μ. Kind "johnsonSU+gaussian" {mu, lambda, gamma, delta, sigma, fJohnson}.
  case johnsonSUGaussian(mu: Double, lambda: Double, gamma: Double, delta: Double, sigma: Double, fJohnson: Double)
  /// RooChebychev: 1 + Σ_{k≥1} c_k T_k(t), t mapped from the fit range to [−1, 1]. Kind "chebychev" {c1, c2, …}.
  case chebychev(coefficients: [Double])
  /// exp(c·x). Kind "exponential" {c}.
  case exponential(c: Double)
  /// RooPolynomial: [1 if L > 0] + Σ_i a_i x^{i+L}. Kind "polynomial" {a0, a1, …, lowestOrder (default 1)}.
  case polynomial(coefficients: [Double], lowestOrder: Int)
  /// RooCBShape; α > 0 puts the power-law tail on the low side. Kind "crystalBall" {m0, sigma, alpha, n}.
  case crystalBall(m0: Double, sigma: Double, alpha: Double, n: Double)
  /// Gaussian core with power-law tails on both sides (α_L, α_R > 0).
  /// Kind "doubleSidedCrystalBall" {m0, sigma, alphaL, nL, alphaR, nR}.
  case doubleSidedCrystalBall(m0: Double, sigma: Double, alphaL: Double, nL: Double, alphaR: Double, nR: Double)
  /// RooArgusBG: m·(1−(m/m₀)²)^p·exp(c(1−(m/m₀)²)) below m₀. Kind "argus" {m0, c, p (default 0.5)}; range ⊂ [0, ∞).
  case argus(m0: Double, c: Double, p: Double)
  /// Gaussian with different widths left and right of μ. Kind "bifurcatedGaussian" {mu, sigmaL, sigmaR}.
  case bifurcatedGaussian(mu: Double, sigmaL: Double, sigmaR: Double)
  /// The ΔM threshold shape (x−m₀)^power for x > m₀, else 0; power > −1. Kind "threshold" {m0, power}.
  case threshold(m0: Double, power: Double)

  /// Every `kind:` string `init(kind:parameters:)` accepts.
  public static let knownKinds = [
    "gaussian", "doubleGaussian", "johnsonSU", "johnsonSU+gaussian", "chebychev", "exponential",
    "polynomial", "crystalBall", "doubleSidedCrystalBall", "argus", "bifurcatedGaussian", "threshold",
  ]

  /// Builds a shape from a mode-YAML `kind:` string and its named parameters.
  /// Throws `ShapeError` naming an unknown kind, a missing, unexpected or invalid parameter.
  public init(kind: String, parameters p: [String: Double]) throws {
    func need(_ name: String) throws -> Double {
      guard let v = p[name] else { throw ShapeError.missingParameter(kind: kind, name: name) }
      guard v.isFinite else {
        throw ShapeError.invalidParameter(kind: kind, name: name, value: v, reason: "is not finite")
      }
      return v
    }
    func positive(_ name: String) throws -> Double {
      let v = try need(name)
      guard v > 0 else { throw ShapeError.invalidParameter(kind: kind, name: name, value: v, reason: "must be > 0") }
      return v
    }
    func fraction(_ name: String) throws -> Double {
      let v = try need(name)
      guard (0...1).contains(v) else {
        throw ShapeError.invalidParameter(kind: kind, name: name, value: v, reason: "must be in [0, 1]")
      }
      return v
    }
    func numbered(_ prefix: String, from first: Int) throws -> [Double] {
      let count = p.keys.filter { $0.hasPrefix(prefix) && Int($0.dropFirst(prefix.count)) != nil }.count
      return try (0..<count).map { try need("\(prefix)\($0 + first)") }
    }
    var allowed: Set<String>
    switch kind {
    case "gaussian":
      self = .gaussian(mu: try need("mu"), sigma: try positive("sigma"))
    case "doubleGaussian":
      self = .doubleGaussian(mu: try need("mu"), sigma1: try positive("sigma1"), sigma2: try positive("sigma2"),
                             f: try fraction("f"))
    case "johnsonSU":
      self = .johnsonSU(mu: try need("mu"), lambda: try positive("lambda"), gamma: try need("gamma"),
                        delta: try positive("delta"))
    case "johnsonSU+gaussian":
      self = .johnsonSUGaussian(mu: try need("mu"), lambda: try positive("lambda"), gamma: try need("gamma"),
                                delta: try positive("delta"), sigma: try positive("sigma"),
                                fJohnson: try fraction("fJohnson"))
    case "chebychev":
      self = .chebychev(coefficients: try numbered("c", from: 1))
    case "exponential":
      self = .exponential(c: try need("c"))
    case "polynomial":
      let order = p["lowestOrder"] ?? 1
      guard order >= 0, order == order.rounded() else {
        throw ShapeError.invalidParameter(kind: kind, name: "lowestOrder", value: order,
                                          reason: "must be a non-negative integer")
      }
      self = .polynomial(coefficients: try numbered("a", from: 0), lowestOrder: Int(order))
    case "crystalBall":
      let alpha = try need("alpha")
      guard alpha != 0 else { throw ShapeError.invalidParameter(kind: kind, name: "alpha", value: 0, reason: "must be ≠ 0") }
      self = .crystalBall(m0: try need("m0"), sigma: try positive("sigma"), alpha: alpha, n: try positive("n"))
    case "doubleSidedCrystalBall":
      self = .doubleSidedCrystalBall(m0: try need("m0"), sigma: try positive("sigma"), alphaL: try positive("alphaL"),
                                     nL: try positive("nL"), alphaR: try positive("alphaR"), nR: try positive("nR"))
    case "argus":
      let power = p["p"] ?? 0.5
      guard power >= 0 else { throw ShapeError.invalidParameter(kind: kind, name: "p", value: power, reason: "must be ≥ 0") }
      self = .argus(m0: try positive("m0"), c: try need("c"), p: power)
    case "bifurcatedGaussian":
      self = .bifurcatedGaussian(mu: try need("mu"), sigmaL: try positive("sigmaL"), sigmaR: try positive("sigmaR"))
    case "threshold":
      let power = try need("power")
      guard power > -1 else { throw ShapeError.invalidParameter(kind: kind, name: "power", value: power, reason: "must be > −1") }
      self = .threshold(m0: try need("m0"), power: power)
    default:
      throw ShapeError.unknownKind(kind)
    }
    allowed = Set(parameterNames)
    if case .polynomial = self { allowed.insert("lowestOrder") }
    if case .argus = self { allowed.insert("p") }
    if let extra = p.keys.sorted().first(where: { !allowed.contains($0) }) {
      throw ShapeError.unexpectedParameter(kind: kind, name: extra)
    }
  }

  /// The mode-YAML `kind:` string.
  public var kind: String {
    switch self {
    case .gaussian: "gaussian"
    case .doubleGaussian: "doubleGaussian"
    case .johnsonSU: "johnsonSU"
    case .johnsonSUGaussian: "johnsonSU+gaussian"
    case .chebychev: "chebychev"
    case .exponential: "exponential"
    case .polynomial: "polynomial"
    case .crystalBall: "crystalBall"
    case .doubleSidedCrystalBall: "doubleSidedCrystalBall"
    case .argus: "argus"
    case .bifurcatedGaussian: "bifurcatedGaussian"
    case .threshold: "threshold"
    }
  }

  /// The names of the continuous parameters, in the order of `parameterValues`.
  /// Structural settings (polynomial `lowestOrder`) are not parameters.
  public var parameterNames: [String] {
    switch self {
    case .gaussian: ["mu", "sigma"]
    case .doubleGaussian: ["mu", "sigma1", "sigma2", "f"]
    case .johnsonSU: ["mu", "lambda", "gamma", "delta"]
    case .johnsonSUGaussian: ["mu", "lambda", "gamma", "delta", "sigma", "fJohnson"]
    case .chebychev(let c): (0..<c.count).map { "c\($0 + 1)" }
    case .exponential: ["c"]
    case .polynomial(let a, _): (0..<a.count).map { "a\($0)" }
    case .crystalBall: ["m0", "sigma", "alpha", "n"]
    case .doubleSidedCrystalBall: ["m0", "sigma", "alphaL", "nL", "alphaR", "nR"]
    case .argus: ["m0", "c", "p"]
    case .bifurcatedGaussian: ["mu", "sigmaL", "sigmaR"]
    case .threshold: ["m0", "power"]
    }
  }

  /// The parameter values, in the order of `parameterNames`.
  public var parameterValues: [Double] {
    switch self {
    case .gaussian(let a, let b): [a, b]
    case .doubleGaussian(let a, let b, let c, let d): [a, b, c, d]
    case .johnsonSU(let a, let b, let c, let d): [a, b, c, d]
    case .johnsonSUGaussian(let a, let b, let c, let d, let e, let f): [a, b, c, d, e, f]
    case .chebychev(let c): c
    case .exponential(let c): [c]
    case .polynomial(let a, _): a
    case .crystalBall(let a, let b, let c, let d): [a, b, c, d]
    case .doubleSidedCrystalBall(let a, let b, let c, let d, let e, let f): [a, b, c, d, e, f]
    case .argus(let a, let b, let c): [a, b, c]
    case .bifurcatedGaussian(let a, let b, let c): [a, b, c]
    case .threshold(let a, let b): [a, b]
    }
  }

  /// The named parameters (as `init(kind:parameters:)` takes them).
  public var parameters: [String: Double] {
    var d = Dictionary(uniqueKeysWithValues: zip(parameterNames, parameterValues))
    if case .polynomial(_, let order) = self { d["lowestOrder"] = Double(order) }
    return d
  }

  /// The same kind with new parameter values (same order and count as
  /// `parameterValues`). Values are not validated: fits pass trial points here.
  public func replacingParameterValues(_ v: [Double]) -> Shape {
    precondition(v.count == parameterValues.count, "\(kind) takes \(parameterValues.count) values, got \(v.count)")
    switch self {
    case .gaussian: return .gaussian(mu: v[0], sigma: v[1])
    case .doubleGaussian: return .doubleGaussian(mu: v[0], sigma1: v[1], sigma2: v[2], f: v[3])
    case .johnsonSU: return .johnsonSU(mu: v[0], lambda: v[1], gamma: v[2], delta: v[3])
    case .johnsonSUGaussian:
      return .johnsonSUGaussian(mu: v[0], lambda: v[1], gamma: v[2], delta: v[3], sigma: v[4], fJohnson: v[5])
    case .chebychev: return .chebychev(coefficients: v)
    case .exponential: return .exponential(c: v[0])
    case .polynomial(_, let order): return .polynomial(coefficients: v, lowestOrder: order)
    case .crystalBall: return .crystalBall(m0: v[0], sigma: v[1], alpha: v[2], n: v[3])
    case .doubleSidedCrystalBall:
      return .doubleSidedCrystalBall(m0: v[0], sigma: v[1], alphaL: v[2], nL: v[3], alphaR: v[4], nR: v[5])
    case .argus: return .argus(m0: v[0], c: v[1], p: v[2])
    case .bifurcatedGaussian: return .bifurcatedGaussian(mu: v[0], sigmaL: v[1], sigmaR: v[2])
    case .threshold: return .threshold(m0: v[0], power: v[1])
    }
  }
}

extension Shape: Codable {
  private enum CodingKeys: String, CodingKey { case kind, parameters }

  /// Decodes `{kind: String, parameters: {name: value}}`.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(kind: try c.decode(String.self, forKey: .kind),
                  parameters: try c.decode([String: Double].self, forKey: .parameters))
  }

  /// Encodes `{kind: String, parameters: {name: value}}`.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    try c.encode(parameters, forKey: .parameters)
  }
}
