import ColumnStore
import Foundation
import Numerics
import Yams

/// A calibration mode: the decay, its ntuple columns, default selection and
/// mass model. The four built-ins mirror `schemas/modes/*.yaml`.
public struct CalibrationMode: Sendable, Equatable, Codable {
  /// `Dst`, `Lambda0`, `KS`, `tau3x1`.
  public var name: String
  /// A short lower-case tag for file names (`dst`, `lambda`, `ks`, `tau3x1`).
  public var shortName: String
  public var title: String
  /// The decay string with the selections that name the columns.
  public var decayString: String
  /// The selected particles, in the alias generator's walk order.
  public var particles: [ModeParticle]
  /// The framework's default selection, as a SysCorr cut string.
  public var selection: String
  /// The MC-truth variable of the head (`isSignal`), or of the probe for τ.
  public var truthVariable: String
  /// Variables that exist only in simulation (dropped from data).
  public var mcOnlyVariables: [String]
  /// The mass fit (nil when the mode has no mass peak, e.g. `tau3x1`).
  public var fit: MassModel?
  /// Other generated mass-like observables (D*: ΔM), not fitted by default.
  public var auxiliary: [MassModel]
  /// The true signal fraction among generated candidates (inside the fit range).
  public var signalFraction: Double
  /// √s in GeV.
  public var cmsEnergy: Double
  /// Free text: choices and caveats.
  public var notes: String

  /// YAML keys are snake_case (`decay_string`, `short_name`, `cms_energy`…).
  enum CodingKeys: String, CodingKey {
    case name, shortName = "short_name", title, decayString = "decay_string", particles, selection
    case truthVariable = "truth_variable", mcOnlyVariables = "mc_only_variables", fit, auxiliary
    case signalFraction = "signal_fraction", cmsEnergy = "cms_energy", notes
  }

  public init(name: String, shortName: String, title: String, decayString: String,
              particles: [ModeParticle], selection: String, truthVariable: String = "isSignal",
              mcOnlyVariables: [String] = ["isSignal", "mcErrors", "mcPDG"],
              fit: MassModel?, auxiliary: [MassModel] = [], signalFraction: Double,
              cmsEnergy: Double = 10.58, notes: String = "") {
    self.name = name
    self.shortName = shortName
    self.title = title
    self.decayString = decayString
    self.particles = particles
    self.selection = selection
    self.truthVariable = truthVariable
    self.mcOnlyVariables = mcOnlyVariables
    self.fit = fit
    self.auxiliary = auxiliary
    self.signalFraction = signalFraction
    self.cmsEnergy = cmsEnergy
    self.notes = notes
  }

  // MARK: Columns

  /// The particle with role `role`, if any.
  public func particle(role: String) -> ModeParticle? { particles.first { $0.role == role } }

  /// The track particles (those with PID).
  public var tracks: [ModeParticle] { particles.filter(\.isTrack) }

  /// Alias options turning a user map role → column prefix (`K` → `DST_D0_K_`)
  /// into the alias generator's prefix map. Keys may also be default prefixes.
  public func aliasOptions(prefixMap: [String: String] = [:]) -> AliasOptions {
    var map: [String: String] = [:]
    for (key, value) in prefixMap {
      if let p = particle(role: key) { map[p.prefix] = value } else { map[key] = value }
    }
    return AliasOptions(prefixMap: map)
  }

  /// The physics columns (no counters) for a sample, named by the alias
  /// generator: each selected particle with its own variable list.
  public func columns(isMC: Bool, options: AliasOptions = .default) throws -> [AliasColumn] {
    let selected = try AliasGenerator.selectedParticles(decayString, options: options)
    guard selected.count == particles.count else {
      throw ColumnStoreError(.invalidInput, path: name,
        "mode '\(name)' lists \(particles.count) particles but its decay string selects \(selected.count)")
    }
    let mcOnly = Set(mcOnlyVariables)
    return zip(selected, particles).flatMap { sel, part in
      AliasGenerator.columns(
        variables: part.variables.filter { isMC || !mcOnly.contains($0) }, particle: sel)
    }
  }

  /// Checks internal consistency: the decay string parses, the particles are
  /// the selected ones in walk order with the default prefixes, shapes are known.
  public func validate() throws {
    let selected: [SelectedParticle]
    do {
      selected = try AliasGenerator.selectedParticles(decayString)
    } catch let e as DecayStringError {
      throw ColumnStoreError(.invalidInput, path: "\(name).decayString", e.description)
    }
    guard selected.count == particles.count else {
      throw ColumnStoreError(.invalidInput, path: "\(name).particles",
        "mode '\(name)': the decay string selects \(selected.count) particles, 'particles' lists \(particles.count)")
    }
    for (i, (s, p)) in zip(selected, particles).enumerated() {
      guard s.defaultPrefix == p.prefix else {
        throw ColumnStoreError(.invalidInput, path: "\(name).particles[\(i)].prefix",
          "mode '\(name)': particle \(i) ('\(p.role)') has prefix '\(p.prefix)', the decay string gives '\(s.defaultPrefix)'")
      }
      guard s.name == p.name else {
        throw ColumnStoreError(.invalidInput, path: "\(name).particles[\(i)].name",
          "mode '\(name)': particle \(i) ('\(p.role)') is '\(p.name)', the decay string has '\(s.name)'")
      }
    }
    var roles = Set<String>()
    for p in particles where !roles.insert(p.role).inserted {
      throw ColumnStoreError(.invalidInput, path: "\(name).particles", "mode '\(name)': role '\(p.role)' repeats")
    }
    guard (0...1).contains(signalFraction) else {
      throw ColumnStoreError(.invalidInput, path: "\(name).signalFraction", "signalFraction must be in [0, 1]")
    }
    for (label, m) in ([fit].compactMap { $0 }.map { ("fit", $0) } + auxiliary.enumerated().map { ("auxiliary[\($0)]", $1) }) {
      try m.validate(at: "\(name).\(label)")
    }
  }

  // MARK: YAML

  /// Decodes a mode from YAML (the format of `schemas/modes/*.yaml`) and validates it.
  public static func load(yaml: String, path: String = "<yaml>") throws -> CalibrationMode {
    let mode: CalibrationMode
    do {
      mode = try YAMLDecoder().decode(CalibrationMode.self, from: yaml)
    } catch let e as ColumnStoreError {
      throw e
    } catch {
      throw ColumnStoreError(.invalidInput, path: path, "cannot decode calibration mode from \(path): \(YAMLErrorText.describe(error))")
    }
    try mode.validate()
    return mode
  }

  /// Reads and decodes a mode file.
  public static func load(contentsOf path: String) throws -> CalibrationMode {
    guard let data = FileManager.default.contents(atPath: path),
          let text = String(data: data, encoding: .utf8) else {
      throw ColumnStoreError(.fileNotFound, path: path, "cannot read mode file '\(path)'")
    }
    return try load(yaml: text, path: path)
  }

  /// The mode as YAML (numbers in plain decimal notation where Swift prints them so).
  public func yaml() throws -> String {
    let encoder = YAMLEncoder()
    encoder.options.sortKeys = false
    let text = try encoder.encode(self)
    return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
      // `key: 1.5e-1` or `- 1.5e-1`: rewrite the scalar if it is a number in exponent form
      guard let sep = line.range(of: ": ") ?? line.range(of: "- ") else { return String(line) }
      let value = line[sep.upperBound...]
      guard value.contains("e"), let x = Double(value), x.isFinite else { return String(line) }
      return line[..<sep.upperBound] + "\(x)"
    }.joined(separator: "\n")
  }

  // MARK: Built-ins

  public static let builtins: [CalibrationMode] = [.dst, .lambda0, .ks, .tau3x1]

  /// A built-in mode by name (case-insensitive; also its short name).
  public static func builtin(named name: String) -> CalibrationMode? {
    builtins.first { $0.name.lowercased() == name.lowercased() || $0.shortName == name.lowercased() }
  }
}

/// A decoding error as one line a person can act on: which key is missing or
/// has the wrong type, instead of Swift's `DecodingError` dump.
enum YAMLErrorText {
  static func describe(_ error: any Error) -> String {
    guard let e = error as? DecodingError else { return "\(error)" }
    func path(_ keys: [any CodingKey]) -> String {
      keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }
    switch e {
    case .keyNotFound(let key, let c): return "missing key '\(path(c.codingPath + [key]))'"
    case .typeMismatch(_, let c): return "wrong type at '\(path(c.codingPath))': \(c.debugDescription)"
    case .valueNotFound(_, let c): return "missing value at '\(path(c.codingPath))'"
    case .dataCorrupted(let c): return c.codingPath.isEmpty ? c.debugDescription : "bad value at '\(path(c.codingPath))': \(c.debugDescription)"
    @unknown default: return "\(error)"
    }
  }
}
