import Foundation

/// A shape prepared for one fit range whose normalised density p(x; θ) has
/// analytic parameter derivatives ∂p/∂θ_j, the derivative of the normalisation
/// integral over the range included: for a term g/I, ∂(g/I)/∂θ = (g/I)·(∂ln g/∂θ − ∂ln I/∂θ).
/// The extended NLL's analytic gradient is built from these (`ExtendedNLL.valueAndGradient`).
protocol DifferentiableShape: Sendable {
  /// The number of shape parameters (order of `Shape.parameterValues`).
  var parameterCount: Int { get }
  /// Whether every normalisation integral is > 0 and finite.
  var isValid: Bool { get }
  /// Scratch columns `evaluate` needs beyond its outputs.
  var scratchColumns: Int { get }
  /// For the `count` events at `x`: density[i] = p(x_i); derivatives[j·stride + i] = ∂p/∂θ_j (x_i);
  /// `scratch` holds `scratchColumns · stride` doubles. Outputs are overwritten.
  func evaluate(_ x: UnsafePointer<Double>, count: Int, density: UnsafeMutablePointer<Double>,
                derivatives: UnsafeMutablePointer<Double>, stride: Int, scratch: UnsafeMutablePointer<Double>)
}

extension Shape {
  /// The analytic-derivative form of the shape over `range`, or nil for kinds
  /// without one (the fit then differentiates numerically).
  /// Implemented: gaussian, doubleGaussian, johnsonSU, johnsonSU+gaussian, chebychev (any order).
  func differentiable(over range: FitRange) -> (any DifferentiableShape)? {
    switch self {
    case .gaussian(let mu, let sigma):
      return GaussianMixtureDerivatives(mu: mu, sigmas: [sigma], fraction: nil, range: range)
    case .doubleGaussian(let mu, let s1, let s2, let f):
      return GaussianMixtureDerivatives(mu: mu, sigmas: [s1, s2], fraction: f, range: range)
    case .johnsonSU(let mu, let lambda, let gamma, let delta):
      return JohnsonGaussianDerivatives(johnson: JohnsonTermDerivative(mu: mu, lambda: lambda, gamma: gamma,
                                                                        delta: delta, range: range),
                                        gaussian: nil, fraction: 1)
    case .johnsonSUGaussian(let mu, let lambda, let gamma, let delta, let sigma, let f):
      return JohnsonGaussianDerivatives(johnson: JohnsonTermDerivative(mu: mu, lambda: lambda, gamma: gamma,
                                                                        delta: delta, range: range),
                                        gaussian: GaussianTermDerivative(mu: mu, sigma: sigma, range: range),
                                        fraction: f)
    case .chebychev(let c):
      return ChebychevDerivatives(coefficients: c, range: range)
    default:
      return nil
    }
  }

  /// Whether `differentiable(over:)` gives analytic derivatives for this kind.
  public var hasAnalyticDerivatives: Bool {
    switch self {
    case .gaussian, .doubleGaussian, .johnsonSU, .johnsonSUGaussian, .chebychev: true
    default: false
    }
  }

  /// p(x) and ∂p/∂θ_j for each parameter (order of `parameterValues`) at every x
  /// (assumed inside `range`); nil for kinds without analytic derivatives.
  public func densityDerivatives(_ x: [Double], over range: FitRange) -> (density: [Double], derivatives: [[Double]])? {
    guard let d = differentiable(over: range) else { return nil }
    let n = x.count
    var density = [Double](repeating: 0, count: n)
    var derivatives = [Double](repeating: 0, count: max(n * d.parameterCount, 1))
    var scratch = [Double](repeating: 0, count: max(n * d.scratchColumns, 1))
    if n > 0 {
      x.withUnsafeBufferPointer { xs in
        density.withUnsafeMutableBufferPointer { p in
          derivatives.withUnsafeMutableBufferPointer { dp in
            scratch.withUnsafeMutableBufferPointer { s in
              d.evaluate(xs.baseAddress!, count: n, density: p.baseAddress!, derivatives: dp.baseAddress!, stride: n,
                         scratch: s.baseAddress!)
            }
          }
        }
      }
    }
    return (density, (0..<d.parameterCount).map { j in Array(derivatives[(j * n)..<((j + 1) * n)]) })
  }
}

// MARK: - Terms

/// exp(−z²/2), z = (x−μ)/σ, normalised by I = σ√2π·[Φ(z_hi) − Φ(z_lo)] over the range.
struct GaussianTermDerivative: Sendable {
  let mu: Double
  let inverseSigma: Double
  let inverseNorm: Double
  /// ∂ln I/∂μ and ∂ln I/∂σ.
  let logNormMu: Double
  let logNormSigma: Double
  let isValid: Bool

  init(mu: Double, sigma: Double, range: FitRange) {
    self.mu = mu
    inverseSigma = 1 / sigma
    let norm = ShapeTerm.gaussian(mu: mu, sigma: sigma).integral(range.lo, range.hi)
    isValid = norm > 0 && norm.isFinite && sigma > 0
    inverseNorm = 1 / norm
    let za = (range.lo - mu) / sigma, zb = (range.hi - mu) / sigma
    let ea = exp(-0.5 * za * za), eb = exp(-0.5 * zb * zb)
    // ∂I/∂μ = e^{−za²/2} − e^{−zb²/2}; ∂I/∂σ = I/σ + za·e^{−za²/2} − zb·e^{−zb²/2}
    logNormMu = (ea - eb) / norm
    logNormSigma = 1 / sigma + (za * ea - zb * eb) / norm
  }

  /// raw[i] = p; density[i] += c·p; dMu[i] += c·p·∂ln p/∂μ; dSigma[i] += c·p·∂ln p/∂σ.
  @inline(__always)
  func accumulate(_ x: UnsafePointer<Double>, count n: Int, coefficient c: Double, raw: UnsafeMutablePointer<Double>,
                  density: UnsafeMutablePointer<Double>, dMu: UnsafeMutablePointer<Double>,
                  dSigma: UnsafeMutablePointer<Double>) {
    let s = inverseSigma, inv = inverseNorm, lm = logNormMu, ls = logNormSigma
    var i = 0
    if vectorKernels {
      while i + 4 <= n {
        let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Double>.self)
        let z = (xv - mu) * s
        let p = exponentialOfNonPositive(-0.5 * z * z) * inv
        let cp = c * p
        UnsafeMutableRawPointer(raw + i).storeBytes(of: p, as: SIMD4<Double>.self)
        let d0 = UnsafeRawPointer(density + i).loadUnaligned(as: SIMD4<Double>.self)
        UnsafeMutableRawPointer(density + i).storeBytes(of: d0 + cp, as: SIMD4<Double>.self)
        let m0 = UnsafeRawPointer(dMu + i).loadUnaligned(as: SIMD4<Double>.self)
        UnsafeMutableRawPointer(dMu + i).storeBytes(of: m0 + cp * (z * s - lm), as: SIMD4<Double>.self)
        let s0 = UnsafeRawPointer(dSigma + i).loadUnaligned(as: SIMD4<Double>.self)
        UnsafeMutableRawPointer(dSigma + i).storeBytes(of: s0 + cp * (z * z * s - ls), as: SIMD4<Double>.self)
        i += 4
      }
    }
    while i < n {
      let z = (x[i] - mu) * s
      let p = exponentialOfNonPositive(-0.5 * z * z) * inv
      let cp = c * p
      raw[i] = p
      density[i] += cp
      dMu[i] += cp * (z * s - lm)
      dSigma[i] += cp * (z * z * s - ls)
      i += 1
    }
  }
}

/// RooJohnson: δ/(λ√2π)·(1+u²)^{−½}·exp(−z²/2), u = (x−μ)/λ, z = γ + δ·asinh u;
/// I = Φ(z_hi) − Φ(z_lo) over the range.
struct JohnsonTermDerivative: Sendable {
  let mu: Double, inverseLambda: Double, gamma: Double, delta: Double
  let prefactor: Double
  let inverseNorm: Double
  /// ∂ln I/∂(μ, λ, γ, δ).
  let logNorm: (Double, Double, Double, Double)
  let isValid: Bool

  init(mu: Double, lambda: Double, gamma: Double, delta: Double, range: FitRange) {
    self.mu = mu
    inverseLambda = 1 / lambda
    self.gamma = gamma
    self.delta = delta
    prefactor = delta / (lambda * sqrtTwoPi)
    let norm = ShapeTerm.johnson(mu: mu, lambda: lambda, gamma: gamma, delta: delta).integral(range.lo, range.hi)
    isValid = norm > 0 && norm.isFinite && lambda > 0
    inverseNorm = 1 / norm
    // ∂I/∂θ = φ(z_b)·∂z_b/∂θ − φ(z_a)·∂z_a/∂θ with ∂z/∂μ = −δ/(λ√(1+u²)), ∂z/∂λ = u·∂z/∂μ, ∂z/∂γ = 1, ∂z/∂δ = asinh u
    func partials(_ edge: Double) -> (Double, Double, Double, Double, Double) {
      let u = (edge - mu) / lambda
      let a = asinh(u)
      let z = gamma + delta * a
      let phi = exp(-0.5 * z * z) / sqrtTwoPi
      let dzMu = -delta / (lambda * (1 + u * u).squareRoot())
      return (phi, dzMu, u * dzMu, 1, a)
    }
    let (pa, ma, la, ga, da) = partials(range.lo)
    let (pb, mb, lb, gb, db) = partials(range.hi)
    logNorm = ((pb * mb - pa * ma) / norm, (pb * lb - pa * la) / norm, (pb * gb - pa * ga) / norm,
               (pb * db - pa * da) / norm)
  }

  /// raw[i] = p; density[i] += c·p; d{Mu,Lambda,Gamma,Delta}[i] += c·∂p/∂θ.
  @inline(__always)
  func accumulate(_ x: UnsafePointer<Double>, count n: Int, coefficient c: Double, raw: UnsafeMutablePointer<Double>,
                  density: UnsafeMutablePointer<Double>, dMu: UnsafeMutablePointer<Double>,
                  dLambda: UnsafeMutablePointer<Double>, dGamma: UnsafeMutablePointer<Double>,
                  dDelta: UnsafeMutablePointer<Double>) {
    let il = inverseLambda, inv = inverseNorm * prefactor
    let (lm, ll, lg, ld) = logNorm
    let inverseDelta = 1 / delta
    var i = 0
    @inline(__always) func add(_ ptr: UnsafeMutablePointer<Double>, _ v: SIMD4<Double>) {
      let o = UnsafeRawPointer(ptr + i).loadUnaligned(as: SIMD4<Double>.self)
      UnsafeMutableRawPointer(ptr + i).storeBytes(of: o + v, as: SIMD4<Double>.self)
    }
    if vectorKernels {
      while i + 4 <= n {
        let u = (UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Double>.self) - mu) * il
        let s = (1 + u * u).squareRoot()
        let a = asinh(u, root: s)
        let z = gamma + delta * a
        let rs = 1 / s
        let p = inv * rs * exponentialOfNonPositive(-0.5 * z * z)
        // h = −∂ln g/∂u = u/(1+u²) + zδ/√(1+u²)
        let h = (u * rs + z * delta) * rs
        let cp = c * p
        UnsafeMutableRawPointer(raw + i).storeBytes(of: p, as: SIMD4<Double>.self)
        add(density, cp)
        add(dMu, cp * (h * il - lm))
        add(dLambda, cp * ((u * h - 1) * il - ll))
        add(dGamma, cp * (-z - lg))
        add(dDelta, cp * (inverseDelta - z * a - ld))
        i += 4
      }
    }
    while i < n {
      let u = (x[i] - mu) * il
      let s = (1 + u * u).squareRoot()
      let a = asinh(u, root: s)
      let z = gamma + delta * a
      let rs = 1 / s
      let p = inv * rs * exponentialOfNonPositive(-0.5 * z * z)
      let h = (u * rs + z * delta) * rs
      let cp = c * p
      raw[i] = p
      density[i] += cp
      dMu[i] += cp * (h * il - lm)
      dLambda[i] += cp * ((u * h - 1) * il - ll)
      dGamma[i] += cp * (-z - lg)
      dDelta[i] += cp * (inverseDelta - z * a - ld)
      i += 1
    }
  }
}

/// asinh u given s = √(1 + u²) (`fastAsinh` without its own square root; the same value).
@inline(__always)
func asinh(_ u: Double, root s: Double) -> Double {
  let a = Swift.abs(u)
  let r = a < 0x1p26 ? fastLog(a + s) : fastLog(a) + 0.6931471805599453
  return u < 0 ? -r : r
}

/// Four-lane `asinh(_:root:)`.
@inline(__always)
func asinh(_ u: SIMD4<Double>, root s: SIMD4<Double>) -> SIMD4<Double> {
  let a = u.replacing(with: -u, where: u .< 0)
  let big = a .>= 0x1p26
  var arg = a + s
  arg.replace(with: a, where: big)
  var r = fastLog(arg)
  r.replace(with: r + 0.6931471805599453, where: big)
  return r.replacing(with: -r, where: u .< 0)
}

// MARK: - Shapes

/// Gaussian (one σ) or double Gaussian f·G(μ,σ₁) + (1−f)·G(μ,σ₂); parameters μ, σ… [, f].
struct GaussianMixtureDerivatives: DifferentiableShape {
  let terms: [GaussianTermDerivative]
  let fraction: Double?

  init(mu: Double, sigmas: [Double], fraction: Double?, range: FitRange) {
    terms = sigmas.map { GaussianTermDerivative(mu: mu, sigma: $0, range: range) }
    self.fraction = fraction
  }

  var parameterCount: Int { fraction == nil ? 2 : 4 }
  var isValid: Bool { terms.allSatisfy(\.isValid) }
  var scratchColumns: Int { 1 }

  func evaluate(_ x: UnsafePointer<Double>, count n: Int, density: UnsafeMutablePointer<Double>,
                derivatives: UnsafeMutablePointer<Double>, stride: Int, scratch: UnsafeMutablePointer<Double>) {
    density.update(repeating: 0, count: n)
    for j in 0..<parameterCount { (derivatives + j * stride).update(repeating: 0, count: n) }
    guard let f = fraction else {
      terms[0].accumulate(x, count: n, coefficient: 1, raw: scratch, density: density, dMu: derivatives,
                          dSigma: derivatives + stride)
      return
    }
    // columns: μ, σ₁, σ₂, f; ∂p/∂f = p₁ − p₂ (p₁ first in the f column, then p₂ in scratch)
    let dF = derivatives + 3 * stride
    terms[0].accumulate(x, count: n, coefficient: f, raw: dF, density: density, dMu: derivatives,
                        dSigma: derivatives + stride)
    terms[1].accumulate(x, count: n, coefficient: 1 - f, raw: scratch, density: density, dMu: derivatives,
                        dSigma: derivatives + 2 * stride)
    for i in 0..<n { dF[i] -= scratch[i] }
  }
}

/// Johnson S_U, or fJ·Johnson + (1−fJ)·G(μ,σ) sharing μ; parameters μ, λ, γ, δ [, σ, fJ].
struct JohnsonGaussianDerivatives: DifferentiableShape {
  let johnson: JohnsonTermDerivative
  let gaussian: GaussianTermDerivative?
  let fraction: Double

  var parameterCount: Int { gaussian == nil ? 4 : 6 }
  var isValid: Bool { johnson.isValid && (gaussian?.isValid ?? true) }
  var scratchColumns: Int { 2 }

  func evaluate(_ x: UnsafePointer<Double>, count n: Int, density: UnsafeMutablePointer<Double>,
                derivatives: UnsafeMutablePointer<Double>, stride: Int, scratch: UnsafeMutablePointer<Double>) {
    density.update(repeating: 0, count: n)
    for j in 0..<parameterCount { (derivatives + j * stride).update(repeating: 0, count: n) }
    let d = { (j: Int) in derivatives + j * stride }
    guard let gaussian else {
      johnson.accumulate(x, count: n, coefficient: 1, raw: scratch, density: density, dMu: d(0), dLambda: d(1),
                         dGamma: d(2), dDelta: d(3))
      return
    }
    let f = fraction
    johnson.accumulate(x, count: n, coefficient: f, raw: d(5), density: density, dMu: d(0), dLambda: d(1),
                       dGamma: d(2), dDelta: d(3))
    // the Gaussian's μ derivative adds to the shared μ column
    gaussian.accumulate(x, count: n, coefficient: 1 - f, raw: scratch, density: density, dMu: d(0), dSigma: d(4))
    let dF = d(5)
    for i in 0..<n { dF[i] -= scratch[i] }
  }
}

/// RooChebychev g = 1 + Σ c_k T_k(t) over the range, p = g/I; ∂p/∂c_k = (T_k − p·∂I/∂c_k)/I.
struct ChebychevDerivatives: DifferentiableShape {
  let series: ChebychevSeries
  let inverseNorm: Double
  /// ∂I/∂c_k.
  let normDerivatives: [Double]
  let isValid: Bool

  init(coefficients: [Double], range: FitRange) {
    series = ChebychevSeries(coefficients: coefficients, mappedFrom: range)
    let norm = series.integral(range.lo, range.hi)
    isValid = norm > 0 && norm.isFinite
    inverseNorm = 1 / norm
    let zero = ChebychevSeries(coefficients: [Double](repeating: 0, count: coefficients.count), mappedFrom: range)
    let base = zero.integral(range.lo, range.hi)
    normDerivatives = coefficients.indices.map { k in
      var e = [Double](repeating: 0, count: coefficients.count)
      e[k] = 1
      return ChebychevSeries(coefficients: e, mappedFrom: range).integral(range.lo, range.hi) - base
    }
  }

  var parameterCount: Int { series.coefficients.count }
  var scratchColumns: Int { 0 }

  func evaluate(_ x: UnsafePointer<Double>, count n: Int, density: UnsafeMutablePointer<Double>,
                derivatives: UnsafeMutablePointer<Double>, stride: Int, scratch: UnsafeMutablePointer<Double>) {
    let c = series.coefficients
    let m = c.count
    let centre = series.centre, halfWidth = series.halfWidth
    let inv = inverseNorm
    // ∂p/∂c_k = T_k/I − p·(∂I/∂c_k)/I
    let q = normDerivatives.map { $0 * inv }
    c.withUnsafeBufferPointer { c in
      q.withUnsafeBufferPointer { q in
        var i = 0
        if vectorKernels {
          while i + 4 <= n {
            let t = (UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Double>.self) - centre) / halfWidth
            var previous = SIMD4<Double>(repeating: 1), current = t, g = SIMD4<Double>(repeating: 1)
            for k in 0..<m {
              g += c[k] * current
              UnsafeMutableRawPointer(derivatives + k * stride + i).storeBytes(of: current, as: SIMD4<Double>.self)
              let next = 2 * t * current - previous
              previous = current
              current = next
            }
            let p = g * inv
            UnsafeMutableRawPointer(density + i).storeBytes(of: p, as: SIMD4<Double>.self)
            for k in 0..<m {
              let ptr = derivatives + k * stride + i
              let tk = UnsafeRawPointer(ptr).loadUnaligned(as: SIMD4<Double>.self)
              UnsafeMutableRawPointer(ptr).storeBytes(of: tk * inv - p * q[k], as: SIMD4<Double>.self)
            }
            i += 4
          }
        }
        while i < n {
          let t = (x[i] - centre) / halfWidth
          var previous = 1.0, current = t, g = 1.0
          for k in 0..<m {
            g += c[k] * current
            derivatives[k * stride + i] = current
            let next = 2 * t * current - previous
            previous = current
            current = next
          }
          let p = g * inv
          density[i] = p
          for k in 0..<m { derivatives[k * stride + i] = derivatives[k * stride + i] * inv - p * q[k] }
          i += 1
        }
      }
    }
  }
}
