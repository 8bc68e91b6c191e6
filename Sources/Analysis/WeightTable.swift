import Foundation

/// Data/MC correction weights of a PID cut per kinematic bin: the ratio of
/// the data efficiency to the simulated one, with statistical uncertainties
/// (data and MC efficiencies' errors in quadrature, relative) and a
/// systematic one (the ratio again with the data's systematic weight — the
/// alternative fit model's sWeights — minus the nominal ratio, symmetric).
///
/// Unweighted simulation brings Clopper–Pearson intervals: the ratio's
/// upward error uses the MC efficiency's downward one and vice versa.
public struct WeightTable: Sendable, Codable, Equatable {
  public struct Bin: Sendable, Codable, Equatable {
    public var index: [Int]
    public var lower: [Double]
    public var upper: [Double]
    public var dataEfficiency: Double
    public var dataError: Double
    /// The data efficiency with the systematic weight; nil without one.
    public var dataEfficiencySystematic: Double?
    public var mcEfficiency: Double
    public var mcErrorLow: Double
    public var mcErrorHigh: Double
    public var ratio: Double
    public var statUp: Double
    public var statDown: Double
    public var sysUp: Double
    public var sysDown: Double
    /// `empty_data`, `empty_mc` (no ratio: NaN), `zero_mc_efficiency`, and the
    /// efficiency tables' flags prefixed `data_`/`mc_`.
    public var flags: [String]

    enum CodingKeys: String, CodingKey {
      case index, lower, upper, ratio, flags
      case dataEfficiency = "data_efficiency", dataError = "data_error"
      case dataEfficiencySystematic = "data_efficiency_systematic"
      case mcEfficiency = "mc_efficiency", mcErrorLow = "mc_error_low", mcErrorHigh = "mc_error_high"
      case statUp = "stat_up", statDown = "stat_down", sysUp = "sys_up", sysDown = "sys_down"
    }
  }

  /// The weights of one precut and cut.
  public struct Entry: Sendable, Codable, Equatable {
    public var precut: String
    public var cut: String
    /// The PID variable and threshold of a cut `VAR > T` or `VAR >= T`
    /// (what PIDVar/SysVar select rows by); nil for other cuts.
    public var variable: String?
    public var threshold: Double?
    public var bins: [Bin]
  }

  public var particle: String
  public var axes: [EfficiencyTable.Axis]
  public var dataWeight: String?
  public var mcWeight: String?
  public var systematicWeight: String?
  public var tables: [Entry]

  enum CodingKeys: String, CodingKey {
    case particle, axes, tables
    case dataWeight = "data_weight", mcWeight = "mc_weight", systematicWeight = "systematic_weight"
  }

  /// Combines the efficiency tables of data, simulation and (optionally) data
  /// with the systematic weight, made by the same request on the same bins.
  /// - Throws: `WeightTableError.mismatch` when the tables differ in bins or cuts.
  public init(data: EfficiencyTable, mc: EfficiencyTable, systematic: EfficiencyTable? = nil) throws {
    guard data.axes == mc.axes, data.tables.map(\.cut) == mc.tables.map(\.cut),
      data.tables.map(\.precut) == mc.tables.map(\.precut),
      systematic.map({ $0.axes == data.axes && $0.tables.map(\.cut) == data.tables.map(\.cut) }) ?? true
    else { throw WeightTableError.mismatch }
    particle = data.particle
    axes = data.axes
    dataWeight = data.weight
    mcWeight = mc.weight
    systematicWeight = systematic?.weight
    tables = []
    for (k, (d, m)) in zip(data.tables, mc.tables).enumerated() {
      let s = systematic?.tables[k]
      let (variable, threshold) = Self.threshold(of: d.cut)
      var bins: [Bin] = []
      for (i, (db, mb)) in zip(d.bins, m.bins).enumerated() {
        bins.append(Self.bin(data: db, mc: mb, systematic: s?.bins[i]))
      }
      tables.append(Entry(precut: d.precut, cut: d.cut, variable: variable, threshold: threshold, bins: bins))
    }
  }

  static func bin(data d: EfficiencyTable.Bin, mc m: EfficiencyTable.Bin, systematic s: EfficiencyTable.Bin?) -> Bin {
    let r = d.efficiency / m.efficiency
    let relData = d.error / d.efficiency
    let up = abs(r) * (relData * relData + (m.errorLow / m.efficiency) * (m.errorLow / m.efficiency)).squareRoot()
    let down = abs(r) * (relData * relData + (m.errorHigh / m.efficiency) * (m.errorHigh / m.efficiency)).squareRoot()
    var sys = 0.0
    if let s { sys = abs(s.efficiency / m.efficiency - r) }
    var flags: [String] = []
    if d.flags.contains("empty") { flags.append("empty_data") }
    if m.flags.contains("empty") { flags.append("empty_mc") }
    if m.efficiency == 0 { flags.append("zero_mc_efficiency") }
    flags += d.flags.filter { $0 != "empty" }.map { "data_" + $0 } + m.flags.filter { $0 != "empty" }.map { "mc_" + $0 }
    return Bin(
      index: d.index, lower: d.lower, upper: d.upper, dataEfficiency: d.efficiency, dataError: d.error,
      dataEfficiencySystematic: s?.efficiency, mcEfficiency: m.efficiency, mcErrorLow: m.errorLow,
      mcErrorHigh: m.errorHigh, ratio: r, statUp: up, statDown: down, sysUp: sys, sysDown: sys, flags: flags)
  }

  /// The tables of one precut, with the precut cleared: what a PIDVar or
  /// ParticleWeighting file of that precut holds (the file name says which).
  public func selecting(precut: String) -> WeightTable {
    var copy = self
    copy.tables = tables.filter { $0.precut == precut }.map { t in
      var t = t
      t.precut = ""
      return t
    }
    return copy
  }

  /// `kaonID > 0.2` → ("kaonID", 0.2); `binaryPID(321, 211) >= 0.5` → ("binaryPID(321, 211)", 0.5).
  static func threshold(of cut: String) -> (String?, Double?) {
    let text = cut.trimmingCharacters(in: .whitespaces)
    for op in [">=", ">"] {
      guard let r = text.range(of: op, options: .backwards) else { continue }
      let lhs = text[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
      let rhs = text[r.upperBound...].trimmingCharacters(in: .whitespaces)
      guard let t = Double(rhs), !lhs.isEmpty, !lhs.contains(where: { "<>=!&|".contains($0) }) else { continue }
      return (lhs, t)
    }
    return (nil, nil)
  }
}

public enum WeightTableError: Error, Sendable, Equatable {
  /// Data, MC and systematic tables must share bins, cuts and precuts.
  case mismatch
  case unknownFormat(path: String, known: [String])
  /// PIDVar and ParticleWeighting tables hold one table per cut, without precuts.
  case severalPrecuts
  /// PIDVar selects rows by variable and threshold: the cut must read `VAR > T`.
  case noThreshold(cut: String)
}
