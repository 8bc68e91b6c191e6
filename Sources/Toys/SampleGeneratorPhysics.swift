import ColumnStore
import Foundation
import Modes
import Numerics

/// A four-vector (E, px, py, pz) in GeV.
struct LV {
  var e: Double, x: Double, y: Double, z: Double

  var p: Double { (x * x + y * y + z * z).squareRoot() }
  var pt: Double { (x * x + y * y).squareRoot() }
  var cosTheta: Double { let pp = p; return pp > 0 ? z / pp : 1 }

  /// This vector, given in the rest frame of `parent`, in the frame where the
  /// parent has four-momentum `parent`.
  @inline(__always)
  func boosted(by parent: LV) -> LV {
    let bx = parent.x / parent.e, by = parent.y / parent.e, bz = parent.z / parent.e
    let b2 = bx * bx + by * by + bz * bz
    if b2 <= 0 { return self }
    let gamma = 1 / (1 - b2).squareRoot()
    let bp = bx * x + by * y + bz * z
    let g2 = (gamma - 1) / b2
    let k = g2 * bp + gamma * e
    return LV(e: gamma * (e + bp), x: x + k * bx, y: y + k * by, z: z + k * bz)
  }
}

/// Four values without a heap allocation.
struct Four<T> {
  var v0: T, v1: T, v2: T, v3: T
  init(_ a: T, _ b: T, _ c: T, _ d: T) { v0 = a; v1 = b; v2 = c; v3 = d }
  subscript(i: Int) -> T {
    get {
      switch i {
      case 0: v0
      case 1: v1
      case 2: v2
      default: v3
      }
    }
    set {
      switch i {
      case 0: v0 = newValue
      case 1: v1 = newValue
      case 2: v2 = newValue
      default: v3 = newValue
      }
    }
  }
}

/// Per-particle values of one candidate.
struct PState {
  var px = 0.0, py = 0.0, pz = 0.0
  var p = 0.0, pt = 0.0, cosTheta = 0.0, charge = 0.0
  var dr = 0.0, dz = 0.0, nCDCHits = 0.0
  var M = 0.0, invM = 0.0, dM = 0.0, Q = 0.0, chiProb = 0.0, flight = 0.0, flightSig = 0.0
  var cosAngle = 0.0, isSignal = 0.0, mcPDG = 0.0, pdg = 0.0, massDiff = 0.0, pCMS = 0.0
  var mcErrors: Int32 = 0
  var pidNaN = false
  var mu = SIMD8<Double>()
  var z = SIMD8<Double>()
  var zTop = 0.0, zCDC = 0.0

  @inline(__always)
  mutating func setKinematics(_ v: LV) {
    px = v.x; py = v.y; pz = v.z
    pt = v.pt
    p = (pt * pt + v.z * v.z).squareRoot()
    cosTheta = p > 0 ? v.z / p : 1
  }
}

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

  // MARK: Topologies

  /// D*+ → D0(→ K− π+) π+: particles [head, D0, K, pi, pi_slow].
  @inline(__always)
  func generateDstar(_ st: UnsafeMutableBufferPointer<PState>, _ rng: inout Xoshiro256StarStar,
                     _ mu: UnsafeBufferPointer<Double>) {
    let isSig = rng.uniform() < mode.signalFraction
    let q: Double = selfConjugate || rng.uniform() < 0.5 ? 1 : -1
    let mD0 = isSig ? fitSignal!.sample(&rng) : fitBackground!.sample(&rng)
    let dm = isSig ? auxSignal!.sample(&rng) : auxBackground!.sample(&rng)
    let mHead = mD0 + dm
    let nomK = trackNominal[2]!, nomPi = trackNominal[3]!, nomSlow = trackNominal[4]!
    var pStar = 0.0
    var head = LV(e: 0, x: 0, y: 0, z: 0), d0 = head, k = head, pi = head, slow = head
    for _ in 0..<50 {
      let u = rng.uniform()
      pStar = 1.0 + 3.85 * (isSig ? u.squareRoot() : u)
      head = SampleGenerator.toLab(SampleGenerator.isotropic(pStar, mHead, &rng))
      (d0, slow) = SampleGenerator.twoBody(head, mHead, mD0, nomSlow.mass, &rng)
      (k, pi) = SampleGenerator.twoBody(d0, mD0, nomK.mass, nomPi.mass, &rng)
      if SampleGenerator.accepted(k) && SampleGenerator.accepted(pi) && SampleGenerator.accepted(slow) { break }
    }
    // head
    st[0].setKinematics(head)
    st[0].M = mHead
    st[0].invM = mHead
    st[0].dM = mHead - headMass
    st[0].massDiff = dm
    st[0].Q = dm - nomSlow.mass
    st[0].pCMS = pStar
    st[0].isSignal = isSig ? 1 : 0
    st[0].mcErrors = isSig ? 0 : Int32(1) << Int32(3 + Int(5 * rng.uniform()))
    st[0].chiProb = SampleGenerator.chiProb(isSig, &rng)
    st[0].charge = q
    // D0
    st[1].setKinematics(d0)
    st[1].M = mD0
    st[1].invM = mD0 + 0.0008 * rng.normal()
    st[1].dM = mD0 - midMass
    st[1].isSignal = isSig ? 1 : 0
    st[1].chiProb = SampleGenerator.chiProb(isSig, &rng)
    let bg = d0.p / mD0
    let ctau = midCTau
    let sigmaFD = 0.004
    st[1].flight = (isSig ? 1 : 0.5) * bg * ctau * rng.exponential() + sigmaFD * rng.normal()
    st[1].flightSig = st[1].flight / sigmaFD
    st[1].charge = 0
    // tracks
    for j in 0..<3 {
      let i = 2 + j
      let nominal = trackNominal[i]!
      st[i].setKinematics(j == 0 ? k : (j == 1 ? pi : slow))
      st[i].charge = trackCharges[i] * q
      SampleGenerator.quality(&st[i], rT: 0, &rng)
      let t = isSig ? nominal : SampleGenerator.draw(trackMix[i], &rng)
      pid(&st[i], species: t, nominal: nominal, signedPDG: trackPDG[i] * Int(q), background: !isSig, &rng, mu)
    }
  }

  /// V0 → two tracks: particles [head, t1, t2].
  @inline(__always)
  func generateV0(_ st: UnsafeMutableBufferPointer<PState>, _ rng: inout Xoshiro256StarStar,
                  _ mu: UnsafeBufferPointer<Double>) {
    let isSig = rng.uniform() < mode.signalFraction
    let q: Double = selfConjugate || rng.uniform() < 0.5 ? 1 : -1
    let m = isSig ? fitSignal!.sample(&rng) : fitBackground!.sample(&rng)
    let n1 = trackNominal[1]!, n2 = trackNominal[2]!
    var head = LV(e: 0, x: 0, y: 0, z: 0), t1 = head, t2 = head
    for _ in 0..<50 {
      let pStar = min(5.0, 0.2 + 0.7 * (rng.exponential() + rng.exponential()))
      head = SampleGenerator.toLab(SampleGenerator.isotropic(pStar, m, &rng))
      (t1, t2) = SampleGenerator.twoBody(head, m, n1.mass, n2.mass, &rng)
      if SampleGenerator.accepted(t1) && SampleGenerator.accepted(t2) { break }
    }
    st[0].setKinematics(head)
    st[0].M = m
    st[0].invM = m + 0.0004 * rng.normal()
    st[0].dM = m - headMass
    st[0].isSignal = isSig ? 1 : 0
    st[0].chiProb = SampleGenerator.chiProb(isSig, &rng)
    st[0].charge = 0
    let ctau = headCTau
    let bg = head.p / m
    let fd: Double
    if isSig || rng.uniform() < 0.5 {
      fd = bg * ctau * rng.exponential() * (isSig ? 1 : 0.5)
    } else {
      fd = abs(0.1 * rng.normal())
    }
    let sigmaFD = 0.05 * (1 + 0.3 * rng.uniform())
    st[0].flight = fd + 0.02 * rng.normal()
    st[0].flightSig = st[0].flight / sigmaFD
    let alpha = isSig ? abs(0.01 * rng.normal()) : min(Double.pi, 0.15 * rng.exponential())
    st[0].cosAngle = cos(alpha)
    let rT = max(0, fd) * (max(0, 1 - st[0].cosTheta * st[0].cosTheta)).squareRoot()
    for j in 0..<2 {
      let i = 1 + j
      let nominal = trackNominal[i]!
      st[i].setKinematics(j == 0 ? t1 : t2)
      st[i].charge = trackCharges[i] * q
      SampleGenerator.quality(&st[i], rT: rT, &rng)
      let t = isSig ? nominal : SampleGenerator.draw(trackMix[i], &rng)
      pid(&st[i], species: t, nominal: nominal, signedPDG: trackPDG[i] * Int(q), background: !isSig, &rng, mu)
    }
  }

  /// τ pair 3x1: particles [tag π, tag π, tag π, probe].
  @inline(__always)
  func generateTau(_ st: UnsafeMutableBufferPointer<PState>, _ rng: inout Xoshiro256StarStar,
                   _ mu: UnsafeBufferPointer<Double>) {
    let isSig = rng.uniform() < mode.signalFraction
    let q: Double = rng.uniform() < 0.5 ? 1 : -1
    let mTau = ParticleData.masses["tau+"]!
    let mPi = SampleGenerator.mPi
    let zero = LV(e: 0, x: 0, y: 0, z: 0)
    var lvs = Four(zero, zero, zero, zero)
    var species = Four<Species>(.pi, .pi, .pi, .pi)
    let lo = SampleGenerator.cosThetaMin, hi = SampleGenerator.cosThetaMax
    if isSig {
      species[3] = SampleGenerator.draw(SampleGenerator.tauProbeMix, &rng)
      let mProbe = species[3].mass
      let eBeam = mode.cmsEnergy / 2
      let pTau = (max(0, eBeam * eBeam - mTau * mTau)).squareRoot()
      for _ in 0..<50 {
        let tauA = SampleGenerator.isotropic(pTau, mTau, &rng)
        let tauB = LV(e: tauA.e, x: -tauA.x, y: -tauA.y, z: -tauA.z)
        let tau3 = SampleGenerator.toLab(tauA), tau1 = SampleGenerator.toLab(tauB)
        let mA1 = min(1.70, max(0.75, 1.23 + 0.12 * rng.normal()))
        let (a1, _) = SampleGenerator.twoBody(tau3, mTau, mA1, 0, &rng)
        let mRho = min(mA1 - mPi - 0.01, max(0.30, 0.775 + 0.07 * rng.normal()))
        let (rho, bach) = SampleGenerator.twoBody(a1, mA1, mRho, mPi, &rng)
        let (pA, pB) = SampleGenerator.twoBody(rho, mRho, mPi, mPi, &rng)
        let mInv: Double
        switch species[3] {
        case .e, .mu: mInv = rng.uniform() * (mTau - mProbe - 0.01)
        default: mInv = rng.uniform() < 0.45 ? 0 : rng.uniform(0.14, 1.2)
        }
        let (probe, _) = SampleGenerator.twoBody(tau1, mTau, mProbe, mInv, &rng)
        lvs = Four(pA, pB, bach, probe)
        if SampleGenerator.accepted(pA) && SampleGenerator.accepted(pB) && SampleGenerator.accepted(bach)
          && SampleGenerator.accepted(probe) { break }
      }
    } else {
      for i in 0..<4 {
        species[i] = SampleGenerator.draw(trackMix[i], &rng)
        let pp = 0.2 + 0.5 * (rng.exponential() + rng.exponential())
        let c = rng.uniform(lo, hi)
        let s = (1 - c * c).squareRoot()
        let phi = 2 * Double.pi * rng.uniform()
        let m = species[i].mass
        lvs[i] = LV(e: (pp * pp + m * m).squareRoot(), x: pp * s * cos(phi), y: pp * s * sin(phi), z: pp * c)
      }
    }
    for i in 0..<4 {
      let nominal = trackNominal[i]!
      st[i].setKinematics(lvs[i])
      st[i].charge = trackCharges[i] * q
      SampleGenerator.quality(&st[i], rT: 0, &rng)
      pid(&st[i], species: species[i], nominal: nominal, signedPDG: trackPDG[i] * Int(q),
          background: !isSig, &rng, mu)
    }
  }
}
