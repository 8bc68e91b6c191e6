import Foundation
import Numerics

/// Combining tables of several processings (`process_tables.py`), and
/// comparing two.
///
/// - Efficiency tables merge exactly by summing Σw and Σw² of pass and total
///   per bin (the statistically optimal combination of the same measurement),
///   or, with luminosities L_i, as the L-weighted mean of ε
///   (σ² = Σ (L_i σ_i)² / (Σ L_i)²), e.g. for samples of different run periods.
/// - Weight tables combine by precision (inverse-variance weighted mean of the
///   ratio, the statistical errors in quadrature; the systematic one, fully
///   correlated, with the same weights) or by luminosity (L-weighted).
/// Tables must share axes, cuts and precuts.
public enum TableCombination {
  public enum Method: Sendable, Equatable {
    case precision
    case luminosity([Double])
  }

  /// - Throws: `TableCombinationError` for fewer than one table, differing
  ///   binnings or cuts, or a luminosity count that does not match.
  public static func merge(_ tables: [EfficiencyTable], method: Method = .precision) throws -> EfficiencyTable {
    try check(tables.map { ($0.axes, $0.tables.map { [$0.precut, $0.cut] }) }, method: method)
    var out = tables[0]
    out.sums = nil
    out.entries = tables.reduce(0) { $0 + $1.entries }
    for k in out.tables.indices {
      for b in out.tables[k].bins.indices {
        let bins = tables.map { $0.tables[k].bins[b] }
        var m = bins[0]
        switch method {
        case .precision:
          var tw = CompensatedSum(), tw2 = CompensatedSum(), pw = CompensatedSum(), pw2 = CompensatedSum()
          for x in bins {
            tw.add(x.totalW)
            tw2.add(x.totalW2)
            pw.add(x.passW)
            pw2.add(x.passW2)
          }
          m = EfficiencyTable.bin(
            index: m.index, lower: m.lower, upper: m.upper, totalW: tw.value, totalW2: tw2.value, passW: pw.value,
            passW2: pw2.value, unweighted: tables.allSatisfy(\.unweighted), jeffreysFloor: false)
        case .luminosity(let l):
          let sum = l.reduce(0, +)
          m.efficiency = zip(l, bins).reduce(0) { $0 + $1.0 * $1.1.efficiency } / sum
          m.error = zip(l, bins).reduce(0) { $0 + ($1.0 * $1.1.error) * ($1.0 * $1.1.error) }.squareRoot() / sum
          m.errorLow = zip(l, bins).reduce(0) { $0 + ($1.0 * $1.1.errorLow) * ($1.0 * $1.1.errorLow) }.squareRoot() / sum
          m.errorHigh = zip(l, bins).reduce(0) { $0 + ($1.0 * $1.1.errorHigh) * ($1.0 * $1.1.errorHigh) }.squareRoot() / sum
          m.totalW = bins.reduce(0) { $0 + $1.totalW }
          m.totalW2 = bins.reduce(0) { $0 + $1.totalW2 }
          m.passW = bins.reduce(0) { $0 + $1.passW }
          m.passW2 = bins.reduce(0) { $0 + $1.passW2 }
          m.flags = Array(Set(bins.flatMap(\.flags))).sorted()
        }
        out.tables[k].bins[b] = m
      }
      out.tables[k].outsideW = tables.reduce(0) { $0 + $1.tables[k].outsideW }
    }
    return out
  }

  public static func merge(_ tables: [WeightTable], method: Method = .precision) throws -> WeightTable {
    try check(tables.map { ($0.axes, $0.tables.map { [$0.precut, $0.cut] }) }, method: method)
    var out = tables[0]
    for k in out.tables.indices {
      for b in out.tables[k].bins.indices {
        let bins = tables.map { $0.tables[k].bins[b] }
        let weights: [Double]
        switch method {
        case .precision:
          weights = bins.map { x in
            let s = max(x.statUp, x.statDown)
            return x.ratio.isFinite && s > 0 ? 1 / (s * s) : 0
          }
        case .luminosity(let l): weights = zip(l, bins).map { $1.ratio.isFinite ? $0 : 0 }
        }
        let sum = weights.reduce(0, +)
        var m = bins[0]
        guard sum > 0 else {
          m.ratio = .nan
          m.flags = Array(Set(bins.flatMap(\.flags) + ["no_ratio"])).sorted()
          out.tables[k].bins[b] = m
          continue
        }
        func mean(_ f: (WeightTable.Bin) -> Double) -> Double {
          zip(weights, bins).reduce(0) { $1.0 > 0 ? $0 + $1.0 * f($1.1) : $0 } / sum
        }
        func quadrature(_ f: (WeightTable.Bin) -> Double) -> Double {
          zip(weights, bins).reduce(0) { $1.0 > 0 ? $0 + ($1.0 * f($1.1)) * ($1.0 * f($1.1)) : $0 }.squareRoot() / sum
        }
        m.ratio = mean(\.ratio)
        m.statUp = quadrature(\.statUp)
        m.statDown = quadrature(\.statDown)
        m.sysUp = mean(\.sysUp)
        m.sysDown = mean(\.sysDown)
        m.dataEfficiency = mean(\.dataEfficiency)
        m.dataError = quadrature(\.dataError)
        m.dataEfficiencySystematic = bins.allSatisfy { $0.dataEfficiencySystematic != nil } ? mean { $0.dataEfficiencySystematic! } : nil
        m.mcEfficiency = mean(\.mcEfficiency)
        m.mcErrorLow = quadrature(\.mcErrorLow)
        m.mcErrorHigh = quadrature(\.mcErrorHigh)
        m.flags = Array(Set(bins.flatMap(\.flags))).sorted()
        out.tables[k].bins[b] = m
      }
    }
    return out
  }

  static func check(_ shapes: [([EfficiencyTable.Axis], [[String]])], method: Method) throws {
    guard let first = shapes.first else { throw TableCombinationError.noTables }
    for (i, s) in shapes.enumerated().dropFirst() {
      guard s.0 == first.0 else { throw TableCombinationError.differentBins(index: i) }
      guard s.1 == first.1 else { throw TableCombinationError.differentCuts(index: i) }
    }
    if case .luminosity(let l) = method {
      guard l.count == shapes.count else { throw TableCombinationError.luminosityCount(given: l.count, tables: shapes.count) }
      guard l.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw TableCombinationError.badLuminosity }
    }
  }
}

/// Two tables of the same kind compared bin by bin: A − B or A / B of the
/// efficiencies (efficiency tables) or of the data/MC ratios (weight tables),
/// with statistical errors in quadrature (independent samples).
public struct TableComparison: Sendable, Codable, Equatable {
  public enum Operation: String, Sendable, Codable { case difference, ratio }

  public struct Bin: Sendable, Codable, Equatable {
    public var lower: [Double]
    public var upper: [Double]
    public var a: Double
    public var aError: Double
    public var b: Double
    public var bError: Double
    public var value: Double
    public var error: Double

    enum CodingKeys: String, CodingKey { case lower, upper, a, b, value, error, aError = "a_error", bError = "b_error" }
  }

  public struct Entry: Sendable, Codable, Equatable {
    public var precut: String
    public var cut: String
    public var bins: [Bin]
  }

  public var operation: Operation
  public var axes: [EfficiencyTable.Axis]
  public var tables: [Entry]

  /// Per bin (value, error) of the compared quantity of each table.
  public init(
    _ operation: Operation, axes: [EfficiencyTable.Axis], a: [(precut: String, cut: String, bins: [([Double], [Double], Double, Double)])],
    b: [(precut: String, cut: String, bins: [([Double], [Double], Double, Double)])]
  ) throws {
    guard a.map({ [$0.precut, $0.cut] }) == b.map({ [$0.precut, $0.cut] }),
      zip(a, b).allSatisfy({ $0.bins.count == $1.bins.count })
    else { throw TableCombinationError.differentCuts(index: 1) }
    self.operation = operation
    self.axes = axes
    tables = zip(a, b).map { ta, tb in
      Entry(precut: ta.precut, cut: ta.cut, bins: zip(ta.bins, tb.bins).map { x, y in
        let (value, error): (Double, Double)
        switch operation {
        case .difference: (value, error) = (x.2 - y.2, (x.3 * x.3 + y.3 * y.3).squareRoot())
        case .ratio:
          let r = x.2 / y.2
          (value, error) = (r, abs(r) * ((x.3 / x.2) * (x.3 / x.2) + (y.3 / y.2) * (y.3 / y.2)).squareRoot())
        }
        return Bin(lower: x.0, upper: x.1, a: x.2, aError: x.3, b: y.2, bError: y.3, value: value, error: error)
      })
    }
  }

  public init(_ operation: Operation, _ a: EfficiencyTable, _ b: EfficiencyTable) throws {
    guard a.axes == b.axes else { throw TableCombinationError.differentBins(index: 1) }
    func values(_ t: EfficiencyTable) -> [(precut: String, cut: String, bins: [([Double], [Double], Double, Double)])] {
      t.tables.map { ($0.precut, $0.cut, $0.bins.map { ($0.lower, $0.upper, $0.efficiency, $0.error) }) }
    }
    try self.init(operation, axes: a.axes, a: values(a), b: values(b))
  }

  public init(_ operation: Operation, _ a: WeightTable, _ b: WeightTable) throws {
    guard a.axes == b.axes else { throw TableCombinationError.differentBins(index: 1) }
    func values(_ t: WeightTable) -> [(precut: String, cut: String, bins: [([Double], [Double], Double, Double)])] {
      t.tables.map { ($0.precut, $0.cut, $0.bins.map { ($0.lower, $0.upper, $0.ratio, max($0.statUp, $0.statDown)) }) }
    }
    try self.init(operation, axes: a.axes, a: values(a), b: values(b))
  }

  /// `<var>_min,<var>_max`, `precut, cut, a, a_error, b, b_error, value, error` per bin.
  public func csv() -> String {
    var lines = [(axes.flatMap { ["\($0.variable)_min", "\($0.variable)_max"] } + [
      "precut", "cut", "a", "a_error", "b", "b_error", "value", "error",
    ]).joined(separator: ",")]
    for t in tables {
      for b in t.bins {
        let limits = zip(b.lower, b.upper).flatMap { [CSVText.number($0), CSVText.number($1)] }
        lines.append((limits + [CSVText.quoted(t.precut), CSVText.quoted(t.cut)]
          + [b.a, b.aError, b.b, b.bError, b.value, b.error].map(CSVText.number)).joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

public enum TableCombinationError: Error, Sendable, Equatable {
  case noTables
  /// Table `index` (0-based) has other axes or edges than the first.
  case differentBins(index: Int)
  case differentCuts(index: Int)
  case luminosityCount(given: Int, tables: Int)
  case badLuminosity
}
