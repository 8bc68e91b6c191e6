/// What a binned mass fit needs from the passing rows: the fit variable's
/// histogram over [lo, hi] in `bins` equal bins (sums of weights, the
/// likelihood's bin contents), the plot's coarser histogram with Σw², and the
/// counts. Unlike a fit sample it does not grow with the rows, so the shards
/// of a binned fit send a few kilobytes, not their events.
///
/// Binning is the one `BinnedExtendedNLL(data:…)` and the fit plot use:
/// fit bin ⌊(x − lo)·bins/(hi − lo)⌋ (the upper edge in the last bin), plot
/// bin ⌊(x − lo)/((hi − lo)/plotBins)⌋; values outside [lo, hi] or NaN are
/// counted as outside.
public struct FitHistogramAggregate: Aggregate {
  public let expression: String
  public let lo: Double
  public let hi: Double
  public let bins: Int
  public let plotBins: Int

  public init(_ expression: String, lo: Double, hi: Double, bins: Int, plotBins: Int = 100) {
    precondition(bins >= 1 && plotBins >= 1 && lo < hi)
    self.expression = expression
    self.lo = lo
    self.hi = hi
    self.bins = bins
    self.plotBins = plotBins
  }

  public var inputs: [String] { [expression] }
  public var partialBytes: Int { 8 * (bins + 2 * plotBins) }

  public struct Partial: Sendable, Codable, Equatable {
    /// Σw per fit bin.
    public var sumW: [Double]
    /// Σw and Σw² per plot bin.
    public var plotSumW: [Double]
    public var plotSumW2: [Double]
    /// Rows inside [lo, hi], and passing rows outside (or NaN).
    public var entries = 0
    public var outside = 0
    /// Σw of the rows inside, and whether any row had a weight.
    public var sumOfWeights = 0.0
    public var weighted = false

    enum CodingKeys: String, CodingKey {
      case sumW = "sum_w", plotSumW = "plot_sum_w", plotSumW2 = "plot_sum_w2", entries, outside
      case sumOfWeights = "sum_of_weights", weighted
    }
  }

  public typealias Result = Partial

  public func makePartial() -> Partial {
    Partial(sumW: Array(repeating: 0, count: bins), plotSumW: Array(repeating: 0, count: plotBins),
            plotSumW2: Array(repeating: 0, count: plotBins))
  }

  public func consume(_ batch: AggregateBatch, into p: inout Partial) {
    let x = batch.values[0].floats
    let scale = Double(bins) / (hi - lo)
    let width = (hi - lo) / Double(plotBins)
    if batch.weights != nil { p.weighted = true }
    for r in batch.rows {
      let v = x[Int(r)]
      guard v >= lo && v <= hi else {
        p.outside += 1
        continue
      }
      let w = batch.weights?[Int(r)] ?? 1
      p.sumW[min(Int((v - lo) * scale), bins - 1)] += w
      let b = min(max(Int((v - lo) / width), 0), plotBins - 1)
      p.plotSumW[b] += w
      p.plotSumW2[b] += w * w
      p.entries += 1
      p.sumOfWeights += w
    }
  }

  public func merge(_ other: Partial, into p: inout Partial) throws {
    guard other.sumW.count == bins, other.plotSumW.count == plotBins, other.plotSumW2.count == plotBins else {
      throw FitHistogramMismatch(bins: other.sumW.count, expected: bins)
    }
    for i in 0..<bins { p.sumW[i] += other.sumW[i] }
    for i in 0..<plotBins {
      p.plotSumW[i] += other.plotSumW[i]
      p.plotSumW2[i] += other.plotSumW2[i]
    }
    p.entries += other.entries
    p.outside += other.outside
    p.sumOfWeights += other.sumOfWeights
    p.weighted = p.weighted || other.weighted
  }

  public func finish(_ p: Partial) -> Partial { p }
}

/// A partial of another binning (a foreign or corrupt shard file).
public struct FitHistogramMismatch: Error, Sendable, Equatable {
  public var bins: Int
  public var expected: Int
}
