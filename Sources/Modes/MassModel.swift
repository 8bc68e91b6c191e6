import ColumnStore
import Foundation
import Numerics
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

  /// Checks the range, every shape (nominal and systematic) and the extra
  /// starts; `at` locates errors (`Dst.fit`, `model.yaml`).
  public func validate(at prefix: String) throws {
    let at = prefix.isEmpty ? "fit" : prefix
    guard range.count == 2, range[0] < range[1] else {
      throw ColumnStoreError(.invalidInput, path: "\(at).range", "range must be [lo, hi] with lo < hi")
    }
    var shapes = [("signal", signal), ("background", background)]
    if let alt = systematic {
      guard alt.signal != nil || alt.background != nil else {
        throw ColumnStoreError(.invalidInput, path: "\(at).systematic", "an alternative model needs a signal or a background shape")
      }
      shapes += [("systematic.signal", alt.signal), ("systematic.background", alt.background)].compactMap { l, s in s.map { (l, $0) } }
    }
    for (species, shape) in shapes {
      try Self.validate(shape, path: "\(at).\(species)")
    }
    let names = Set([signal, background].flatMap { $0.parameters.keys })
    for (k, start) in starts.enumerated() {
      for key in start.keys.sorted() where !names.contains(key) {
        let hint = NameSuggestions.didYouMean(NameSuggestions.suggestions(for: key, in: names.sorted())).first.map { " (\($0))" } ?? ""
        throw ColumnStoreError(.invalidInput, path: "\(at).starts[\(k)].\(key)", "not a parameter of the model\(hint)")
      }
    }
  }

  /// Checks one shape: a kind and parameters that make a `Shape` (names,
  /// values), the Chebychev order, the fit limits and fixed flags.
  static func validate(_ shape: ShapeModel, path: String) throws {
    do {
      _ = try Shape(kind: shape.kind, parameters: shape.parameters)
    } catch let e as ShapeError {
      switch e {
      case .unknownKind(let kind):
        let hint = NameSuggestions.closest(to: kind, in: Shape.knownKinds).map { "; did you mean '\($0)'?" } ?? ""
        throw ColumnStoreError(.invalidInput, path: "\(path).kind",
          "unknown shape kind '\(kind)' (known: \(Shape.knownKinds.joined(separator: ", ")))\(hint)")
      case .missingParameter(_, let name):
        throw ColumnStoreError(.invalidInput, path: "\(path).parameters", "shape '\(shape.kind)' needs parameter '\(name)'")
      case .unexpectedParameter(_, let name):
        let hint = NameSuggestions.closest(to: name, in: ShapeModel.requiredParameters(shape.kind)).map { "; did you mean '\($0)'?" } ?? ""
        throw ColumnStoreError(.invalidInput, path: "\(path).parameters.\(name)",
          "shape '\(shape.kind)' has no parameter '\(name)'\(hint)")
      case .invalidParameter(_, let name, let value, let reason):
        throw ColumnStoreError(.invalidInput, path: "\(path).parameters.\(name)", "value \(value) \(reason)")
      }
    }
    if shape.kind == "chebychev" {
      let order = shape.chebychevCoefficients.count
      guard order <= 8, order == shape.parameters.count else {
        throw ColumnStoreError(.invalidInput, path: "\(path).parameters", "a Chebychev shape takes c1 … cn without gaps, n ≤ 8")
      }
    }
    try shape.validateFitSettings(path: path)
  }
  /// A model file for `syscorr fit --model`: the `fit` mapping of a mode
  /// file (column, variable, range, signal, background, systematic, starts).
  public static func load(contentsOf path: String) throws -> MassModel {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ColumnStoreError(.fileNotFound, path: path, "cannot read model file '\(path)'")
    }
    let model: MassModel
    do {
      model = try YAMLDecoder().decode(MassModel.self, from: String(decoding: data, as: UTF8.self))
    } catch {
      throw ColumnStoreError(.invalidInput, path: path, "\(path): not a mass model (\(YAMLErrorText.describe(error)))")
    }
    do {
      try model.validate(at: "")
    } catch let e as ColumnStoreError {
      // `model.yaml: signal.parameters.sigma1: lower limit above upper limit`
      let key = e.path.hasPrefix("fit.") ? String(e.path.dropFirst(4)) : e.path
      throw ColumnStoreError(e.kind, path: path, "\(path): \(key): \(e.message)")
    }
    return model
  }
}
