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
  public var parameters: [String: Double]

  public init(kind: String, parameters: [String: Double]) {
    self.kind = kind
    self.parameters = parameters
  }

  public static let knownKinds: Set<String> = [
    "gaussian", "doubleGaussian", "johnsonSU", "johnsonSU+gaussian", "chebychev", "threshold",
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

  enum CodingKeys: String, CodingKey { case kind, parameters }

  struct ParameterKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  /// Encodes the parameters in a fixed order (the kind's documented order,
  /// then the rest sorted), so that files are reproducible.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    var p = c.nestedContainer(keyedBy: ParameterKey.self, forKey: .parameters)
    let documented = ShapeModel.requiredParameters(kind).filter { parameters[$0] != nil }
    let rest = parameters.keys.filter { !documented.contains($0) }.sorted {
      ($0.count, $0) < ($1.count, $1)
    }
    for key in documented + rest {
      try p.encode(parameters[key]!, forKey: ParameterKey(stringValue: key))
    }
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

  public init(column: String, variable: String, range: [Double], unit: String = "GeV",
              signal: ShapeModel, background: ShapeModel) {
    self.column = column
    self.variable = variable
    self.range = range
    self.unit = unit
    self.signal = signal
    self.background = background
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
    for (label, m) in ([fit].compactMap { $0 }.map { ("fit", $0) } + auxiliary.map { ("auxiliary", $0) }) {
      guard m.range.count == 2, m.range[0] < m.range[1] else {
        throw ColumnStoreError(.invalidInput, path: "\(name).\(label).range", "range must be [lo, hi] with lo < hi")
      }
      for shape in [m.signal, m.background] {
        guard ShapeModel.knownKinds.contains(shape.kind) else {
          throw ColumnStoreError(.invalidInput, path: "\(name).\(label)",
            "unknown shape kind '\(shape.kind)' (known: \(ShapeModel.knownKinds.sorted().joined(separator: ", ")))")
        }
        for req in ShapeModel.requiredParameters(shape.kind) where shape.parameters[req] == nil {
          throw ColumnStoreError(.invalidInput, path: "\(name).\(label)", "shape '\(shape.kind)' needs parameter '\(req)'")
        }
        if shape.kind == "chebychev" {
          let order = shape.chebychevCoefficients.count
          guard order <= 8, order == shape.parameters.count else {
            throw ColumnStoreError(.invalidInput, path: "\(name).\(label)",
              "a Chebychev shape takes c1 … cn without gaps, n ≤ 8")
          }
        }
      }
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
                         parameters: ["mu": 1.86484, "sigma1": 0.0055, "sigma2": 0.0120, "f": 0.70]),
      background: ShapeModel(kind: "chebychev", parameters: ["c1": -0.20, "c2": 0.05])),
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
                         parameters: ["mu": 1.11568, "lambda": 0.0016, "gamma": 0.10, "delta": 1.40]),
      background: ShapeModel(kind: "chebychev", parameters: ["c1": 0.15, "c2": -0.05])),
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
      ]),
      background: ShapeModel(kind: "chebychev", parameters: ["c1": -0.10, "c2": 0.05, "c3": 0.02])),
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
