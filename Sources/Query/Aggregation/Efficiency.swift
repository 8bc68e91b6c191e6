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
  /// The sums: one track, no precut, the pass cuts.
  let table: EfficiencyTableAggregate

  /// - Parameters:
  ///   - axes: pairs of an expression and its axis, in order.
  ///   - pass: the cuts that define passing rows among the selected ones.
  public init(_ axes: [(String, HistogramAxis)], pass: [String], jeffreysFloor: Bool = false) {
    self.histogram = HistogramAggregate(axes)
    self.passCuts = pass
    self.jeffreysFloor = jeffreysFloor
    self.table = EfficiencyTableAggregate(
      axes: axes.map(\.1), tracks: [.init(axes: axes.map(\.0), precuts: [""], cuts: pass)])
  }

  public init(_ axes: [(String, HistogramAxis)], pass: String, jeffreysFloor: Bool = false) {
    self.init(axes, pass: [pass], jeffreysFloor: jeffreysFloor)
  }

  /// The axes.
  public var inputs: [String] { histogram.inputs }
  /// The pass cuts, evaluated as conditions (NaN is false).
  public var conditions: [String] { passCuts }

  public typealias Partial = EfficiencyTableAggregate.Partial

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
  public var partialBytes: Int { table.partialBytes }

  public func makePartial() -> Partial { table.makePartial() }

  public func consume(_ batch: AggregateBatch, into p: inout Partial) { table.consume(batch, into: &p) }

  public func merge(_ other: Partial, into p: inout Partial) { table.merge(other, into: &p) }

  public func finish(_ p: Partial) -> Result {
    let sums = table.finish(p)[0]
    let total = sums.total[0]
    let cuts = zip(passCuts, sums.pass[0]).map { cut, pass -> Efficiency in
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
