import Numerics

/// The weighted, linearly binned grid a kernel density estimate is smoothed
/// from (`DensityGrid.addLinear`), with Poisson(1) bootstrap replicas, in one
/// scan; partials merge by summation.
///
/// Replica r weights row i (its number in the whole source) by
/// w_i · k, k ~ Poisson(1) drawn from a hash of (seed, r, i): the replicas do
/// not depend on the thread count, the chunking or the other rows.
public struct DensityGridAggregate: Aggregate {
  public let inputs: [String]
  public let axes: [DensityGrid.Axis]
  public let replicas: Int
  public let seed: UInt64

  /// - Parameters:
  ///   - expressions: one per axis.
  ///   - replicas: bootstrap replicas besides the nominal grid.
  public init(_ expressions: [String], axes: [DensityGrid.Axis], replicas: Int = 0, seed: UInt64 = 0) {
    precondition(expressions.count == axes.count && !axes.isEmpty && replicas >= 0)
    inputs = expressions
    self.axes = axes
    self.replicas = replicas
    self.seed = seed
  }

  public struct Partial: Sendable, Codable, Equatable {
    /// The nominal grid's values, then each replica's.
    public var grids: [[Double]]
    /// Rows inside the box: count, Σw, Σw²; rows outside (or NaN): count, Σw.
    public var inside: Int
    public var sumW: Double
    public var sumW2: Double
    public var outside: Int
    public var outsideW: Double
    /// Per axis, a plain histogram (each row in its cell) of the rows
    /// inside: Σw and Σw² — the data a projection of the estimate is
    /// compared with.
    public var marginals: [[Double]]
    public var marginals2: [[Double]]
  }

  public struct Result: Sendable {
    public var grid: DensityGrid
    public var replicas: [DensityGrid]
    public var inside: Int
    public var sumW: Double
    public var sumW2: Double
    public var outside: Int
    public var outsideW: Double
    public var marginals: [[Double]]
    public var marginals2: [[Double]]
    /// Kish's effective count (Σw)² / Σw² of the rows inside.
    public var effectiveCount: Double { sumW2 > 0 ? sumW * sumW / sumW2 : 0 }
  }

  var cells: Int { axes.reduce(1) { $0 * $1.cells } }

  public var partialBytes: Int {
    let (n, o) = cells.multipliedReportingOverflow(by: 8 * (replicas + 1))
    return o ? Int.max : n
  }

  public func makePartial() -> Partial {
    Partial(
      grids: (0...replicas).map { _ in [Double](repeating: 0, count: cells) }, inside: 0, sumW: 0, sumW2: 0, outside: 0,
      outsideW: 0, marginals: axes.map { [Double](repeating: 0, count: $0.cells) },
      marginals2: axes.map { [Double](repeating: 0, count: $0.cells) })
  }

  /// Poisson(1) from a uniform by its CDF.
  static let poissonCDF: [Double] = {
    var c: [Double] = []
    var p = 0.36787944117144233  // e^-1
    var s = 0.0
    for k in 0..<20 {
      s += p
      c.append(s)
      p /= Double(k + 1)
    }
    return c
  }()

  @inline(__always) static func poisson(seed: UInt64, replica: Int, row: Int) -> Double {
    let h = SplitMix64.mix(seed ^ SplitMix64.mix(UInt64(replica) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(row)))
    let u = Double(h >> 11) * 0x1.0p-53
    var k = 0
    while k < poissonCDF.count - 1 && u >= poissonCDF[k] { k += 1 }
    return Double(k)
  }

  public func consume(_ batch: AggregateBatch, into p: inout Partial) {
    let m = batch.rows.count
    guard m > 0 else { return }
    let d = axes.count
    let rows = batch.rows
    withUnsafeTemporaryAllocation(of: Double.self, capacity: (d + 2) * m) { buf in
      let base = buf.baseAddress!
      for j in 0..<d {
        let x = batch.values[j].floats
        let out = base + j * m
        if batch.dense { for e in 0..<m { out[e] = x[e] } } else { for e in 0..<m { out[e] = x[Int(rows[e])] } }
      }
      let w = base + d * m
      if let bw = batch.weights {
        if batch.dense { for e in 0..<m { w[e] = bw[e] } } else { for e in 0..<m { w[e] = bw[Int(rows[e])] } }
      } else {
        for e in 0..<m { w[e] = 1 }
      }
      let coordinates = (0..<d).map { UnsafePointer(base + $0 * m) }
      var grid = DensityGrid(axes: axes, values: [])
      swap(&grid.values, &p.grids[0])
      let (outW, out) = grid.addLinear(coordinates, weights: w, count: m)
      swap(&grid.values, &p.grids[0])
      p.outside += out
      p.outsideW += outW
      p.inside += m - out
      // Σw, Σw² of the rows inside (Σ over all minus outside for Σw; Σw² from the rows)
      var sw = 0.0, sw2 = 0.0
      for e in 0..<m {
        var inside = true
        for j in 0..<d {
          let x = coordinates[j][e]
          if !(x >= axes[j].lower && x <= axes[j].upper) { inside = false; break }
        }
        if inside {
          sw += w[e]
          sw2 += w[e] * w[e]
          for j in 0..<d {
            let a = axes[j]
            let i = Swift.min(a.cells - 1, Int((coordinates[j][e] - a.lower) / a.width))
            p.marginals[j][i] += w[e]
            p.marginals2[j][i] += w[e] * w[e]
          }
        }
      }
      p.sumW += sw
      p.sumW2 += sw2
      if replicas > 0 {
        let rw = base + (d + 1) * m
        for r in 1...replicas {
          for e in 0..<m {
            let row = batch.firstRow + (batch.dense ? e : Int(rows[e]))
            rw[e] = w[e] * Self.poisson(seed: seed, replica: r, row: row)
          }
          swap(&grid.values, &p.grids[r])
          grid.addLinear(coordinates, weights: rw, count: m)
          swap(&grid.values, &p.grids[r])
        }
      }
    }
  }

  public func merge(_ other: Partial, into p: inout Partial) {
    for r in p.grids.indices {
      p.grids[r].withUnsafeMutableBufferPointer { a in
        other.grids[r].withUnsafeBufferPointer { b in
          for k in 0..<a.count { a[k] += b[k] }
        }
      }
    }
    p.inside += other.inside
    p.sumW += other.sumW
    p.sumW2 += other.sumW2
    p.outside += other.outside
    p.outsideW += other.outsideW
    for j in p.marginals.indices {
      for i in p.marginals[j].indices {
        p.marginals[j][i] += other.marginals[j][i]
        p.marginals2[j][i] += other.marginals2[j][i]
      }
    }
  }

  public func finish(_ p: Partial) -> Result {
    Result(
      grid: DensityGrid(axes: axes, values: p.grids[0]),
      replicas: p.grids.dropFirst().map { DensityGrid(axes: axes, values: $0) }, inside: p.inside, sumW: p.sumW,
      sumW2: p.sumW2, outside: p.outside, outsideW: p.outsideW, marginals: p.marginals, marginals2: p.marginals2)
  }
}
