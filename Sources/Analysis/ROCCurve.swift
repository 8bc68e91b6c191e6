import Foundation

/// ID efficiency against mis-ID rate over a threshold scan of PID variables
/// (`id_vs_misid_curve.py`), from two efficiency tables with one cut
/// `VAR > t` per variable and threshold: one of the signal tracks, one of
/// the mis-identified species (sWeighted, or truth-selected on simulation).
/// Per kinematic bin when the tables have axes.
///
/// AUC: the curve from (0, 0) through every threshold's point to (1, 1),
/// integrated by trapezoids. That equals P(signal value > mis-ID value) with
/// the values grouped into the intervals between thresholds (ties within an
/// interval count ½; tracks failing every cut, NaN included, below all), so
/// its variance follows by the delta method from the per-interval Σw²
/// (independent tracks; the sWeights' fit uncertainty is not included):
///
///     var(A) = Σ_i ((G_i − A)/W_s)² S_s,i + Σ_j ((H_j − A)/W_m)² S_m,j
///
/// with G_i the mis-ID fraction below signal interval i (½ of its own), H_j
/// the signal fraction above mis-ID interval j (½ of its own).
public struct ROCCurve: Sendable, Codable, Equatable {
  public struct Point: Sendable, Codable, Equatable {
    public var threshold: Double
    public var efficiency: Double
    public var efficiencyError: Double
    public var misID: Double
    public var misIDError: Double

    enum CodingKeys: String, CodingKey {
      case threshold, efficiency
      case efficiencyError = "efficiency_error", misID = "misid", misIDError = "misid_error"
    }
  }

  /// One variable's curve in one kinematic bin.
  public struct Curve: Sendable, Codable, Equatable {
    public var variable: String
    public var lower: [Double]
    public var upper: [Double]
    public var points: [Point]
    public var auc: Double
    public var aucError: Double

    enum CodingKeys: String, CodingKey { case variable, lower, upper, points, auc, aucError = "auc_error" }
  }

  public var signalParticle: String
  public var misIDParticle: String
  public var axes: [EfficiencyTable.Axis]
  public var curves: [Curve]

  enum CodingKeys: String, CodingKey {
    case axes, curves
    case signalParticle = "signal_particle", misIDParticle = "misid_particle"
  }

  /// The cuts a scan needs, in the order `init(signal:misID:variables:thresholds:)` reads them.
  public static func cuts(variables: [String], thresholds: [Double]) -> [String] {
    variables.flatMap { v in thresholds.map { "\(v) > \(CSVText.number($0))" } }
  }

  /// - Precondition: both tables were made with `cuts(variables:thresholds:)`
  ///   and the same axes; thresholds increasing.
  public init(signal: EfficiencyTable, misID: EfficiencyTable, variables: [String], thresholds: [Double]) throws {
    guard signal.axes == misID.axes, signal.tables.count == misID.tables.count,
      signal.tables.count == variables.count * thresholds.count
    else { throw WeightTableError.mismatch }
    signalParticle = signal.particle
    misIDParticle = misID.particle
    axes = signal.axes
    curves = []
    let nBins = signal.tables.first?.bins.count ?? 0
    for (v, variable) in variables.enumerated() {
      for b in 0..<nBins {
        let rows = (0..<thresholds.count).map { v * thresholds.count + $0 }
        let s = rows.map { signal.tables[$0].bins[b] }
        let m = rows.map { misID.tables[$0].bins[b] }
        let points = zip(thresholds, zip(s, m)).map { t, sm in
          Point(threshold: t, efficiency: sm.0.efficiency, efficiencyError: sm.0.error, misID: sm.1.efficiency, misIDError: sm.1.error)
        }
        let (auc, error) = Self.area(signal: s, misID: m)
        curves.append(Curve(variable: variable, lower: s.first?.lower ?? [], upper: s.first?.upper ?? [], points: points, auc: auc, aucError: error))
      }
    }
  }

  /// AUC and its delta-method error from the passing sums at increasing thresholds.
  static func area(signal s: [EfficiencyTable.Bin], misID m: [EfficiencyTable.Bin]) -> (Double, Double) {
    guard let s0 = s.first, let m0 = m.first, s0.totalW != 0, m0.totalW != 0 else { return (.nan, .nan) }
    // intervals from the top: (t_last, ∞), (t_{k−1}, t_k], …, and "fails every cut"
    func intervals(_ bins: [EfficiencyTable.Bin]) -> (w: [Double], w2: [Double]) {
      var w: [Double] = []
      var w2: [Double] = []
      var aboveW = 0.0, aboveW2 = 0.0
      for b in bins.reversed() {
        w.append(b.passW - aboveW)
        w2.append(b.passW2 - aboveW2)
        aboveW = b.passW
        aboveW2 = b.passW2
      }
      w.append(bins[0].totalW - aboveW)
      w2.append(bins[0].totalW2 - aboveW2)
      return (w, w2)
    }
    let (hs, ss) = intervals(s)
    let (hm, sm) = intervals(m)
    let ws = s0.totalW, wm = m0.totalW
    let n = hs.count
    // interval 0 is the highest; signal above mis-ID means a smaller index
    var misBelow = [Double](repeating: 0, count: n)  // G: mis-ID fraction below signal interval i (+½ same)
    var sigAbove = [Double](repeating: 0, count: n)  // H: signal fraction above mis-ID interval j (+½ same)
    var cumulative = 0.0
    for i in stride(from: n - 1, through: 0, by: -1) {
      misBelow[i] = (cumulative + 0.5 * hm[i]) / wm
      cumulative += hm[i]
    }
    cumulative = 0
    for j in 0..<n {
      sigAbove[j] = (cumulative + 0.5 * hs[j]) / ws
      cumulative += hs[j]
    }
    let auc = (0..<n).reduce(0.0) { $0 + hs[$1] * misBelow[$1] } / ws
    var variance = 0.0
    for i in 0..<n {
      let ds = (misBelow[i] - auc) / ws
      let dm = (sigAbove[i] - auc) / wm
      variance += ds * ds * ss[i] + dm * dm * sm[i]
    }
    return (auc, variance.squareRoot())
  }
}

extension ROCCurve {
  /// One line per curve and threshold: `variable`, bin limits `<var>_min,<var>_max`, `threshold`,
  /// `efficiency`, `efficiency_error`, `misid`, `misid_error`, `auc`, `auc_error`.
  public func csv() -> String {
    var header = ["variable"] + axes.flatMap { ["\($0.variable)_min", "\($0.variable)_max"] }
    header += ["threshold", "efficiency", "efficiency_error", "misid", "misid_error", "auc", "auc_error"]
    var lines = [header.joined(separator: ",")]
    for c in curves {
      let limits = zip(c.lower, c.upper).flatMap { [CSVText.number($0), CSVText.number($1)] }
      for p in c.points {
        lines.append(([CSVText.quoted(c.variable)] + limits + [p.threshold, p.efficiency, p.efficiencyError, p.misID, p.misIDError, c.auc, c.aucError].map(CSVText.number)).joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
