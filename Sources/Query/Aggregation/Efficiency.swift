/// Binned efficiencies: the weighted histograms of all selected rows and of
/// those that also pass each of several cuts (e.g. PID thresholds), filled
/// in one scan, and per bin and cut
/// ε = W_pass / W_total with PIDCalib2's variance for weighted events
/// (ROOT's `TH1::Divide(…, "B")`):
///
///     σ² = |(1 − 2ε)·S_pass + ε²·S_total| / W_total²      (W = Σw, S = Σw²)
///
/// which for unit weights is the binomial ε(1 − ε)/N. ε is not clipped (it
/// can leave [0, 1] with negative sWeights); a bin with W_total = 0 has
/// ε = NaN. With `jeffreysFloor` the variance is floored at p(1 − p)/n_eff
/// with Kish's n_eff = W²/S and Jeffreys' p = (k + ½)/(n_eff + 1), which
/// gives bins with ε = 0 or 1 a non-zero error.
///
/// Partials keep Σw and Σw² of pass and total (never ε), so tables from
/// shards, years or files merge by summation.
public struct EfficiencyAggregate: Aggregate {
  public let histogram: HistogramAggregate
  public let passCuts: [String]
  public let jeffreysFloor: Bool

  /// - Parameters:
  ///   - axes: pairs of an expression and its axis, in order.
  ///   - pass: the cuts that define passing rows among the selected ones.
  public init(_ axes: [(String, HistogramAxis)], pass: [String], jeffreysFloor: Bool = false) {
    self.histogram = HistogramAggregate(axes)
    self.passCuts = pass
    self.jeffreysFloor = jeffreysFloor
  }

  public init(_ axes: [(String, HistogramAxis)], pass: String, jeffreysFloor: Bool = false) {
    self.init(axes, pass: [pass], jeffreysFloor: jeffreysFloor)
  }

  /// The axes.
  public var inputs: [String] { histogram.inputs }
  /// The pass cuts, evaluated as conditions (NaN is false).
  public var conditions: [String] { passCuts }

  public struct Partial: Sendable, Codable, Equatable {
    public var total: HistogramAggregate.Partial
    public var pass: [HistogramAggregate.Partial]
  }

  /// The efficiency of one pass cut.
  public struct Efficiency: Sendable, Codable, Equatable {
    public var cut: String
    public var pass: HistogramAggregate.Result
    /// ε per bin, flow bins included, in the histograms' layout.
    public var efficiency: [Double]
    /// σ_ε per bin.
    public var error: [Double]
  }

  public struct Result: Sendable, Codable, Equatable {
    public var total: HistogramAggregate.Result
    /// One per pass cut, in order.
    public var cuts: [Efficiency]
  }

  /// The total histogram and one per pass cut.
  public var partialBytes: Int {
    let one = histogram.partialBytes
    return one.multipliedReportingOverflow(by: passCuts.count + 1).overflow ? Int.max : one * (passCuts.count + 1)
  }

  public func makePartial() -> Partial {
    Partial(total: histogram.makePartial(), pass: passCuts.map { _ in histogram.makePartial() })
  }

  /// Bins each row once, then adds it to the total and to every cut it passes.
  public func consume(_ batch: AggregateBatch, into p: inout Partial) {
    precondition(batch.conditions.count == passCuts.count, "the engine must evaluate the pass cuts (forward `conditions`)")
    let m = batch.rows.count
    guard m > 0 else { return }
    let rows = batch.rows
    let dense = batch.dense
    let w = batch.weights
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: m) { idx in
      histogram.flatIndices(batch, into: idx)
      withUnsafeTemporaryAllocation(of: Double.self, capacity: m) { wv in
        // The weight of each selected row, gathered once.
        if let w {
          if dense { for j in 0..<m { wv[j] = w[j] } } else { for j in 0..<m { wv[j] = w[Int(rows[j])] } }
        } else {
          wv.initialize(repeating: 1)
        }
        Self.add(idx, wv, into: &p.total)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: m) { pv in
          for c in passCuts.indices {
            // The weight where the row passes, else 0 (branch-free; a NaN
            // weight of a failing row stays out of the sums).
            let flag = batch.conditions[c]
            var n = 0
            for j in 0..<m {
              let f = flag[dense ? j : Int(rows[j])]
              pv[j] = f ? wv[j] : 0
              n &+= Int(unsafeBitCast(f, to: UInt8.self))
            }
            Self.add(idx, UnsafeMutableBufferPointer(rebasing: pv[0..<m]), into: &p.pass[c], entries: n)
          }
        }
      }
    }
  }

  /// Adds weights `wv` at flat bins `idx` to `h` (Σw and Σw²).
  static func add(
    _ idx: UnsafeMutableBufferPointer<Int32>, _ wv: UnsafeMutableBufferPointer<Double>,
    into h: inout HistogramAggregate.Partial, entries: Int? = nil
  ) {
    let m = wv.count
    h.sumW.withUnsafeMutableBufferPointer { sw in
      h.sumW2.withUnsafeMutableBufferPointer { sw2 in
        for j in 0..<m {
          let k = Int(idx[j])
          let x = wv[j]
          sw[k] += x
          sw2[k] += x * x
        }
      }
    }
    h.entries += entries ?? m
  }

  public func merge(_ other: Partial, into p: inout Partial) {
    histogram.merge(other.total, into: &p.total)
    for c in passCuts.indices { histogram.merge(other.pass[c], into: &p.pass[c]) }
  }

  public func finish(_ p: Partial) -> Result {
    let total = histogram.finish(p.total)
    let cuts = zip(passCuts, p.pass).map { cut, partial -> Efficiency in
      let pass = histogram.finish(partial)
      var eff: [Double] = []
      var err: [Double] = []
      for k in total.sumW.indices {
        let (e, s) = Self.efficiency(
          passW: pass.sumW[k], passW2: pass.sumW2[k], totalW: total.sumW[k], totalW2: total.sumW2[k],
          jeffreysFloor: jeffreysFloor)
        eff.append(e)
        err.append(s)
      }
      return Efficiency(cut: cut, pass: pass, efficiency: eff, error: err)
    }
    return Result(total: total, cuts: cuts)
  }

  /// ε and σ_ε of one bin from its sums.
  public static func efficiency(
    passW: Double, passW2: Double, totalW: Double, totalW2: Double, jeffreysFloor: Bool = false
  ) -> (Double, Double) {
    guard totalW != 0 else { return (.nan, .nan) }
    let e = passW / totalW
    var variance = abs((1 - 2 * e) * passW2 + e * e * totalW2) / (totalW * totalW)
    if jeffreysFloor, totalW2 > 0 {
      let nEff = totalW * totalW / totalW2
      let k = min(max(e, 0), 1) * nEff
      let p = (k + 0.5) / (nEff + 1)
      variance = max(variance, p * (1 - p) / nEff)
    }
    return (e, variance.squareRoot())
  }
}
