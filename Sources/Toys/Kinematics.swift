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
