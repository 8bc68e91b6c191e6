import ColumnStore
import Foundation
import Yams

/// A normalised shape of a mass-like observable (see fits-and-splot.md §1).
///
/// `kind` and the parameter names:
/// * `gaussian`: `mu`, `sigma`
/// * `doubleGaussian`: `mu`, `sigma1`, `sigma2` (σ₁ < σ₂), `f` (fraction of the σ₁ Gaussian)
/// * `johnsonSU`: `mu`, `lambda`, `gamma`, `delta`
/// * `johnsonSU+gaussian`: `mu` (common), `lambda`, `gamma`, `delta`, `sigma`,
///   `fJohnson` (fraction of the Johnson component)
/// * `chebychev`: `c1` … `cn` (order n = number of coefficients), mapped on the range
/// * `threshold`: `m0`, `power`: g(x) = (x − m0)^power for x > m0 (a ΔM background)
public struct ShapeModel: Sendable, Equatable, Codable {
  public var kind: String
  /// Start values of a fit (the generator's true values).
  public var parameters: [String: Double]
  /// Fit limits [lo, hi] of some parameters (the others get defaults from the fitter).
  public var limits: [String: [Double]]
  /// Parameters held at their value in a fit.
  public var fixed: Set<String>

  public init(kind: String, parameters: [String: Double], limits: [String: [Double]] = [:], fixed: Set<String> = []) {
    self.kind = kind
    self.parameters = parameters
    self.limits = limits
    self.fixed = fixed
  }

  /// Every `kind` a fit or the generator understands.
  public static let knownKinds = [
    "gaussian", "doubleGaussian", "johnsonSU", "johnsonSU+gaussian", "chebychev", "exponential",
    "polynomial", "crystalBall", "doubleSidedCrystalBall", "argus", "bifurcatedGaussian", "threshold",
  ]

  /// The parameters a kind requires (Chebychev: at least `c1`).
  public static func requiredParameters(_ kind: String) -> [String] {
    switch kind {
    case "gaussian": ["mu", "sigma"]
    case "doubleGaussian": ["mu", "sigma1", "sigma2", "f"]
    case "johnsonSU": ["mu", "lambda", "gamma", "delta"]
    case "johnsonSU+gaussian": ["mu", "lambda", "gamma", "delta", "sigma", "fJohnson"]
    case "chebychev": ["c1"]
    case "threshold": ["m0", "power"]
    case "exponential": ["c"]
    case "crystalBall": ["m0", "sigma", "alpha", "n"]
    case "doubleSidedCrystalBall": ["m0", "sigma", "alphaL", "nL", "alphaR", "nR"]
    case "argus": ["m0", "c"]
    case "bifurcatedGaussian": ["mu", "sigmaL", "sigmaR"]
    case "polynomial": ["a0"]
    default: []
    }
  }

  /// Chebychev coefficients c1…cn in order.
  public var chebychevCoefficients: [Double] {
    var c: [Double] = []
    while let v = parameters["c\(c.count + 1)"] { c.append(v) }
    return c
  }

  public subscript(_ name: String) -> Double { parameters[name] ?? .nan }

  /// The parameter names in a fixed order: the kind's documented order, then
  /// the rest by length and name (`c1 … c10`), so that files are reproducible.
  public var orderedParameterNames: [String] {
    let documented = ShapeModel.requiredParameters(kind).filter { parameters[$0] != nil }
    return documented + parameters.keys.filter { !documented.contains($0) }.sorted { ($0.count, $0) < ($1.count, $1) }
  }

  enum CodingKeys: String, CodingKey { case kind, parameters }

  struct ParameterKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  /// A parameter in YAML: a number (a start value), or a mapping with
  /// `value`, optional `limits: [lo, hi]` and `fixed: true`.
  struct ParameterSetting: Codable {
    var value: Double
    var limits: [Double]?
    var fixed: Bool?
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    kind = try c.decode(String.self, forKey: .kind)
    let p = try c.nestedContainer(keyedBy: ParameterKey.self, forKey: .parameters)
    parameters = [:]
    limits = [:]
    fixed = []
    for key in p.allKeys {
      if let v = try? p.decode(Double.self, forKey: key) {
        parameters[key.stringValue] = v
        continue
      }
      let setting = try p.decode(ParameterSetting.self, forKey: key)
      parameters[key.stringValue] = setting.value
      if let l = setting.limits { limits[key.stringValue] = l }
      if setting.fixed == true { fixed.insert(key.stringValue) }
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    var p = c.nestedContainer(keyedBy: ParameterKey.self, forKey: .parameters)
    for key in orderedParameterNames {
      let k = ParameterKey(stringValue: key)
      if limits[key] == nil && !fixed.contains(key) {
        try p.encode(parameters[key]!, forKey: k)
      } else {
        try p.encode(ParameterSetting(value: parameters[key]!, limits: limits[key], fixed: fixed.contains(key) ? true : nil), forKey: k)
      }
    }
  }

  /// Checks limits and fixed flags; `path` locates errors (`Dst.fit.signal`).
  func validateFitSettings(path: String) throws {
    for (name, l) in limits.sorted(by: { $0.key < $1.key }) {
      let at = "\(path).parameters.\(name)"
      guard parameters[name] != nil else {
        throw ColumnStoreError(.invalidInput, path: at, "limits for a parameter the shape does not have")
      }
      guard l.count == 2, l.allSatisfy(\.isFinite) else {
        throw ColumnStoreError(.invalidInput, path: at, "limits must be [lo, hi] (two finite numbers)")
      }
      guard l[0] < l[1] else { throw ColumnStoreError(.invalidInput, path: at, "lower limit above upper limit") }
      guard (l[0]...l[1]).contains(parameters[name]!) else {
        throw ColumnStoreError(.invalidInput, path: at, "value \(parameters[name]!) outside its limits [\(l[0]), \(l[1])]")
      }
    }
    for name in fixed.sorted() where parameters[name] == nil {
      throw ColumnStoreError(.invalidInput, path: "\(path).parameters.\(name)", "fixed flag for a parameter the shape does not have")
    }
  }
}

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

/// One selected particle of a calibration mode.
public struct ModeParticle: Sendable, Equatable, Codable {
  /// A short role name (`K`, `pi`, `pi_slow`, `D0`, `head`), used as the key
  /// of a user prefix map.
  public var role: String
  /// The default column prefix from `create_aliases_for_selected` without the
  /// trailing `_` (`D0_K`); empty for the selected head.
  public var prefix: String
  /// The evt.pdl name in the decay string (`K-`).
  public var name: String
  /// The PDG code of the particle as written in the decay string (`-321` for `K-`).
  /// In signal, a track's true particle (charge conjugation flips the sign).
  public var pdg: Int
  /// Whether it is a charged track (gets kinematics, track quality and PID).
  public var isTrack: Bool
  /// basf2 variables written for it, in column order.
  public var variables: [String]

  enum CodingKeys: String, CodingKey {
    case role, prefix, name, pdg, isTrack = "is_track", variables
  }

  public init(role: String, prefix: String, name: String, pdg: Int, isTrack: Bool, variables: [String]) {
    self.role = role
    self.prefix = prefix
    self.name = name
    self.pdg = pdg
    self.isTrack = isTrack
    self.variables = variables
  }
}

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
      let at = "\(name).\(label)"
      guard m.range.count == 2, m.range[0] < m.range[1] else {
        throw ColumnStoreError(.invalidInput, path: "\(at).range", "range must be [lo, hi] with lo < hi")
      }
      var shapes = [("signal", m.signal), ("background", m.background)]
      if let alt = m.systematic {
        guard alt.signal != nil || alt.background != nil else {
          throw ColumnStoreError(.invalidInput, path: "\(at).systematic", "an alternative model needs a signal or a background shape")
        }
        shapes += [("systematic.signal", alt.signal), ("systematic.background", alt.background)].compactMap { l, s in s.map { (l, $0) } }
      }
      for (species, shape) in shapes {
        try Self.validate(shape, path: "\(at).\(species)")
      }
      let names = Set([m.signal, m.background].flatMap { $0.parameters.keys })
      for (k, start) in m.starts.enumerated() {
        for key in start.keys.sorted() where !names.contains(key) {
          let hint = NameSuggestions.didYouMean(NameSuggestions.suggestions(for: key, in: names.sorted())).first.map { " (\($0))" } ?? ""
          throw ColumnStoreError(.invalidInput, path: "\(at).starts[\(k)].\(key)", "not a parameter of the model\(hint)")
        }
      }
    }
  }

  /// Checks one shape: known kind, required parameters, Chebychev order, limits.
  static func validate(_ shape: ShapeModel, path: String) throws {
    guard ShapeModel.knownKinds.contains(shape.kind) else {
      let hint = NameSuggestions.closest(to: shape.kind, in: ShapeModel.knownKinds).map { "; did you mean '\($0)'?" } ?? ""
      throw ColumnStoreError(.invalidInput, path: "\(path).kind",
        "unknown shape kind '\(shape.kind)' (known: \(ShapeModel.knownKinds.joined(separator: ", ")))\(hint)")
    }
    for req in ShapeModel.requiredParameters(shape.kind) where shape.parameters[req] == nil {
      throw ColumnStoreError(.invalidInput, path: "\(path).parameters", "shape '\(shape.kind)' needs parameter '\(req)'")
    }
    if shape.kind == "chebychev" {
      let order = shape.chebychevCoefficients.count
      guard order <= 8, order == shape.parameters.count else {
        throw ColumnStoreError(.invalidInput, path: "\(path).parameters", "a Chebychev shape takes c1 … cn without gaps, n ≤ 8")
      }
    }
    try shape.validateFitSettings(path: path)
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
      throw ColumnStoreError(.invalidInput, path: path, "cannot decode calibration mode from \(path): \(error)")
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

// MARK: - The four built-in modes

extension CalibrationMode {
  static let ksTrack = [
    "p", "pt", "cosTheta", "theta", "phi", "charge", "dr", "dz", "nCDCHits", "pionID", "kaonID",
    "electronID", "muonID", "binaryPID(211, 321)", "protonID", "isSignal", "mcPDG",
  ]

  /// D*+ → D0(→ K− π+) π+.
  public static let dst = CalibrationMode(
    name: "Dst", shortName: "dst", title: "D*+ -> D0(-> K- pi+) pi+",
    decayString: "^D*+ -> [^D0 -> ^K- ^pi+] ^pi+",
    particles: [
      ModeParticle(role: "Dst", prefix: "", name: "D*+", pdg: 413, isTrack: false, variables: [
        "M", "dM", "Q", "p", "cosTheta", "isSignal", "mcErrors", "chiProb", "massDifference(0)",
        "useCMSFrame(p)",
      ]),
      ModeParticle(role: "D0", prefix: "D0", name: "D0", pdg: 421, isTrack: false, variables: [
        "M", "InvM", "dM", "p", "cosTheta", "isSignal", "chiProb", "flightDistance",
        "significanceOfDistance",
      ]),
      ModeParticle(role: "K", prefix: "D0_K", name: "K-", pdg: -321, isTrack: true, variables: [
        "p", "pt", "cosTheta", "theta", "phi", "charge", "dr", "dz", "nCDCHits",
        "kaonID", "pionID", "binaryPID(321, 211)", "pidProbabilityExpert(321, TOP)",
        "pidLogLikelihoodValueExpert(321, CDC)", "electronID", "muonID", "protonID",
        "isSignal", "mcPDG", "PDG",
      ]),
      ModeParticle(role: "pi", prefix: "D0_pi", name: "pi+", pdg: 211, isTrack: true, variables: [
        "p", "pt", "cosTheta", "charge", "dr", "dz", "nCDCHits", "pionID", "kaonID",
        "binaryPID(211, 321)", "electronID", "muonID", "protonID", "isSignal", "mcPDG",
      ]),
      ModeParticle(role: "pi_slow", prefix: "pi", name: "pi+", pdg: 211, isTrack: true, variables: [
        "p", "pt", "cosTheta", "charge", "dr", "dz", "nCDCHits", "pionID", "kaonID", "electronID",
        "muonID", "protonID", "isSignal", "mcPDG",
      ]),
    ],
    selection: "D0_K_dr < 2 && abs(D0_K_dz) < 4 && D0_K_nCDCHits > 20"
      + " && D0_pi_dr < 2 && abs(D0_pi_dz) < 4 && D0_pi_nCDCHits > 20"
      + " && pi_dr < 2 && abs(pi_dz) < 4 && pi_nCDCHits > 20"
      + " && useCMSFrame__bop__bc > 2.5"
      + " && 0.1439 < massDifference__bo0__bc < 0.1469"
      + " && 1.8 < D0_M < 1.95",
    fit: MassModel(
      column: "D0_M", variable: "M", range: [1.80, 1.95],
      signal: ShapeModel(kind: "doubleGaussian",
                         parameters: ["mu": 1.86484, "sigma1": 0.0055, "sigma2": 0.0120, "f": 0.70],
                         limits: ["mu": [1.85, 1.88], "sigma1": [0.001, 0.02], "sigma2": [0.004, 0.05], "f": [0, 1]]),
      background: ShapeModel(kind: "chebychev", parameters: ["c1": -0.20, "c2": 0.05],
                             limits: ["c1": [-1, 1], "c2": [-1, 1]]),
      systematic: AlternativeModel(
        signal: ShapeModel(kind: "gaussian", parameters: ["mu": 1.86484, "sigma": 0.007],
                           limits: ["mu": [1.85, 1.88], "sigma": [0.001, 0.05]]),
        background: ShapeModel(kind: "chebychev", parameters: ["c1": -0.20, "c2": 0.05, "c3": 0],
                               limits: ["c1": [-1, 1], "c2": [-1, 1], "c3": [-1, 1]]))),
    auxiliary: [
      MassModel(
        column: "massDifference__bo0__bc", variable: "massDifference(0)", range: [0.13957, 0.16],
        signal: ShapeModel(kind: "gaussian", parameters: ["mu": 0.14543, "sigma": 0.00035]),
        background: ShapeModel(kind: "threshold", parameters: ["m0": 0.13957, "power": 0.5])),
    ],
    signalFraction: 0.60,
    notes: """
      Head columns are bare basf2 names escaped by makeROOTCompatible: useCMSFrame(p) -> \
      useCMSFrame__bop__bc (p* of the D*), massDifference(0) -> massDifference__bo0__bc \
      (Delta M = M(D*) - M(D0)); dM is M - m_PDG(D*) and Q is Delta M - m(pi). The fit is on \
      D0_M; Delta M is generated (Gaussian peak over a sqrt threshold) and cut by the selection. \
      Track roles: K = D0_K, pi = D0_pi, pi_slow = pi.
      """)

  /// Λ0 → p π−.
  public static let lambda0 = CalibrationMode(
    name: "Lambda0", shortName: "lambda", title: "Lambda0 -> p+ pi-",
    decayString: "^Lambda0 -> ^p+ ^pi-",
    particles: [
      ModeParticle(role: "Lambda0", prefix: "", name: "Lambda0", pdg: 3122, isTrack: false, variables: [
        "M", "InvM", "dM", "p", "cosTheta", "flightDistance", "significanceOfDistance",
        "cosAngleBetweenMomentumAndVertexVector", "chiProb", "isSignal",
      ]),
      ModeParticle(role: "p", prefix: "p", name: "p+", pdg: 2212, isTrack: true, variables: [
        "p", "pt", "cosTheta", "theta", "phi", "charge", "dr", "dz", "nCDCHits",
        "protonID", "kaonID", "pionID", "binaryPID(2212, 211)", "binaryPID(2212, 321)",
        "pidProbabilityExpert(2212, TOP)", "electronID", "muonID", "isSignal", "mcPDG", "PDG",
      ]),
      ModeParticle(role: "pi", prefix: "pi", name: "pi-", pdg: -211, isTrack: true, variables: [
        "p", "pt", "cosTheta", "theta", "charge", "dr", "dz", "nCDCHits", "pionID", "protonID",
        "kaonID", "electronID", "muonID", "isSignal", "mcPDG",
      ]),
    ],
    selection: "1.10 < M < 1.13 && flightDistance > 0.5 && significanceOfDistance > 5"
      + " && cosAngleBetweenMomentumAndVertexVector > 0.99"
      + " && p_nCDCHits > 20 && pi_nCDCHits > 20",
    fit: MassModel(
      column: "M", variable: "M", range: [1.10, 1.13],
      signal: ShapeModel(kind: "johnsonSU",
                         parameters: ["mu": 1.11568, "lambda": 0.0016, "gamma": 0.10, "delta": 1.40],
                         limits: ["mu": [1.11, 1.12], "lambda": [0.0002, 0.01], "gamma": [-3, 3], "delta": [0.2, 5]]),
      background: ShapeModel(kind: "chebychev", parameters: ["c1": 0.15, "c2": -0.05],
                             limits: ["c1": [-1, 1], "c2": [-1, 1]]),
      systematic: AlternativeModel(
        signal: ShapeModel(kind: "doubleGaussian",
                           parameters: ["mu": 1.11568, "sigma1": 0.0012, "sigma2": 0.003, "f": 0.6],
                           limits: ["mu": [1.11, 1.12], "sigma1": [0.0003, 0.005], "sigma2": [0.0008, 0.01],
                                    "f": [0, 1]]))),
    signalFraction: 0.70,
    notes: """
      V0 daughters are displaced, so no dr/dz cut; the selection uses the flight distance \
      (cm), its significance and the pointing angle. Track roles: p, pi.
      """)

  /// K_S0 → π+ π−.
  public static let ks = CalibrationMode(
    name: "KS", shortName: "ks", title: "K_S0 -> pi+ pi-",
    decayString: "^K_S0 -> ^pi+ ^pi-",
    particles: [
      ModeParticle(role: "KS", prefix: "", name: "K_S0", pdg: 310, isTrack: false, variables: [
        "M", "InvM", "dM", "p", "cosTheta", "flightDistance", "significanceOfDistance",
        "cosAngleBetweenMomentumAndVertexVector", "chiProb", "isSignal",
      ]),
      ModeParticle(role: "pi_0", prefix: "pi_0", name: "pi+", pdg: 211, isTrack: true, variables: ksTrack),
      ModeParticle(role: "pi_1", prefix: "pi_1", name: "pi-", pdg: -211, isTrack: true, variables: ksTrack),
    ],
    selection: "0.45 < M < 0.55 && flightDistance > 0.5 && significanceOfDistance > 5"
      + " && cosAngleBetweenMomentumAndVertexVector > 0.99"
      + " && pi_0_nCDCHits > 20 && pi_1_nCDCHits > 20",
    fit: MassModel(
      column: "M", variable: "M", range: [0.45, 0.55],
      signal: ShapeModel(kind: "johnsonSU+gaussian", parameters: [
        "mu": 0.497611, "lambda": 0.0040, "gamma": -0.05, "delta": 1.60, "sigma": 0.0028,
        "fJohnson": 0.60,
      ], limits: [
        "mu": [0.49, 0.505], "lambda": [0.0005, 0.02], "gamma": [-3, 3], "delta": [0.2, 5],
        "sigma": [0.0005, 0.01], "fJohnson": [0, 1],
      ]),
      background: ShapeModel(kind: "chebychev", parameters: ["c1": -0.10, "c2": 0.05, "c3": 0.02],
                             limits: ["c1": [-1, 1], "c2": [-1, 1], "c3": [-1, 1]]),
      systematic: AlternativeModel(
        background: ShapeModel(kind: "chebychev", parameters: ["c1": -0.10, "c2": 0.05],
                               limits: ["c1": [-1, 1], "c2": [-1, 1]])),
      starts: [["fJohnson": 0.3, "delta": 1.2], ["fJohnson": 0.85, "delta": 2.0]]),
    signalFraction: 0.80,
    notes: """
      Johnson S_U and Gaussian share the mean mu. Track roles: pi_0 (pi+), pi_1 (pi-).
      """)

  /// τ pair, 3x1 topology: the 1-prong track is the probe.
  public static let tau3x1 = CalibrationMode(
    name: "tau3x1", shortName: "tau3x1", title: "e+e- -> tau+ tau-, tau+ -> 3 prong, tau- -> 1 prong",
    decayString: "vpho -> [tau+ -> ^pi+ ^pi- ^pi+] [tau- -> ^pi-]",
    particles: [
      ModeParticle(role: "tag_pi_0", prefix: "tau_0_pi_0", name: "pi+", pdg: 211, isTrack: true,
                   variables: tauVariables),
      ModeParticle(role: "tag_pi_1", prefix: "tau_0_pi_1", name: "pi-", pdg: -211, isTrack: true,
                   variables: tauVariables),
      ModeParticle(role: "tag_pi_2", prefix: "tau_0_pi_2", name: "pi+", pdg: 211, isTrack: true,
                   variables: tauVariables),
      ModeParticle(role: "probe", prefix: "tau_1_pi", name: "pi-", pdg: -211, isTrack: true,
                   variables: tauVariables),
    ],
    selection: "tau_0_pi_0_dr < 1 && abs(tau_0_pi_0_dz) < 3"
      + " && tau_0_pi_1_dr < 1 && abs(tau_0_pi_1_dz) < 3"
      + " && tau_0_pi_2_dr < 1 && abs(tau_0_pi_2_dz) < 3"
      + " && tau_1_pi_dr < 1 && abs(tau_1_pi_dz) < 3"
      + " && abs(tau_0_pi_0_charge + tau_0_pi_1_charge + tau_0_pi_2_charge + tau_1_pi_charge) < 0.5"
      + " && tau_1_pi_p > 0.5",
    fit: nil,
    signalFraction: 0.92,
    notes: """
      No mass peak and no fit: the vpho head is not selected (no head columns, as in the \
      framework's ntuples). signalFraction is the tau-pair purity; the truth is per track \
      (isSignal, mcPDG). The 1-prong probe is a pion, electron, muon or kaon (tau- -> h nu, \
      l nu nu); the selection asks for tight track quality, zero total charge and p > 0.5 GeV/c.
      """)

  static let tauVariables = [
    "p", "cosTheta", "charge", "dr", "dz", "pionID", "kaonID", "electronID", "muonID", "protonID",
    "isSignal", "mcPDG",
  ]
}
