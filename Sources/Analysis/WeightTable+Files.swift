import ColumnStore
import Foundation
import Modes

extension WeightTable {
  /// The HID-style CSV (`docs/tables.md`): bin limits `<var>_min,<var>_max`
  /// ([min, max)), the cut (`variable`, `threshold`), `data_MC_ratio` with its
  /// four uncertainties, the data and MC efficiencies with theirs, then
  /// `precut`, `cut` and `flags`. PIDVar/SysVar read it as it is (extra
  /// columns are ignored); `pidvarCSV` is the minimal form.
  public func csv() -> String {
    var header = axes.flatMap { ["\($0.variable)_min", "\($0.variable)_max"] } + ["variable", "threshold"]
    header += Self.ratioColumns + [
      "data_efficiency", "data_uncertainty_stat_up", "data_uncertainty_stat_dn", "data_uncertainty_sys_up",
      "data_uncertainty_sys_dn", "MC_efficiency", "MC_uncertainty_stat_up", "MC_uncertainty_stat_dn",
      "MC_uncertainty_sys_up", "MC_uncertainty_sys_dn", "precut", "cut", "flags",
    ]
    var lines = [header.joined(separator: ",")]
    for t in tables {
      for b in t.bins {
        let dataSys = b.dataEfficiencySystematic.map { abs($0 - b.dataEfficiency) } ?? 0
        var cells = limits(b) + [CSVText.quoted(t.variable ?? t.cut), t.threshold.map(CSVText.number) ?? ""]
        cells += [b.ratio, b.statUp, b.statDown, b.sysUp, b.sysDown].map(CSVText.number)
        cells += [b.dataEfficiency, b.dataError, b.dataError, dataSys, dataSys].map(CSVText.number)
        cells += [b.mcEfficiency, b.mcErrorHigh, b.mcErrorLow, 0, 0].map(CSVText.number)
        cells += [CSVText.quoted(t.precut), CSVText.quoted(t.cut), b.flags.joined(separator: ";")]
        lines.append(cells.joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static let ratioColumns = [
    "data_MC_ratio", "data_MC_uncertainty_stat_up", "data_MC_uncertainty_stat_dn", "data_MC_uncertainty_sys_up",
    "data_MC_uncertainty_sys_dn",
  ]

  func limits(_ b: Bin) -> [String] { zip(b.lower, b.upper).flatMap { [CSVText.number($0), CSVText.number($1)] } }

  /// The table PIDVar/SysVar applies (`add_pid_weight_columns`): per bin
  /// `<var>_min`, `<var>_max`, `variable`, `threshold`, `data_MC_ratio` and
  /// the four absolute uncertainties. Bins without a ratio (empty data or
  /// MC, zero MC efficiency) get ratio 1 with zero uncertainties, as PIDVar
  /// fills unmatched tracks; `csv()` flags them.
  /// - Throws: `WeightTableError.severalPrecuts` (PIDVar tables have no
  ///   precut column: bin in the variable instead, e.g. `--bin charge=-2,0,2`),
  ///   `.noThreshold` for a cut that is not `VAR > T`.
  public func pidvarCSV() throws -> String {
    guard Set(tables.map(\.precut)).count == 1, tables.first?.precut.isEmpty ?? true else {
      throw WeightTableError.severalPrecuts
    }
    let header = axes.flatMap { ["\($0.variable)_min", "\($0.variable)_max"] } + ["variable", "threshold"] + Self.ratioColumns
    var lines = [header.joined(separator: ",")]
    for t in tables {
      guard let variable = t.variable, let threshold = t.threshold else { throw WeightTableError.noThreshold(cut: t.cut) }
      for b in t.bins {
        let valid = b.ratio.isFinite
        let values = valid ? [b.ratio, b.statUp, b.statDown, b.sysUp, b.sysDown] : [1, 0, 0, 0, 0]
        lines.append((limits(b) + [CSVText.quoted(variable), CSVText.number(threshold)] + values.map(CSVText.number)).joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// basf2's `ParticleWeightingLookUpCreator` parameters, one object per
  /// cut: `tableName`, `tableIDSpec` (`[[weightInfo, {axis: [min, max]}],
  /// binID]`, bins [min, max) as the module looks them up) and
  /// `outOfRangeWeight`. The weight info has `Weight`, `StatErr`, `SystErr`
  /// (the larger of up/down), the LID payload keys `data_MC_ratio`,
  /// `data_MC_uncertainty_{stat,sys}_{up,dn}`, `threshold`, and `valid`
  /// (0 where the bin has no ratio, or outside the table: Weight 1 there).
  public func particleWeighting(tableName prefix: String) throws -> [ParticleWeightingTable] {
    guard Set(tables.map(\.precut)).count == 1, tables.first?.precut.isEmpty ?? true else {
      throw WeightTableError.severalPrecuts
    }
    return tables.map { t in
      // `kaonID`, 0.2 → PREFIX_kaonID_0p2
      let threshold = t.threshold.map { "_" + CSVText.number($0).replacingOccurrences(of: ".", with: "p").replacingOccurrences(of: "-", with: "m") } ?? ""
      let name = prefix + "_" + VariableNames.sanitize(t.variable ?? t.cut) + threshold
      let entries = t.bins.enumerated().map { id, b -> ParticleWeightingTable.Entry in
        let valid = b.ratio.isFinite
        var info: [String: Double] = [
          "Weight": valid ? b.ratio : 1, "StatErr": valid ? max(b.statUp, b.statDown) : 0,
          "SystErr": valid ? max(b.sysUp, b.sysDown) : 0, "valid": valid ? 1 : 0,
        ]
        for (key, value) in zip(Self.ratioColumns, [b.ratio, b.statUp, b.statDown, b.sysUp, b.sysDown]) {
          info[key] = valid ? value : (key == "data_MC_ratio" ? 1 : 0)
        }
        if let th = t.threshold { info["threshold"] = th }
        let bin = Dictionary(uniqueKeysWithValues: zip(axes, zip(b.lower, b.upper)).map { ($0.variable, [$1.0, $1.1]) })
        return .init(info: info, bin: bin, id: id)
      }
      var outside: [String: Double] = ["Weight": 1, "StatErr": 0, "SystErr": 0, "valid": 0]
      for key in Self.ratioColumns { outside[key] = key == "data_MC_ratio" ? 1 : 0 }
      if let th = t.threshold { outside["threshold"] = th }
      return ParticleWeightingTable(tableName: name, tableIDSpec: entries, outOfRangeWeight: outside)
    }
  }

  /// Writes the full table by extension: `.csv` (`csv()`), `.json` (this type).
  public func write(to path: String, durable: Bool = false) throws {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "csv": try OutputFile.write(Data(csv().utf8), to: path, durable: durable)
    case "json": try OutputFile.write(try OutputFile.json(self), to: path, durable: durable)
    default: throw WeightTableError.unknownFormat(path: path, known: ["csv", "json"])
    }
  }
}

/// One ParticleWeighting look-up table: the creator module's parameters.
public struct ParticleWeightingTable: Sendable, Codable, Equatable {
  public struct Entry: Sendable, Codable, Equatable {
    public var info: [String: Double]
    /// Axis name → [min, max].
    public var bin: [String: [Double]]
    public var id: Int

    /// `[[info, bin], id]`, as `tableIDSpec` takes it.
    public func encode(to encoder: Encoder) throws {
      var c = encoder.unkeyedContainer()
      var pair = c.nestedUnkeyedContainer()
      try pair.encode(info)
      try pair.encode(bin)
      try c.encode(id)
    }

    public init(info: [String: Double], bin: [String: [Double]], id: Int) {
      self.info = info
      self.bin = bin
      self.id = id
    }

    public init(from decoder: Decoder) throws {
      var c = try decoder.unkeyedContainer()
      var pair = try c.nestedUnkeyedContainer()
      info = try pair.decode([String: Double].self)
      bin = try pair.decode([String: [Double]].self)
      id = try c.decode(Int.self)
    }
  }

  public var tableName: String
  public var tableIDSpec: [Entry]
  public var outOfRangeWeight: [String: Double]
}

