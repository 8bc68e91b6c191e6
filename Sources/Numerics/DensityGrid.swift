import Foundation

/// Values on a regular grid of cells over a box: a binned kernel density
/// estimate (or the weighted histogram it is smoothed from).
///
/// Axis j has `cells` cells of equal width over [lower, upper]; value k of
/// `values` belongs to the cell whose indices are k's row-major digits (the
/// first axis slowest). A point is spread over the 2^d cell centres around
/// it ("linear binning", as KDEpy's FFTKDE), so a smoothed grid is a KDE of
/// the points up to O(width²) — not a histogram that jumps at cell edges.
public struct DensityGrid: Sendable, Codable, Equatable {
  public struct Axis: Sendable, Codable, Equatable {
    public var lower: Double
    public var upper: Double
    public var cells: Int

    public init(lower: Double, upper: Double, cells: Int) {
      self.lower = lower
      self.upper = upper
      self.cells = cells
    }

    public var width: Double { (upper - lower) / Double(cells) }
    public func centre(_ i: Int) -> Double { lower + (Double(i) + 0.5) * width }
    /// The position of x in cell units, 0 at the first centre.
    @inline(__always) func coordinate(_ x: Double) -> Double { (x - lower) / width - 0.5 }
  }

  public var axes: [Axis]
  public var values: [Double]

  public init(axes: [Axis], values: [Double]? = nil) {
    self.axes = axes
    self.values = values ?? [Double](repeating: 0, count: axes.reduce(1) { $0 * $1.cells })
  }

  public var count: Int { values.count }
  /// Distance in `values` between neighbours along each axis.
  public var strides: [Int] {
    var s = [Int](repeating: 1, count: axes.count)
    for j in stride(from: axes.count - 2, through: 0, by: -1) { s[j] = s[j + 1] * axes[j + 1].cells }
    return s
  }
  public var cellVolume: Double { axes.reduce(1) { $0 * $1.width } }

  /// Σ values × cell volume: the integral of the density the grid holds.
  public var integral: Double {
    var s = CompensatedSum()
    for v in values { s.add(v) }
    return s.value * cellVolume
  }

  // MARK: - Linear binning

  /// Adds points (one pointer per axis, `n` points) with weights (nil: 1)
  /// by linear binning; points outside the box (or NaN) are skipped and
  /// their weight returned.
  @discardableResult
  public mutating func addLinear(
    _ coordinates: [UnsafePointer<Double>], weights: UnsafePointer<Double>?, count n: Int
  ) -> (outsideWeight: Double, outside: Int) {
    precondition(coordinates.count == axes.count)
    let d = axes.count
    let st = strides
    var outsideW = 0.0
    var outside = 0
    values.withUnsafeMutableBufferPointer { v in
      withUnsafeTemporaryAllocation(of: Int.self, capacity: d) { base in
        withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { frac in
          withUnsafeTemporaryAllocation(of: Int.self, capacity: d) { step in
            for e in 0..<n {
              let w = weights?[e] ?? 1
              var inside = true
              for j in 0..<d {
                let a = axes[j]
                let x = coordinates[j][e]
                guard x >= a.lower && x <= a.upper else { inside = false; break }
                let u = a.coordinate(x)
                if u <= 0 {
                  base[j] = 0; frac[j] = 0; step[j] = 0
                } else if u >= Double(a.cells - 1) {
                  base[j] = a.cells - 1; frac[j] = 0; step[j] = 0
                } else {
                  let i = Int(u)
                  base[j] = i; frac[j] = u - Double(i); step[j] = st[j]
                }
              }
              guard inside else {
                outsideW += w
                outside += 1
                continue
              }
              var origin = 0
              for j in 0..<d { origin += base[j] * st[j] }
              // 2^d corners: bit j set = the upper neighbour along axis j
              for corner in 0..<(1 << d) {
                var k = origin
                var f = w
                for j in 0..<d {
                  if corner >> j & 1 == 1 {
                    k += step[j]
                    f *= frac[j]
                  } else {
                    f *= 1 - frac[j]
                  }
                }
                v[k] += f
              }
            }
          }
        }
      }
    }
    return (outsideW, outside)
  }

  /// Adds `other` (same axes) cell by cell.
  public mutating func add(_ other: DensityGrid) {
    precondition(other.axes == axes)
    for k in values.indices { values[k] += other.values[k] }
  }

  // MARK: - Smoothing

  /// What the smoothing does at the edges of the box.
  public enum Boundary: String, Sendable, Codable, CaseIterable {
    /// Weight that would leave the box is reflected back at its edge
    /// (mirror images of the points): no mass is lost, the density's slope
    /// at the edge is zero.
    case reflection
    /// Meerkat's relative KDE with a uniform approximation: the estimate is
    /// divided by the fraction of the kernel inside the box, so a density
    /// that is flat near the edge stays unbiased.
    case relative
    /// Kernels are cut at the edge (mass near it is lost).
    case none
  }

  /// The grid convolved with a product of Gaussians of standard deviation
  /// `sigmas[j]` (in the axis' units), separable: one 1-D pass per axis,
  /// kernels cut at 4σ and normalised to their sampled sum. A σ below a
  /// tenth of the cell width leaves the axis as it is.
  public func smoothed(sigmas: [Double], boundary: Boundary) -> DensityGrid {
    precondition(sigmas.count == axes.count)
    var out = self
    let st = strides
    for (j, a) in axes.enumerated() {
      let s = sigmas[j] / a.width
      guard s >= 0.1 else { continue }
      let reach = Swift.max(1, Int((4 * s).rounded(.up)))
      var taps = (-reach...reach).map { exp(-0.5 * Double($0 * $0) / (s * s)) }
      let total = taps.reduce(0, +)
      taps = taps.map { $0 / total }
      let n = a.cells
      let lines = count / n
      let stride = st[j]
      let source = out.values
      out.values.withUnsafeMutableBufferPointer { dst in
        source.withUnsafeBufferPointer { src in
          withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { line in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { norm in
              // the in-box fraction of the kernel centred on each cell (relative mode)
              for i in 0..<n {
                var f = 0.0
                for t in -reach...reach where i + t >= 0 && i + t < n { f += taps[t + reach] }
                norm[i] = f
              }
              for l in 0..<lines {
                // the l-th line along axis j: fixed other indices
                let outer = l / stride, inner = l % stride
                let start = outer * stride * n + inner
                for i in 0..<n { line[i] = src[start + i * stride] }
                for i in 0..<n {
                  var acc = 0.0
                  for t in -reach...reach {
                    var k = i + t
                    if k < 0 || k >= n {
                      guard boundary == .reflection else { continue }
                      // half-sample mirror (d c b a | a b c d | d c b a), repeated for wide kernels
                      let period = 2 * n
                      k = ((k % period) + period) % period
                      if k >= n { k = period - 1 - k }
                    }
                    acc += taps[t + reach] * line[k]
                  }
                  dst[start + i * stride] = boundary == .relative ? acc / norm[i] : acc
                }
              }
            }
          }
        }
      }
    }
    return out
  }

  /// The grid scaled to unit integral (nil when it holds no positive mass).
  public func normalised() -> DensityGrid? {
    let i = integral
    guard i > 0, i.isFinite else { return nil }
    var out = self
    let f = 1 / i
    for k in out.values.indices { out.values[k] *= f }
    return out
  }

  // MARK: - Marginals and bandwidths

  /// The marginal along axis j (Σ over the others), per cell.
  public func marginal(_ j: Int) -> [Double] {
    let st = strides
    let n = axes[j].cells
    var m = [Double](repeating: 0, count: n)
    for k in values.indices { m[(k / st[j]) % n] += values[k] }
    return m
  }

  /// Silverman's normal-reference bandwidth per axis for d dimensions,
  /// h_j = (4 / ((d + 2) n))^(1/(d+4)) · min(σ_j, IQR_j / 1.349), from
  /// the weighted marginals of the (unsmoothed, linear-binned) grid; n is
  /// the effective (Kish) count. An axis whose spread is 0 gets one cell.
  public func silvermanBandwidths(effectiveCount n: Double) -> [Double] {
    let d = Double(axes.count)
    let factor = pow(4 / ((d + 2) * Swift.max(n, 1)), 1 / (d + 4))
    return axes.indices.map { j in
      let a = axes[j]
      let m = marginal(j).map { Swift.max($0, 0) }
      let total = m.reduce(0, +)
      guard total > 0 else { return a.width }
      var mean = 0.0
      for (i, w) in m.enumerated() { mean += w * a.centre(i) }
      mean /= total
      var variance = 0.0
      for (i, w) in m.enumerated() { variance += w * (a.centre(i) - mean) * (a.centre(i) - mean) }
      let sigma = (variance / total).squareRoot()
      func quantile(_ q: Double) -> Double {
        var c = 0.0
        for (i, w) in m.enumerated() {
          if c + w >= q * total, w > 0 { return a.lower + (Double(i) + (q * total - c) / w) * a.width }
          c += w
        }
        return a.upper
      }
      let iqr = quantile(0.75) - quantile(0.25)
      let spread = iqr > 0 ? Swift.min(sigma, iqr / 1.349) : sigma
      return spread > 0 ? factor * spread : a.width
    }
  }
}
