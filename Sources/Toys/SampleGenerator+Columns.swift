import ColumnStore
import Foundation
import Modes
import Numerics

/// How the generator fills each row: species mixes, track quality, PID
/// and the value of every column code.
extension SampleGenerator {
  static let mPi = Species.pi.mass
  /// Fraction of background-candidate tracks without an MC match (isSignal and mcPDG NaN).
  static let unmatchedFraction = 0.015
  static let cosThetaMax = cos(17 * Double.pi / 180)
  static let cosThetaMin = cos(150 * Double.pi / 180)
  /// Belle II boost of the CMS along z: βγ = 0.2872.
  static let betaGammaCMS = 0.2872
  static let ctau: [String: Double] = ["Lambda0": 7.89, "anti-Lambda0": 7.89, "K_S0": 2.6844, "D0": 0.01229]

  /// Background track species mixes (cumulative over e, mu, pi, K, p) by nominal species.
  static func backgroundMix(_ nominal: Species) -> [Double] {
    switch nominal {
    case .K: [0.015, 0.03, 0.23, 0.98, 1.0]
    case .p: [0.01, 0.02, 0.27, 0.32, 1.0]
    case .e: [0.80, 0.82, 0.97, 0.99, 1.0]
    case .mu: [0.02, 0.80, 0.97, 0.99, 1.0]
    case .pi: [0.02, 0.035, 0.935, 0.99, 1.0]
    }
  }
  /// τ 1-prong probe species (cumulative e, mu, pi, K, p).
  static let tauProbeMix = SIMD4<Double>(0.28, 0.55, 0.98, 1.0)

  static func cumulative(_ c: [Double]) -> SIMD4<Double> { SIMD4(c[0], c[1], c[2], c[3]) }

  @inline(__always)
  static func draw(_ cumulative: SIMD4<Double>, _ rng: inout Xoshiro256StarStar) -> Species {
    let u = rng.uniform()
    if u < cumulative[0] { return .e }
    if u < cumulative[1] { return .mu }
    if u < cumulative[2] { return .pi }
    if u < cumulative[3] { return .K }
    return .p
  }

  /// Inside the CDC acceptance 17°–150° (cos θ compared without a division).
  @inline(__always)
  static func accepted(_ v: LV) -> Bool {
    let p = v.p
    return v.z <= cosThetaMax * p && v.z >= cosThetaMin * p
  }

  /// Momentum `q` in a uniformly random direction (Marsaglia 1972: no trigonometry).
  @inline(__always)
  static func isotropic(_ q: Double, _ m: Double, _ rng: inout Xoshiro256StarStar) -> LV {
    var x1 = 0.0, x2 = 0.0, s = 2.0
    while s >= 1 {
      x1 = 2 * rng.uniform() - 1
      x2 = 2 * rng.uniform() - 1
      s = x1 * x1 + x2 * x2
    }
    let f = 2 * (1 - s).squareRoot() * q
    return LV(e: (q * q + m * m).squareRoot(), x: x1 * f, y: x2 * f, z: (1 - 2 * s) * q)
  }

  /// CMS → lab along z.
  @inline(__always)
  static func toLab(_ v: LV) -> LV {
    let bg = betaGammaCMS
    let g = (1 + bg * bg).squareRoot()
    return LV(e: g * v.e + bg * v.z, x: v.x, y: v.y, z: g * v.z + bg * v.e)
  }

  /// Two-body decay of `parent` (mass `m`) into masses m1, m2, isotropic in its rest frame.
  @inline(__always)
  static func twoBody(_ parent: LV, _ m: Double, _ m1: Double, _ m2: Double,
                      _ rng: inout Xoshiro256StarStar) -> (LV, LV) {
    let a = m * m - (m1 + m2) * (m1 + m2)
    let b = m * m - (m1 - m2) * (m1 - m2)
    let invM = 1 / m
    let q = (max(0, a * b)).squareRoot() * 0.5 * invM
    let d1 = isotropic(q, m1, &rng)
    let e2 = (q * q + m2 * m2).squareRoot()
    // boost parameters of the parent, computed once: β = p/E, γ = E/m,
    // (γ − 1)/β² = γ²/(γ + 1)
    let gamma = parent.e * invM
    let invE = 1 / parent.e
    let bx = parent.x * invE, by = parent.y * invE, bz = parent.z * invE
    let g2 = gamma * gamma / (gamma + 1)
    let bp = bx * d1.x + by * d1.y + bz * d1.z
    let k1 = g2 * bp + gamma * d1.e
    let k2 = -g2 * bp + gamma * e2
    return (LV(e: gamma * (d1.e + bp), x: d1.x + k1 * bx, y: d1.y + k1 * by, z: d1.z + k1 * bz),
            LV(e: gamma * (e2 - bp), x: -d1.x + k2 * bx, y: -d1.y + k2 * by, z: -d1.z + k2 * bz))
  }

  @inline(__always)
  static func chiProb(_ signal: Bool, _ rng: inout Xoshiro256StarStar) -> Double {
    let u = rng.uniform()
    if !signal && rng.uniform() < 0.4 { return u * u * u * u }
    return u
  }

  /// Track quality for a track from the IP (`rT` = 0) or a displaced vertex at
  /// transverse radius `rT` cm.
  @inline(__always)
  static func quality(_ s: inout PState, rT: Double, _ rng: inout Xoshiro256StarStar) {
    if rng.uniform() < 0.97 {
      s.dr = abs(0.04 * rng.normal())
    } else {
      s.dr = 2.0 * rng.exponential()
    }
    if rng.uniform() < 0.97 {
      s.dz = 0.08 * rng.normal()
    } else {
      s.dz = (rng.uniform() < 0.5 ? -3.0 : 3.0) * rng.exponential()
    }
    if rT > 0 {
      s.dr += rT * (0.02 + 0.2 * rng.uniform())
      s.dz += 0.1 * rT * rng.normal()
    }
    if rng.uniform() < 0.02 {
      s.nCDCHits = Double(3 + Int(23 * rng.uniform()))
    } else {
      var mean = s.pt > 0.25 ? 48 : 28 + 80 * s.pt
      if rT > 16 { mean -= 0.6 * (rT - 16) }
      s.nCDCHits = min(90, max(3, (mean + 7 * rng.normal()).rounded()))
    }
  }

  /// Truth and PID of a track of true species `t`.
  @inline(__always)
  func pid(_ s: inout PState, species t: Species, nominal: Species, signedPDG: Int,
           background: Bool, _ rng: inout Xoshiro256StarStar, _ mu: UnsafeBufferPointer<Double>) {
    if background && rng.uniform() < SampleGenerator.unmatchedFraction {
      // no MC match (fake or ghost track): truth NaN as in modern basf2
      s.isSignal = .nan
      s.mcPDG = .nan
    } else {
      s.isSignal = t == nominal ? 1 : 0
      s.mcPDG = Double(t.signedPDG(charge: s.charge))
    }
    s.pdg = Double(signedPDG)
    s.pidNaN = rng.uniform() < pidModel.nanFraction
    if s.pidNaN { return }
    let b = pidModel.clampedBin(s.p)
    // whole-vector stores (element-wise stores into a SIMD value stall on
    // store forwarding); the order of the normal draws is e, mu, pi, K, p.
    let i0 = t.index * nBins + b, stride = 5 * nBins
    s.mu = SIMD8(mu[i0], mu[i0 + stride], mu[i0 + 2 * stride], mu[i0 + 3 * stride],
                 mu[i0 + 4 * stride], 0, 0, 0)
    let z0 = rng.normal(), z1 = rng.normal(), z2 = rng.normal(), z3 = rng.normal(), z4 = rng.normal()
    s.z = SIMD8(z0, z1, z2, z3, z4, 0, 0, 0)
    s.zTop = rng.normal()
    s.zCDC = rng.normal()
  }

  /// The value of `code` for the particle state at `sp` (read in place: a
  /// PState is several hundred bytes, so it is never copied per column).
  @inline(__always)
  func value(_ code: VarCode, _ sp: UnsafePointer<PState>) -> Double {
    switch code {
    case .p: return sp.pointee.p
    case .pt: return sp.pointee.pt
    case .cosTheta: return sp.pointee.cosTheta
    case .theta: return acos(sp.pointee.cosTheta)
    case .phi: return atan2(sp.pointee.py, sp.pointee.px)
    case .charge: return sp.pointee.charge
    case .dr: return sp.pointee.dr
    case .dz: return sp.pointee.dz
    case .nCDCHits: return sp.pointee.nCDCHits
    case .M: return sp.pointee.M
    case .InvM: return sp.pointee.invM
    case .dM: return sp.pointee.dM
    case .Q: return sp.pointee.Q
    case .chiProb: return sp.pointee.chiProb
    case .flightDistance: return sp.pointee.flight
    case .significanceOfDistance: return sp.pointee.flightSig
    case .cosAngle: return sp.pointee.cosAngle
    case .isSignal: return sp.pointee.isSignal
    case .mcPDG: return sp.pointee.mcPDG
    case .PDG: return sp.pointee.pdg
    case .mcErrors: return Double(sp.pointee.mcErrors)
    case .massDifference: return sp.pointee.massDiff
    case .pCMS: return sp.pointee.pCMS
    case .globalID(let h):
      if sp.pointee.pidNaN { return .nan }
      return logistic(sp.pointee.mu[h] + pidModel.sigma * sp.pointee.z[h])
    case .binary(let a, let b):
      if sp.pointee.pidNaN { return .nan }
      let x = sp.pointee.mu[a] - sp.pointee.mu[b] + pidModel.sigma * (sp.pointee.z[a] - sp.pointee.z[b]) * 0.7071067811865476
      return logistic(x)
    case .topProb(let h):
      if sp.pointee.pidNaN { return .nan }
      let x = 0.7 * sp.pointee.mu[h] + pidModel.sigma * (0.6 * sp.pointee.z[h] + 0.8 * sp.pointee.zTop)
      return logistic(x)
    case .cdcLL(let h):
      if sp.pointee.pidNaN { return .nan }
      return -1 - 0.5 * sp.pointee.zCDC * sp.pointee.zCDC - 0.3 * max(0, 3 - sp.pointee.mu[h]) * (1 + 0.2 * abs(sp.pointee.z[h]))
    }
  }

  @inline(__always)
  func loop(_ d: UnsafeMutablePointer<Double>, _ rows: Int, _ base: UnsafePointer<PState>, _ np: Int,
            _ f: (UnsafePointer<PState>) -> Double) {
    for k in 0..<rows { d[k] = f(base + k * np) }
  }

  /// `logistic(x)` for each row (NaN where the track's PID is NaN), four rows
  /// at a time; the scalar tail gives bit-identical values.
  @inline(__always)
  func logistic4(_ d: UnsafeMutablePointer<Double>, _ rows: Int, _ base: UnsafePointer<PState>, _ np: Int,
                 _ x: (UnsafePointer<PState>) -> Double) {
    var k = 0
    while k + 4 <= rows {
      let s0 = base + k * np, s1 = s0 + np, s2 = s1 + np, s3 = s2 + np
      let v = logistic(SIMD4(x(s0), x(s1), x(s2), x(s3)))
      d[k] = s0.pointee.pidNaN ? .nan : v[0]
      d[k + 1] = s1.pointee.pidNaN ? .nan : v[1]
      d[k + 2] = s2.pointee.pidNaN ? .nan : v[2]
      d[k + 3] = s3.pointee.pidNaN ? .nan : v[3]
      k += 4
    }
    while k < rows {
      let sp = base + k * np
      d[k] = sp.pointee.pidNaN ? .nan : logistic(x(sp))
      k += 1
    }
  }

  /// Writes `rows` values of `code` (one particle, states `np` apart) to `d`.
  func fill(_ code: VarCode, _ d: UnsafeMutablePointer<Double>, _ rows: Int,
            _ base: UnsafePointer<PState>, _ np: Int) {
    let sigma = pidModel.sigma
    switch code {
    case .p: loop(d, rows, base, np) { $0.pointee.p }
    case .pt: loop(d, rows, base, np) { $0.pointee.pt }
    case .cosTheta: loop(d, rows, base, np) { $0.pointee.cosTheta }
    case .theta: loop(d, rows, base, np) { acos($0.pointee.cosTheta) }
    case .phi: loop(d, rows, base, np) { atan2($0.pointee.py, $0.pointee.px) }
    case .charge: loop(d, rows, base, np) { $0.pointee.charge }
    case .dr: loop(d, rows, base, np) { $0.pointee.dr }
    case .dz: loop(d, rows, base, np) { $0.pointee.dz }
    case .nCDCHits: loop(d, rows, base, np) { $0.pointee.nCDCHits }
    case .M: loop(d, rows, base, np) { $0.pointee.M }
    case .InvM: loop(d, rows, base, np) { $0.pointee.invM }
    case .dM: loop(d, rows, base, np) { $0.pointee.dM }
    case .Q: loop(d, rows, base, np) { $0.pointee.Q }
    case .chiProb: loop(d, rows, base, np) { $0.pointee.chiProb }
    case .flightDistance: loop(d, rows, base, np) { $0.pointee.flight }
    case .significanceOfDistance: loop(d, rows, base, np) { $0.pointee.flightSig }
    case .cosAngle: loop(d, rows, base, np) { $0.pointee.cosAngle }
    case .isSignal: loop(d, rows, base, np) { $0.pointee.isSignal }
    case .mcPDG: loop(d, rows, base, np) { $0.pointee.mcPDG }
    case .PDG: loop(d, rows, base, np) { $0.pointee.pdg }
    case .mcErrors: loop(d, rows, base, np) { Double($0.pointee.mcErrors) }
    case .massDifference: loop(d, rows, base, np) { $0.pointee.massDiff }
    case .pCMS: loop(d, rows, base, np) { $0.pointee.pCMS }
    case .globalID(let h):
      logistic4(d, rows, base, np) { $0.pointee.mu[h] + sigma * $0.pointee.z[h] }
    case .binary(let a, let b):
      logistic4(d, rows, base, np) { sp in
        sp.pointee.mu[a] - sp.pointee.mu[b]
          + sigma * (sp.pointee.z[a] - sp.pointee.z[b]) * 0.7071067811865476
      }
    default:
      loop(d, rows, base, np) { value(code, $0) }
    }
  }

  /// The columns of block `index` (`rows` ≤ `blockRows`).
  public func blockColumns(_ index: Int, rows: Int = SampleGenerator.blockRows) -> [(ColumnInfo, ColumnBuffer)] {
    var none: [(ColumnInfo, ColumnBuffer)] = []
    return blockColumns(index, rows: rows, reusing: &none)
  }

  /// The columns of block `index`, writing into the storage of `previous`
  /// (an earlier result of this generator that the caller no longer needs;
  /// it is emptied). Same values as `blockColumns(_:rows:)`; a streaming
  /// writer saves the allocation and page faults of fresh memory.
  public func blockColumns(_ index: Int, rows: Int = SampleGenerator.blockRows,
                           reusing previous: inout [(ColumnInfo, ColumnBuffer)]) -> [(ColumnInfo, ColumnBuffer)] {
    precondition(rows >= 0 && rows <= SampleGenerator.blockRows, "a block holds at most \(SampleGenerator.blockRows) rows")
    // Take over the old float64/int32 arrays of the physics columns (unique
    // after `previous` is emptied); sizes are fixed up below.
    var spareF: [[Double]] = []
    var spareI: [[Int32]] = []
    for (_, buffer) in previous {
      switch buffer {
      case .float64(let a): spareF.append(a)
      case .int32(let a): spareI.append(a)
      default: break
      }
    }
    previous = []
    func float64Column(_ n: Int) -> [Double] {
      if var a = spareF.popLast() {
        if a.count != n {
          if a.count > n { a.removeLast(a.count - n) } else { a.append(contentsOf: repeatElement(0, count: n - a.count)) }
        }
        return a
      }
      return [Double](unsafeUninitializedCapacity: n) { _, count in count = n }
    }
    func int32Column(_ n: Int) -> [Int32] {
      if var a = spareI.popLast() {
        if a.count != n {
          if a.count > n { a.removeLast(a.count - n) } else { a.append(contentsOf: repeatElement(0, count: n - a.count)) }
        }
        return a
      }
      return [Int32](unsafeUninitializedCapacity: n) { _, count in count = n }
    }
    var rng = Xoshiro256StarStar(seed: blockSeed(index))
    let n = rows
    // counters
    let experiment = [Int32](repeating: sample == .data ? 26 : 1003, count: n)
    let run = [Int32](repeating: sample == .data ? Int32(truncatingIfNeeded: 1 + index) : 0, count: n)
    var event = [UInt32](repeating: 0, count: n)
    let production = [Int32](repeating: sample == .data ? 12 : 29000, count: n)
    var candidate = [Int32](repeating: 0, count: n)
    var ncandidates = [Int32](repeating: 0, count: n)
    let weight = [Double](repeating: 1, count: n)

    let nf = plan.count
    // The output columns, filled tile by tile (no intermediate copy).
    var fcols: [[Double]] = plan.map { pl in pl.isInt ? [] : float64Column(n) }
    var icols: [[Int32]] = plan.map { pl in pl.isInt ? int32Column(n) : [] }
    let tile = 128

    // Per tile: generate the candidates' states row-major, then fill each
    // column with one tight loop per column (no per-value dispatch).
    let np = mode.particles.count
    let sbuf = UnsafeMutablePointer<PState>.allocate(capacity: tile * np)
    sbuf.initialize(repeating: PState(), count: tile * np)
    defer {
      sbuf.deinitialize(count: tile * np)
      sbuf.deallocate()
    }
    let blockBase = UInt32(truncatingIfNeeded: index &* SampleGenerator.blockRows)
    var eventLocal: UInt32 = 0
    var remaining = 0
    var candIndex: Int32 = 0
    var nCand: Int32 = 0

    muTable.withUnsafeBufferPointer { mu in
      var tileStart = 0
      while tileStart < n {
        let tileRows = min(tile, n - tileStart)
        for k in 0..<tileRows {
          let r = tileStart + k
          if remaining == 0 {
            let u = rng.uniform()
            var c = u < 0.80 ? 1 : (u < 0.95 ? 2 : 3)
            c = min(c, SampleGenerator.blockRows - r)
            remaining = c
            nCand = Int32(c)
            candIndex = 0
            eventLocal += 1
          }
          event[r] = blockBase &+ eventLocal
          candidate[r] = candIndex
          ncandidates[r] = nCand
          candIndex += 1
          remaining -= 1

          let st = UnsafeMutableBufferPointer(start: sbuf + k * np, count: np)
          switch topology {
          case .dstar: generateDstar(st, &rng, mu)
          case .v0: generateV0(st, &rng, mu)
          case .tau: generateTau(st, &rng, mu)
          }
        }
        for j in 0..<nf {
          let pl = plan[j]
          let base = UnsafePointer(sbuf + pl.particle)
          if pl.isInt {
            icols[j].withUnsafeMutableBufferPointer { dst in
              let d = dst.baseAddress! + tileStart
              for k in 0..<tileRows { d[k] = base[k * np].mcErrors }
            }
          } else {
            fcols[j].withUnsafeMutableBufferPointer { dst in
              fill(pl.code, dst.baseAddress! + tileStart, tileRows, base, np)
            }
          }
        }
        tileStart += tileRows
      }
    }

    var out: [(ColumnInfo, ColumnBuffer)] = []
    out.reserveCapacity(columns.count)
    let c = columns
    out.append((c[0], .int32(experiment)))
    out.append((c[1], .int32(run)))
    out.append((c[2], .uint32(event)))
    out.append((c[3], .int32(production)))
    out.append((c[4], .int32(candidate)))
    out.append((c[5], .int32(ncandidates)))
    out.append((c[6], .float64(weight)))
    for j in 0..<nf {
      let info = c[7 + j]
      if plan[j].isInt {
        out.append((info, .int32(icols[j])))
      } else {
        out.append((info, .float64(fcols[j])))
      }
    }
    return out
  }
}
