import Numerics
import CKernels

/// One histogram axis, boost-histogram style: bin i covers `[e_i, e_{i+1})`,
/// with an underflow bin below `e_0` and an overflow bin at or above the last
/// edge. NaN goes to the overflow bin (as boost-histogram).
public struct HistogramAxis: Sendable, Codable, Equatable {
  public enum Kind: Sendable, Codable, Equatable {
    case regular(bins: Int, lower: Double, upper: Double)
    case variable
  }

  public var kind: Kind
  /// Bin edges (bins + 1 of them), increasing.
  public var edges: [Double]

  /// `bins` equal bins over `[lower, upper)`.
  public static func regular(bins: Int, lower: Double, upper: Double) throws(QueryError) -> HistogramAxis {
    guard bins > 0 else {
      throw QueryError(.invalidArgument, "a histogram needs at least one bin, got \(bins)")
    }
    guard bins <= 10_000_000 else {
      throw QueryError(.invalidArgument, "\(bins) bins on one axis is more than the 10,000,000 a histogram may have")
    }
    guard lower.isFinite, upper.isFinite, lower < upper else {
      throw QueryError(.invalidArgument, "histogram range [\(lower), \(upper)) is empty or not finite")
    }
    let edges = (0...bins).map { $0 == bins ? upper : lower + (upper - lower) * Double($0) / Double(bins) }
    return HistogramAxis(kind: .regular(bins: bins, lower: lower, upper: upper), edges: edges)
  }

  /// Bins between consecutive `edges`.
  public static func variable(_ edges: [Double]) throws(QueryError) -> HistogramAxis {
    guard edges.count >= 2 else {
      throw QueryError(.invalidArgument, "variable bins need at least 2 edges, got \(edges.count)")
    }
    guard edges.allSatisfy(\.isFinite), zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
      throw QueryError(.invalidArgument, "bin edges must be finite and strictly increasing: \(edges)")
    }
    return HistogramAxis(kind: .variable, edges: edges)
  }

  public var bins: Int { edges.count - 1 }
  /// Bins including underflow and overflow.
  public var extent: Int { edges.count + 1 }

  /// 0 for underflow, 1...bins for the bins, bins + 1 for overflow (and NaN).
  @inline(__always) public func index(_ x: Double) -> Int {
    switch kind {
    case .regular(let n, let lo, let hi):
      // boost-histogram's regular axis: z = (x - lo) / (hi - lo).
      let z = (x - lo) / (hi - lo)
      if z < 1 { return z >= 0 ? Int(z * Double(n)) + 1 : 0 }
      return n + 1
    case .variable:
      if !(x < edges[edges.count - 1]) { return edges.count }  // overflow and NaN
      var lo = 0
      var hi = edges.count
      while lo < hi {  // number of edges <= x
        let mid = (lo + hi) >> 1
        if edges[mid] <= x { lo = mid + 1 } else { hi = mid }
      }
      return lo
    }
  }
}

/// An N-dimensional histogram of Σw and Σw² (boost-histogram's `Weight`
/// storage) with under/overflow on every axis.
///
/// Storage is row-major over the axes' extents (first axis slowest), each
/// extent being `bins + 2`: index 0 is underflow, `bins + 1` overflow.
public struct HistogramAggregate: Aggregate {
  public let axes: [HistogramAxis]
  public let inputs: [String]

  /// - Parameter axes: pairs of an expression and its axis, in order.
  public init(_ axes: [(String, HistogramAxis)]) {
    self.inputs = axes.map(\.0)
    self.axes = axes.map(\.1)
  }

  public init(_ expression: String, _ axis: HistogramAxis) {
    self.init([(expression, axis)])
  }

  public struct Partial: Sendable, Codable, Equatable {
    public var entries: Int
    public var sumW: [Double]
    public var sumW2: [Double]
    /// Neumaier compensation of `sumW` and `sumW2`, accumulated by merges.
    public var sumWCompensation: [Double]
    public var sumW2Compensation: [Double]
  }

  public struct Result: Sendable, Codable, Equatable {
    public var axes: [HistogramAxis]
    /// The expressions of the axes.
    public var expressions: [String]
    public var entries: Int
    /// Σw per bin, flow bins included, row-major (first axis slowest).
    public var sumW: [Double]
    /// Σw² per bin, same layout.
    public var sumW2: [Double]

    /// The flat index of per-axis indices (0 = underflow ... bins + 1 = overflow).
    public func flatIndex(_ indices: [Int]) -> Int {
      var k = 0
      for (a, i) in zip(axes, indices) { k = k * a.extent + i }
      return k
    }

    /// The per-axis indices of a flat index (the inverse of `flatIndex`).
    public func indices(ofFlat flat: Int) -> [Int] {
      var rest = flat
      var idx = [Int](repeating: 0, count: axes.count)
      for d in stride(from: axes.count - 1, through: 0, by: -1) {
        idx[d] = rest % axes[d].extent
        rest /= axes[d].extent
      }
      return idx
    }
  }

  var size: Int { axes.reduce(1) { $0 * $1.extent } }

  /// Four float64 arrays of every bin, flow bins included (saturating).
  public var partialBytes: Int {
    axes.reduce(32) { $0.multipliedReportingOverflow(by: $1.extent).overflow ? Int.max : $0 * $1.extent }
  }

  public func makePartial() -> Partial {
    let z = [Double](repeating: 0, count: size)
    return Partial(entries: 0, sumW: z, sumW2: z, sumWCompensation: z, sumW2Compensation: z)
  }

  public func consume(_ batch: AggregateBatch, into p: inout Partial) {
    p.entries += batch.rows.count
    let m = batch.rows.count
    guard m > 0 else { return }
    let w = batch.weights
    let dense = batch.dense
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: m) { idx in
      // Pass 1: flat bin index of every passing row.
      let rows = batch.rows
      flatIndices(batch, into: idx)
      // Pass 2: accumulate.
      let size = p.sumW.count
      if w != nil || size > 4096 {
        p.sumW.withUnsafeMutableBufferPointer { sw in
          p.sumW2.withUnsafeMutableBufferPointer { sw2 in
            for j in 0..<m {
              let k = Int(idx[j])
              let wi = w.map { $0[dense ? j : Int(rows[j])] } ?? 1
              sw[k] += wi
              sw2[k] += wi * wi
            }
          }
        }
      } else {
        // Unweighted: integer counts (Σw = Σw² = count), added per block.
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 4 * size) { c in
          c.initialize(repeating: 0)
          withUnsafeTemporaryAllocation(of: Double.self, capacity: size) { n in
            n.initialize(repeating: 0)
            syscorr_count_bins(idx.baseAddress!, m, c.baseAddress!, size, n.baseAddress!)
            for k in 0..<size where n[k] != 0 {
              p.sumW[k] += n[k]
              p.sumW2[k] += n[k]
            }
          }
        }
      }
    }
  }

  /// Per-axis bin index (0 underflow ... bins + 1 overflow/NaN) of each row.
  /// The flat bin index of every row of `batch` (its first `axes.count`
  /// values are the axes), into `idx` (capacity `batch.rows.count`).
  /// The flat bin of each passing row; the axes' values are the batch's
  /// inputs from `offset` on (an aggregate binning several tracks passes each
  /// track's first input).
  func flatIndices(_ batch: AggregateBatch, offset: Int = 0, into idx: UnsafeMutableBufferPointer<Int32>) {
    let m = batch.rows.count
    if axes.count == 1 {
      HistogramAggregate.indices(axes[0], batch.values[offset].floats, batch.rows, batch.dense, idx)
      return
    }
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: m) { one in
      for j in 0..<m { idx[j] = 0 }
      for (d, a) in axes.enumerated() {
        HistogramAggregate.indices(a, batch.values[offset + d].floats, batch.rows, batch.dense, one)
        let e = Int32(a.extent)
        for j in 0..<m { idx[j] = idx[j] &* e &+ one[j] }
      }
    }
  }

  static func indices(
    _ a: HistogramAxis, _ x: UnsafePointer<Double>, _ rows: UnsafeBufferPointer<Int32>, _ dense: Bool,
    _ out: UnsafeMutableBufferPointer<Int32>
  ) {
    let m = rows.count
    let r = dense ? nil : rows.baseAddress
    switch a.kind {
    case .regular(let n, let lo, let hi):
      syscorr_bin_regular(x, r, m, lo, hi - lo, Int32(n), out.baseAddress!)
    case .variable:
      a.edges.withUnsafeBufferPointer { e in syscorr_bin_edges(x, r, m, e.baseAddress!, e.count, out.baseAddress!) }
    }
  }

  public func merge(_ other: Partial, into p: inout Partial) {
    p.entries += other.entries
    /// Adds (x, xc), a sum and its compensation, to (sum, compensation).
    func add(_ sum: inout Double, _ compensation: inout Double, _ x: Double, _ xc: Double) {
      var s = CompensatedSum()
      s.sum = sum
      s.compensation = compensation
      s.add(x)
      s.add(xc)
      (sum, compensation) = (s.sum, s.compensation)
    }
    for k in 0..<p.sumW.count {
      add(&p.sumW[k], &p.sumWCompensation[k], other.sumW[k], other.sumWCompensation[k])
      add(&p.sumW2[k], &p.sumW2Compensation[k], other.sumW2[k], other.sumW2Compensation[k])
    }
  }

  public func finish(_ p: Partial) -> Result {
    Result(
      axes: axes, expressions: inputs, entries: p.entries,
      sumW: zip(p.sumW, p.sumWCompensation).map { $0 + $1 },
      sumW2: zip(p.sumW2, p.sumW2Compensation).map { $0 + $1 })
  }
}
