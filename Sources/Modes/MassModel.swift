import ColumnStore
import Foundation
import Yams

/// The alternative model of a fit systematic: a species left out keeps the
/// nominal shape (D*: a single Gaussian signal and a Chebychev of another order).
public struct AlternativeModel: Sendable, Equatable, Codable {
  public var signal: ShapeModel?
  public var background: ShapeModel?

  public init(signal: ShapeModel? = nil, background: ShapeModel? = nil) {
    self.signal = signal
    self.background = background
  }
}

/// A mass-like observable with its signal and background shapes.
public struct MassModel: Sendable, Equatable, Codable {
  /// The column, as named by the alias generator (e.g. `D0_M`).
  public var column: String
  /// The basf2 variable (`M`, `massDifference(0)`).
  public var variable: String
  /// The fit range [lo, hi], also the normalisation range and Chebychev mapping.
  public var range: [Double]
  public var unit: String
  public var signal: ShapeModel
  public var background: ShapeModel
  /// The model of the fit systematic (sWeights `…_syst`), if any.
  public var systematic: AlternativeModel?
  /// Extra starting points for multimodal models (parameter → start value,
  /// overriding the nominal starts); the lowest valid minimum is kept.
  public var starts: [[String: Double]]

  public init(column: String, variable: String, range: [Double], unit: String = "GeV",
              signal: ShapeModel, background: ShapeModel, systematic: AlternativeModel? = nil,
              starts: [[String: Double]] = []) {
    self.column = column
    self.variable = variable
    self.range = range
    self.unit = unit
    self.signal = signal
    self.background = background
    self.systematic = systematic
    self.starts = starts
  }

  enum CodingKeys: String, CodingKey { case column, variable, range, unit, signal, background, systematic, starts }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    column = try c.decode(String.self, forKey: .column)
    variable = try c.decode(String.self, forKey: .variable)
    range = try c.decode([Double].self, forKey: .range)
    unit = try c.decodeIfPresent(String.self, forKey: .unit) ?? "GeV"
    signal = try c.decode(ShapeModel.self, forKey: .signal)
    background = try c.decode(ShapeModel.self, forKey: .background)
    systematic = try c.decodeIfPresent(AlternativeModel.self, forKey: .systematic)
    starts = try c.decodeIfPresent([[String: Double]].self, forKey: .starts) ?? []
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(column, forKey: .column)
    try c.encode(variable, forKey: .variable)
    try c.encode(range, forKey: .range)
    try c.encode(unit, forKey: .unit)
    try c.encode(signal, forKey: .signal)
    try c.encode(background, forKey: .background)
    try c.encodeIfPresent(systematic, forKey: .systematic)
    if !starts.isEmpty { try c.encode(starts, forKey: .starts) }
  }

  /// The model with the systematic alternative's shapes in place of the nominal ones.
  public var alternative: MassModel? {
    guard let systematic else { return nil }
    return MassModel(column: column, variable: variable, range: range, unit: unit,
                     signal: systematic.signal ?? signal, background: systematic.background ?? background)
  }

  public var lo: Double { range[0] }
  public var hi: Double { range[1] }
}
