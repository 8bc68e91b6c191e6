import Foundation

/// The conditional distribution of a density grid's last axis (the PID
/// variable) given the others (track kinematics): sampling by inverse CDF
/// (resampling), the CDF and its inverse (transformation).
///
/// Between kinematic cell centres the density is interpolated multilinearly;
/// the conditional at a point is then the mixture of the surrounding nodes'
/// conditionals weighted by interpolation weight × node mass, so sampling
/// picks a node and inverts that node's CDF (piecewise linear: the density
/// is constant within a PID cell). Negative densities (sWeights) count as 0.
public struct ConditionalSampler: Sendable {
  public let grid: DensityGrid
  /// Cells of the last axis.
  let n: Int
  /// Kinematic nodes (product of the other axes' cells).
  let nodes: Int
  /// Per node, its CDF at the n + 1 PID cell edges (0 … 1), contiguous.
  let cumulative: [Double]
  /// Per node, its mass (Σ of its non-negative values).
  let mass: [Double]
  /// Per node, a statistics measure in the units of `nodeWeights` (e.g. the
  /// calibration weight near it).
  let nodeWeights: [Double]

  /// - Parameter nodeWeights: per kinematic node, the weight a track's
  ///   `statistics` interpolates (nil: the node masses).
  public init(_ grid: DensityGrid, nodeWeights: [Double]? = nil) {
    precondition(grid.axes.count >= 1)
    self.grid = grid
    n = grid.axes.last!.cells
    nodes = grid.count / n
    var cumulative = [Double](repeating: 0, count: nodes * (n + 1))
    var mass = [Double](repeating: 0, count: nodes)
    for c in 0..<nodes {
      var s = 0.0
      let o = c * (n + 1)
      for i in 0..<n {
        s += Swift.max(0, grid.values[c * n + i])
        cumulative[o + i + 1] = s
      }
      mass[c] = s
      if s > 0 { for i in 1...n { cumulative[o + i] /= s } }
    }
    self.cumulative = cumulative
    self.mass = mass
    self.nodeWeights = nodeWeights ?? mass
  }

  var kinematicAxes: ArraySlice<DensityGrid.Axis> { grid.axes.dropLast() }

  /// Scratch space of `mixture` for d kinematic axes.
  struct Scratch {
    var fracs: UnsafeMutablePointer<Double>
    var steps: UnsafeMutablePointer<Int>
    var corners: UnsafeMutablePointer<(node: Int, weight: Double)>

    static func with<R>(_ d: Int, _ body: (Scratch) throws -> R) rethrows -> R {
      try withUnsafeTemporaryAllocation(of: Double.self, capacity: Swift.max(d, 1)) { f in
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: Swift.max(d, 1)) { s in
          try withUnsafeTemporaryAllocation(of: (node: Int, weight: Double).self, capacity: 1 << d) { c in
            try body(Scratch(fracs: f.baseAddress!, steps: s.baseAddress!, corners: c.baseAddress!))
          }
        }
      }
    }
  }

  /// The up to 2^(d−1) nodes around a kinematic point and their mixture
  /// weights (interpolation weight × node mass, normalised) in
  /// `scratch.corners`; nil outside the box or where every surrounding node
  /// is empty. Also the interpolated node weight ("statistics").
  @inline(__always)
  func mixture(_ k: UnsafePointer<Double>, _ scratch: Scratch) -> (count: Int, statistics: Double)? {
    let axes = kinematicAxes
    let d = axes.count
    var origin = 0
    var nodeStride = 1
    // the kinematic node index: last kinematic axis fastest
    for j in stride(from: d - 1, through: 0, by: -1) {
      let a = axes[axes.startIndex + j]
      let x = k[j]
      guard x >= a.lower && x <= a.upper else { return nil }
      let u = a.coordinate(x)
      var base = 0
      scratch.fracs[j] = 0
      scratch.steps[j] = 0
      if u >= Double(a.cells - 1) {
        base = a.cells - 1
      } else if u > 0 {
        base = Int(u)
        scratch.fracs[j] = u - Double(base)
        scratch.steps[j] = nodeStride
      }
      origin += base * nodeStride
      nodeStride *= a.cells
    }
    var total = 0.0
    var stat = 0.0
    var m = 0
    for corner in 0..<(1 << d) {
      var node = origin
      var w = 1.0
      var skip = false
      for j in 0..<d {
        if corner >> j & 1 == 1 {
          if scratch.steps[j] == 0 { skip = true; break }
          node += scratch.steps[j]
          w *= scratch.fracs[j]
        } else {
          w *= 1 - scratch.fracs[j]
        }
      }
      if skip || w == 0 { continue }
      stat += w * nodeWeights[node]
      let p = w * mass[node]
      guard p > 0 else { continue }
      scratch.corners[m] = (node, p)
      total += p
      m += 1
    }
    guard total > 0 else { return nil }
    for i in 0..<m { scratch.corners[i].weight /= total }
    return (m, stat)
  }

  /// The PID value at probability u of one node's conditional.
  @inline(__always) func inverse(node: Int, _ u: Double) -> Double {
    let o = node * (n + 1)
    var lo = 0, hi = n  // cumulative[o + lo] <= u <= cumulative[o + hi]
    while hi - lo > 1 {
      let mid = (lo + hi) >> 1
      if cumulative[o + mid] <= u { lo = mid } else { hi = mid }
    }
    let a = grid.axes[grid.axes.count - 1]
    let c0 = cumulative[o + lo], c1 = cumulative[o + lo + 1]
    let f = c1 > c0 ? (u - c0) / (c1 - c0) : 0.5
    return a.lower + (Double(lo) + Swift.min(Swift.max(f, 0), 1)) * a.width
  }

  /// One node's CDF at PID value x.
  @inline(__always) func cdf(node: Int, _ x: Double) -> Double {
    let a = grid.axes[grid.axes.count - 1]
    let u = (x - a.lower) / a.width
    if !(u > 0) { return 0 }
    if u >= Double(n) { return 1 }
    let i = Int(u)
    let o = node * (n + 1)
    return cumulative[o + i] + (u - Double(i)) * (cumulative[o + i + 1] - cumulative[o + i])
  }

  public struct Outcome: Sendable, Equatable {
    /// Tracks outside the kinematic box or on an empty slice (their value is NaN).
    public var outside = 0
  }

  /// Draws a PID value for each track from the conditional at its
  /// kinematics: `kinematics[j][e]` (one pointer per kinematic axis), the
  /// uniform variates of track e from `uniforms(e)` (two per track). NaN and
  /// a statistics of 0 for tracks outside the box.
  public func sample(
    kinematics: [UnsafePointer<Double>], count: Int, uniforms: (Int) -> (Double, Double),
    into out: UnsafeMutablePointer<Double>, statistics: UnsafeMutablePointer<Double>?
  ) -> Outcome {
    var outcome = Outcome()
    let d = kinematicAxes.count
    precondition(kinematics.count == d)
    withUnsafeTemporaryAllocation(of: Double.self, capacity: Swift.max(d, 1)) { k in
      Scratch.with(d) { scratch in
        let corners = scratch.corners
        for e in 0..<count {
          for j in 0..<d { k[j] = kinematics[j][e] }
          guard let (m, stat) = mixture(k.baseAddress!, scratch) else {
            out[e] = .nan
            statistics?[e] = 0
            outcome.outside += 1
            continue
          }
          let (u1, u2) = uniforms(e)
          var c = 0
          var acc = corners[0].weight
          while c < m - 1 && u1 >= acc {
            c += 1
            acc += corners[c].weight
          }
          out[e] = inverse(node: corners[c].node, u2)
          statistics?[e] = stat
        }
      }
    }
    return outcome
  }

  /// The node weight interpolated at the kinematics; nil outside the box.
  public func statistics(kinematics k: UnsafePointer<Double>) -> Double? {
    Scratch.with(kinematicAxes.count) { scratch in mixture(k, scratch)?.statistics }
  }

  /// The conditional CDF at (kinematics, x); nil outside the box.
  public func cdf(kinematics k: UnsafePointer<Double>, _ x: Double) -> Double? {
    let d = kinematicAxes.count
    return Scratch.with(d) { scratch in
      let corners = scratch.corners
      guard let (m, _) = mixture(k, scratch) else { return nil }
      var s = 0.0
      for i in 0..<m { s += corners[i].weight * cdf(node: corners[i].node, x) }
      return s
    }
  }

  /// The PID value where the conditional CDF at `kinematics` reaches u; nil outside the box.
  public func quantile(kinematics k: UnsafePointer<Double>, _ u: Double) -> Double? {
    let d = kinematicAxes.count
    return Scratch.with(d) { scratch in
      let corners = scratch.corners
      guard let (m, _) = mixture(k, scratch) else { return nil }
      if m == 1 { return inverse(node: corners[0].node, u) }
      func g(_ edge: Int) -> Double {
        var s = 0.0
        for i in 0..<m { s += corners[i].weight * cumulative[corners[i].node * (n + 1) + edge] }
        return s
      }
      var lo = 0, hi = n
      while hi - lo > 1 {
        let mid = (lo + hi) >> 1
        if g(mid) <= u { lo = mid } else { hi = mid }
      }
      let a = grid.axes[grid.axes.count - 1]
      let c0 = g(lo), c1 = g(lo + 1)
      let f = c1 > c0 ? (u - c0) / (c1 - c0) : 0.5
      return a.lower + (Double(lo) + Swift.min(Swift.max(f, 0), 1)) * a.width
    }
  }
}
