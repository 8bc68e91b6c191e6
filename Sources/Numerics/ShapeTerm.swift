import Foundation

/// One un-normalised density g(x) with its closed-form (or quadrature)
/// integral over any sub-interval; mixtures are sums of normalised terms.
enum ShapeTerm: Sendable {
  case gaussian(mu: Double, sigma: Double)
  case johnson(mu: Double, lambda: Double, gamma: Double, delta: Double)
  case chebychev(ChebychevSeries)
  case exponential(c: Double, pivot: Double)
  case polynomial(coefficients: [Double], lowestOrder: Int)
  case crystalBall(CrystalBallProfile)
  case argus(m0: Double, c: Double, p: Double)
  case bifurcatedGaussian(mu: Double, sigmaL: Double, sigmaR: Double)
  case threshold(m0: Double, power: Double)

  /// g(x). The Gaussian drops 1/(σ√2π) (RooGaussian); Johnson keeps its prefactor (RooJohnson).
  @inline(__always)
  func value(_ x: Double) -> Double {
    switch self {
    case .gaussian(let mu, let sigma):
      let z = (x - mu) * (1 / sigma)  // as in `accumulate`, so both give identical bits
      return exponentialOfNonPositive(-0.5 * z * z)
    case .johnson(let mu, let lambda, let gamma, let delta):
      // as in `accumulate`, so both give identical bits
      let u = (x - mu) * (1 / lambda)
      let z = gamma + delta * fastAsinh(u)
      return delta / (lambda * sqrtTwoPi) / (1 + u * u).squareRoot() * exponentialOfNonPositive(-0.5 * z * z)
    case .chebychev(let series):
      return series.value(x)
    case .exponential(let c, let pivot):
      return exp(c * (x - pivot))
    case .polynomial(let a, let order):
      var s = 0.0
      for k in a.indices.reversed() { s = s * x + a[k] }
      for _ in 0..<order { s *= x }
      return order > 0 ? 1 + s : s
    case .crystalBall(let profile):
      return profile.value(x)
    case .argus(let m0, let c, let p):
      guard x < m0 else { return 0 }
      let r = x / m0, f = 1 - r * r
      return x * (p == 0.5 ? f.squareRoot() : pow(f, p)) * exp(c * f)
    case .bifurcatedGaussian(let mu, let sigmaL, let sigmaR):
      let z = (x - mu) / (x < mu ? sigmaL : sigmaR)
      return fastExp(-0.5 * z * z)
    case .threshold(let m0, let power):
      return x > m0 ? pow(x - m0, power) : 0
    }
  }

  /// out[i] += coefficient · g(x[i]), with the kind switch hoisted out of the loop.
  func accumulate(_ x: UnsafeBufferPointer<Double>, coefficient: Double, into out: UnsafeMutableBufferPointer<Double>) {
    let n = x.count
    switch self {
    case .gaussian(let mu, let sigma):
      let s = 1 / sigma
      var i = 0
      if vectorKernels, let xp = x.baseAddress, let op = out.baseAddress {
        // four lanes at a time; same operations as the scalar tail, so identical bits
        while i + 4 <= n {
          let xv = UnsafeRawPointer(xp + i).loadUnaligned(as: SIMD4<Double>.self)
          let ov = UnsafeRawPointer(op + i).loadUnaligned(as: SIMD4<Double>.self)
          let z = (xv - mu) * s
          let r = ov + coefficient * exponentialOfNonPositive(-0.5 * z * z)
          UnsafeMutableRawPointer(op + i).storeBytes(of: r, as: SIMD4<Double>.self)
          i += 4
        }
      }
      while i < n {
        let z = (x[i] - mu) * s
        out[i] += coefficient * exponentialOfNonPositive(-0.5 * z * z)
        i += 1
      }
    case .johnson(let mu, let lambda, let gamma, let delta):
      let inverse = 1 / lambda
      let prefactor = delta / (lambda * sqrtTwoPi)
      var i = 0
      if vectorKernels, let xp = x.baseAddress, let op = out.baseAddress {
        while i + 4 <= n {
          let u = (UnsafeRawPointer(xp + i).loadUnaligned(as: SIMD4<Double>.self) - mu) * inverse
          let z = gamma + delta * fastAsinh(u)
          let ov = UnsafeRawPointer(op + i).loadUnaligned(as: SIMD4<Double>.self)
          let r = ov + coefficient * (prefactor / (1 + u * u).squareRoot() * exponentialOfNonPositive(-0.5 * z * z))
          UnsafeMutableRawPointer(op + i).storeBytes(of: r, as: SIMD4<Double>.self)
          i += 4
        }
      }
      while i < n {
        let u = (x[i] - mu) * inverse
        let z = gamma + delta * fastAsinh(u)
        out[i] += coefficient * (prefactor / (1 + u * u).squareRoot() * exponentialOfNonPositive(-0.5 * z * z))
        i += 1
      }
    case .chebychev(let series):
      series.accumulate(x, coefficient: coefficient, into: out)
    default:
      for i in 0..<n { out[i] += coefficient * value(x[i]) }
    }
  }

  /// ∫_a^b g dx for a ≤ b (any sub-interval of the fit range).
  func integral(_ a: Double, _ b: Double) -> Double {
    switch self {
    case .gaussian(let mu, let sigma):
      let s = abs(sigma)
      return s * sqrtTwoPi * gaussianProbability((a - mu) / s, (b - mu) / s)
    case .johnson(let mu, let lambda, let gamma, let delta):
      let za = gamma + delta * asinh((a - mu) / lambda)
      let zb = gamma + delta * asinh((b - mu) / lambda)
      return gaussianProbability(za, zb)
    case .chebychev(let series):
      return series.integral(a, b)
    case .exponential(let c, let pivot):
      if c == 0 { return b - a }
      // e^{c(a−p)}·expm1(c(b−a))/c, with pivot p at the edge that keeps the exponent ≤ 0
      return exp(c * (a - pivot)) * expm1(c * (b - a)) / c
    case .polynomial(let coeffs, let order):
      var s = order > 0 ? b - a : 0
      for (i, c) in coeffs.enumerated() {
        let k = Double(i + order + 1)
        s += c * (pow(b, k) - pow(a, k)) / k
      }
      return s
    case .crystalBall(let profile):
      return profile.integral(a, b)
    case .argus(let m0, let c, let p):
      let lo = max(a, 0), hi = min(b, m0)
      guard hi > lo else { return 0 }
      // m dm = −(m₀²/2) df with f = 1 − (m/m₀)², then f = v²: ∫ = m₀² ∫ v^{2p+1} e^{cv²} dv
      let vLo = (1 - (hi / m0) * (hi / m0)).squareRoot(), vHi = (1 - (lo / m0) * (lo / m0)).squareRoot()
      return m0 * m0 * Quadrature.integrate({ v in pow(v, 2 * p + 1) * exp(c * v * v) }, vLo, vHi)
    case .bifurcatedGaussian(let mu, let sigmaL, let sigmaR):
      var s = 0.0
      if a < mu { s += sigmaL * sqrtTwoPi * gaussianProbability((a - mu) / sigmaL, (min(b, mu) - mu) / sigmaL) }
      if b > mu { s += sigmaR * sqrtTwoPi * gaussianProbability((max(a, mu) - mu) / sigmaR, (b - mu) / sigmaR) }
      return s
    case .threshold(let m0, let power):
      let lo = max(a, m0), hi = max(b, m0)
      return (pow(hi - m0, power + 1) - pow(lo - m0, power + 1)) / (power + 1)
    }
  }
}
