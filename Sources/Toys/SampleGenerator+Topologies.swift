import ColumnStore
import Foundation
import Modes
import Numerics

/// The decay topologies the generator simulates.
extension SampleGenerator {
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
