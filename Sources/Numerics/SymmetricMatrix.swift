import Foundation

/// Small dense symmetric-matrix helpers for the minimiser (n ≲ 50).
enum SymmetricMatrix {
  static func identity(_ n: Int) -> [[Double]] {
    (0..<n).map { i in (0..<n).map { $0 == i ? 1 : 0 } }
  }

  static func multiply(_ a: [[Double]], _ v: [Double]) -> [Double] {
    a.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } }
  }

  static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

  /// The inverse of a symmetric positive-definite matrix via Cholesky, or nil if not positive definite.
  static func inverse(_ a: [[Double]]) -> [[Double]]? {
    let n = a.count
    var L = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for j in 0..<n {
      var d = a[j][j]
      for k in 0..<j { d -= L[j][k] * L[j][k] }
      guard d > 0, d.isFinite else { return nil }
      L[j][j] = d.squareRoot()
      for i in (j + 1)..<max(n, j + 1) {
        var s = a[i][j]
        for k in 0..<j { s -= L[i][k] * L[j][k] }
        L[i][j] = s / L[j][j]
      }
    }
    // inverse of L, then L⁻ᵀ L⁻¹
    var Li = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for i in 0..<n {
      Li[i][i] = 1 / L[i][i]
      for j in 0..<i {
        var s = 0.0
        for k in j..<i { s -= L[i][k] * Li[k][j] }
        Li[i][j] = s / L[i][i]
      }
    }
    var inv = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for i in 0..<n {
      for j in 0...i {
        var s = 0.0
        for k in i..<n { s += Li[k][i] * Li[k][j] }
        inv[i][j] = s
        inv[j][i] = s
      }
    }
    return inv
  }

  /// Eigenvalues of a symmetric matrix (cyclic Jacobi rotations).
  static func eigenvalues(_ a: [[Double]]) -> [Double] {
    var m = a
    let n = m.count
    for _ in 0..<100 {
      var off = 0.0
      for i in 0..<n { for j in 0..<n where i != j { off += m[i][j] * m[i][j] } }
      if off < 1e-30 { break }
      for p in 0..<n {
        for q in (p + 1)..<max(n, p + 1) where m[p][q] != 0 {
          let theta = (m[q][q] - m[p][p]) / (2 * m[p][q])
          let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
          let c = 1 / (t * t + 1).squareRoot(), s = t * c
          for k in 0..<n {
            let mkp = m[k][p], mkq = m[k][q]
            m[k][p] = c * mkp - s * mkq
            m[k][q] = s * mkp + c * mkq
          }
          for k in 0..<n {
            let mpk = m[p][k], mqk = m[q][k]
            m[p][k] = c * mpk - s * mqk
            m[q][k] = s * mpk + c * mqk
          }
        }
      }
    }
    return (0..<n).map { m[$0][$0] }
  }

  /// `a` itself if positive definite, else `a` with its (scaled) diagonal
  /// raised until the smallest eigenvalue is 1e-3 of the largest (MINUIT's
  /// "forced positive definite"); the flag says whether it was changed.
  static func forcedPositiveDefinite(_ a: [[Double]]) -> (matrix: [[Double]], forced: Bool) {
    let n = a.count
    var m = a
    var forced = false
    for i in 0..<n where !(m[i][i] > 0) {
      m[i][i] = 1
      forced = true
    }
    let scale = (0..<n).map { 1 / m[$0][$0].squareRoot() }
    var scaled = m
    for i in 0..<n { for j in 0..<n { scaled[i][j] = m[i][j] * scale[i] * scale[j] } }
    let ev = eigenvalues(scaled)
    let emin = ev.min() ?? 1, emax = ev.max() ?? 1
    if emin > 1e-6 * max(emax, 1e-300) && !forced { return (a, false) }
    if emin <= 1e-6 * emax {
      let add = 1e-3 * emax - emin
      for i in 0..<n { m[i][i] += add / (scale[i] * scale[i]) }
    }
    return (m, true)
  }
}
