import ColumnStore
import Dispatch
import Numerics
import Query

/// sWeights of a calibration fit as friend columns of its set: for every row
/// of the set, the nominal signal and background sWeights, the signal sWeight
/// of the systematic model, and whether the row entered the fit. Rows outside
/// the fit's selection or range get weight 0 and `in_fit` false — never NaN,
/// so every sum over the set stays finite.
public struct SWeightColumns: Sendable {
  /// sWeights of the nominal fit (species: signal, background).
  public var nominal: SWeights
  /// sWeights of the systematic model's fit.
  public var systematic: SWeights
  /// Wall time of each sPlot computation (nominal, systematic), seconds.
  public var seconds: [Double]

  /// The friend set's name (versions `sweights_v1`, `sweights_v2`, …).
  public static let friendName = "sweights"
  /// The columns: nominal signal, nominal background, systematic signal, the fit flag.
  public static let names = (signal: "sweight", background: "sweight_bkg", systematic: "sweight_syst", inFit: "in_fit")

  /// Computes both sets of sWeights (yields refitted with shapes fixed, V⁻¹ from the explicit sum).
  public init(nominal: ExtendedModel, systematic: ExtendedModel, sample: FitSampleAggregate.Result, threads: Int? = nil) throws {
    let t0 = DispatchTime.now().uptimeNanoseconds
    self.nominal = try SPlot.compute(model: nominal, data: sample.values, weights: sample.weights, workers: threads)
    let t1 = DispatchTime.now().uptimeNanoseconds
    self.systematic = try SPlot.compute(model: systematic, data: sample.values, weights: sample.weights, workers: threads)
    let t2 = DispatchTime.now().uptimeNanoseconds
    seconds = [Double(t1 - t0) * 1e-9, Double(t2 - t1) * 1e-9]
  }

  /// The four columns over all `rowCount` rows of the set, the sample's rows
  /// (`sample.rowNumbers`) filled in.
  public func table(rowCount: Int, sample: FitSampleAggregate.Result) throws -> MemoryTable {
    var signal = [Double](repeating: 0, count: rowCount)
    var background = [Double](repeating: 0, count: rowCount)
    var syst = [Double](repeating: 0, count: rowCount)
    var inFit = [Bool](repeating: false, count: rowCount)
    for (e, row) in sample.rowNumbers.enumerated() {
      let r = Int(row)
      signal[r] = nominal[species: 0, event: e]
      background[r] = nominal[species: 1, event: e]
      syst[r] = systematic[species: 0, event: e]
      inFit[r] = true
    }
    let n = Self.names
    return try MemoryTable(columns: [
      (ColumnInfo(name: n.signal, type: .float64, description: "signal sWeight, nominal model"), .float64(signal)),
      (ColumnInfo(name: n.background, type: .float64, description: "background sWeight, nominal model"), .float64(background)),
      (ColumnInfo(name: n.systematic, type: .float64, description: "signal sWeight, systematic model"), .float64(syst)),
      (ColumnInfo(name: n.inFit, type: .bool, description: "the row entered the mass fit"), .bool(inFit)),
    ])
  }

  /// The sPlot checks, for reports.
  public var checks: SPlotChecks {
    SPlotChecks(nominal: nominal, systematic: systematic, seconds: seconds)
  }
}

/// Both sPlot checks of both models (fits-and-splot §4.3).
public struct SPlotChecks: Sendable, Codable, Equatable {
  public struct Model: Sendable, Codable, Equatable {
    /// Σ_e w_n(e) per species, and the yields that entered the weights.
    public var sumOfWeights: [String: Double]
    public var yields: [String: Double]
    /// max_e |Σ_n w_n(e) − 1| (≈ 0 only at the yields' minimum).
    public var maxUnitSumDeviation: Double
    /// Σ_e w_s² — the signal yield variance with shapes fixed.
    public var signalVariance: Double
    /// Wall time of the sPlot computation (yield refit, V, weights), seconds.
    public var seconds: Double?

    enum CodingKeys: String, CodingKey {
      case sumOfWeights = "sum_of_weights", yields, maxUnitSumDeviation = "max_unit_sum_deviation"
      case signalVariance = "signal_variance", seconds
    }

    init(_ w: SWeights, seconds: Double?) {
      self.seconds = seconds
      sumOfWeights = Dictionary(uniqueKeysWithValues: zip(w.speciesNames, w.sumOfWeights))
      yields = Dictionary(uniqueKeysWithValues: zip(w.speciesNames, w.yields))
      maxUnitSumDeviation = w.maxUnitSumDeviation
      signalVariance = w.covariance[0][0]
    }
  }

  public var nominal: Model
  public var systematic: Model

  init(nominal: SWeights, systematic: SWeights, seconds: [Double]? = nil) {
    self.nominal = Model(nominal, seconds: seconds?[0])
    self.systematic = Model(systematic, seconds: seconds?[1])
  }
}
