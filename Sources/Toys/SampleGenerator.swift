import ColumnStore
import Foundation
import Modes
import Numerics

/// Realistic toy calibration ntuples for a `CalibrationMode`.
///
/// Rows are produced in fixed blocks of `blockRows` (65 536) rows. Block `i`
/// is generated from its own xoshiro256** stream seeded by
/// `(seed, mode, sample, i)`, row by row, so block `i` of a sample is the same
/// however the caller splits or parallelises the work, and a block of fewer
/// rows is a prefix of the full block.
///
/// Physics (see `GeneratorTruth` for the exact numbers):
/// * mass-like observables from the mode's shapes (signal with probability
///   `signalFraction`);
/// * kinematics from two-body decays of a head generated in the CMS frame and
///   boosted to the lab (βγ = 0.2872 along z); tracks inside the CDC acceptance
///   17°–150°;
/// * track quality `dr`, `dz`, `nCDCHits` with tails so that the default
///   selection removes a few per cent;
/// * PID from `PIDResponseModel` depending on the true species and momentum;
///   0.3 % of tracks have all PID NaN;
/// * MC truth (`isSignal`, `mcPDG`, `mcErrors`) only in simulation unless
///   `includeTruthOnData` is set (for validation).
public struct SampleGenerator: Sendable {
  public static let blockRows = 65_536
  /// The ntuple attribute under which `truth.json()` should be stored.
  public static let truthAttribute = "truth"

  public let mode: CalibrationMode
  public let sample: SampleKind
  public let seed: UInt64
  public let includeTruthOnData: Bool
  public let pidModel: PIDResponseModel
  /// All columns in output order: counters, then the mode's columns.
  public let columns: [ColumnInfo]
  /// Model parameters and true efficiencies.
  public let truth: GeneratorTruth

  let topology: Topology
  let plan: [ColumnPlan]
  let muTable: [Double]   // [(h * 5 + t) * nBins + b] for this sample
  let nBins: Int
  let fitSignal: ShapeSampler?
  let fitBackground: ShapeSampler?
  let auxSignal: ShapeSampler?
  let auxBackground: ShapeSampler?
  let headMass: Double
  let midMass: Double
  let selfConjugate: Bool
  let trackCharges: [Double]      // per mode particle, for q = +1
  let trackPDG: [Int]             // per mode particle (signed, q = +1)
  let trackNominal: [Species?]    // per mode particle
  let trackMix: [SIMD4<Double>]   // background species mix per mode particle (cumulative e, mu, pi, K)
  let headCTau: Double
  let midCTau: Double

  enum Topology: Sendable { case dstar, v0, tau }

  public static let counterColumns: [ColumnInfo] = [
    ColumnInfo(name: "__experiment__", type: .int32, description: "experiment number"),
    ColumnInfo(name: "__run__", type: .int32, description: "run number"),
    ColumnInfo(name: "__event__", type: .uint32, description: "event number"),
    ColumnInfo(name: "__production__", type: .int32, description: "production identifier"),
    ColumnInfo(name: "__candidate__", type: .int32, description: "0-based index of the candidate in the event's list"),
    ColumnInfo(name: "__ncandidates__", type: .int32, description: "number of candidates in the event's list"),
    ColumnInfo(name: "__weight__", type: .float64, description: "inverse sampling rate"),
  ]

  /// - Parameters:
  ///   - prefixMap: user prefix map, role (or default prefix) → column prefix,
  ///     e.g. `["K": "DST_D0_K_"]`.
  ///   - includeTruthOnData: also write MC-truth columns for data (validation only).
  /// - Throws: `ColumnStoreError` for a mode the generator cannot simulate
  ///   (unknown topology or variable) or clashing column names.
  public init(mode: CalibrationMode, sample: SampleKind, seed: UInt64,
              prefixMap: [String: String] = [:], includeTruthOnData: Bool = false,
              pidModel: PIDResponseModel = .standard) throws {
    try mode.validate()
    self.mode = mode
    self.sample = sample
    self.seed = seed
    self.includeTruthOnData = includeTruthOnData
    self.pidModel = pidModel
    let parts = mode.particles
    let isTrack = parts.map(\.isTrack)
    if isTrack == [false, false, true, true, true] {
      topology = .dstar
    } else if isTrack == [false, true, true] {
      topology = .v0
    } else if isTrack == [true, true, true, true] {
      topology = .tau
    } else {
      throw ColumnStoreError(.unsupported, path: mode.name,
        "the generator simulates D*-like (head, D0, 3 tracks), V0-like (head, 2 tracks) or tau 3x1 (4 tracks) modes; '\(mode.name)' is none of these")
    }
    if topology != .tau && mode.fit == nil {
      throw ColumnStoreError(.invalidInput, path: mode.name, "mode '\(mode.name)' needs a mass fit model to be generated")
    }
    for (label, m) in ([mode.fit].compactMap { $0 }.map { ("fit", $0) } + mode.auxiliary.map { ("auxiliary", $0) }) {
      for (species, shape) in [("signal", m.signal), ("background", m.background)]
      where !ShapeSampler.generatedKinds.contains(shape.kind) {
        throw ColumnStoreError(.unsupported, path: "\(mode.name).\(label).\(species).kind",
          "the generator samples \(ShapeSampler.generatedKinds.sorted().joined(separator: ", ")) shapes, not '\(shape.kind)'")
      }
    }
    if topology == .dstar && mode.auxiliary.isEmpty {
      throw ColumnStoreError(.invalidInput, path: mode.name, "a D*-like mode needs a Delta M model in 'auxiliary'")
    }

    // Columns.
    let withTruth = sample == .mc || includeTruthOnData
    let options = mode.aliasOptions(prefixMap: prefixMap)
    let selected = try AliasGenerator.selectedParticles(mode.decayString, options: options)
    let mcOnly = Set(mode.mcOnlyVariables)
    var infos = SampleGenerator.counterColumns
    var plan: [ColumnPlan] = []
    for (pi, (sel, part)) in zip(selected, parts).enumerated() {
      let vars = part.variables.filter { withTruth || !mcOnly.contains($0) }
      for col in AliasGenerator.columns(variables: vars, particle: sel) {
        guard let code = VarCode(variable: col.variable) else {
          throw ColumnStoreError(.unsupported, path: "\(mode.name).\(part.role)",
            "the generator cannot simulate variable '\(col.variable)' of '\(part.role)'")
        }
        let type: ColumnType = code.isInt ? .int32 : .float64
        infos.append(ColumnInfo(
          name: col.name, type: type, unit: code.unit,
          description: "\(code.description) of \(part.role == parts.first?.role && sel.indexPath.isEmpty ? "the \(part.name) candidate" : "\(part.role) (\(part.name))")",
          variable: col.variable, particle: col.particle))
        plan.append(ColumnPlan(particle: pi, code: code, isInt: code.isInt))
      }
    }
    var seen = Set<String>()
    for c in infos where !seen.insert(c.name).inserted {
      throw ColumnStoreError(.invalidInput, path: c.name, "column '\(c.name)' would appear twice (check the prefix map)")
    }
    columns = infos
    self.plan = plan

    // PID table for this sample.
    nBins = pidModel.pBins.count - 1
    var table = [Double](repeating: 0, count: 25 * nBins)
    for h in Species.allCases {
      for t in Species.allCases {
        for b in 0..<nBins {
          table[(h.index * 5 + t.index) * nBins + b] = pidModel.mu(h, t, bin: b, sample: sample)
        }
      }
    }
    muTable = table

    // Shapes.
    if let fit = mode.fit {
      fitSignal = ShapeSampler(fit.signal, lo: fit.lo, hi: fit.hi)
      fitBackground = ShapeSampler(fit.background, lo: fit.lo, hi: fit.hi)
    } else {
      fitSignal = nil
      fitBackground = nil
    }
    if let aux = mode.auxiliary.first {
      auxSignal = ShapeSampler(aux.signal, lo: aux.lo, hi: aux.hi)
      auxBackground = ShapeSampler(aux.background, lo: aux.lo, hi: aux.hi)
    } else {
      auxSignal = nil
      auxBackground = nil
    }
    headMass = ParticleData.mass(parts[0].name) ?? 0
    midMass = parts.count > 1 ? ParticleData.mass(parts[1].name) ?? 0 : 0
    selfConjugate = ParticleData.selfConjugate.contains(parts[0].name)
    trackCharges = parts.map { ParticleData.charge($0.name) }
    trackPDG = parts.map(\.pdg)
    trackNominal = parts.map { $0.isTrack ? Species(pdg: $0.pdg) : nil }
    trackMix = trackNominal.map { SampleGenerator.cumulative(SampleGenerator.backgroundMix($0 ?? .pi)) }
    headCTau = SampleGenerator.ctau[parts[0].name] ?? 1
    midCTau = parts.count > 1 ? SampleGenerator.ctau[parts[1].name] ?? 0.01 : 0.01
    for (p, s) in zip(parts, trackNominal) where p.isTrack && s == nil {
      throw ColumnStoreError(.unsupported, path: "\(mode.name).\(p.role)",
        "track '\(p.role)' has PDG \(p.pdg), not one of e, mu, pi, K, p")
    }

    // Truth.
    var pidVars = Species.allCases.map(\.globalID)
    for p in parts {
      for v in p.variables where PIDResponseModel.binaryPair(v) != nil && !pidVars.contains(v) {
        pidVars.append(v)
      }
    }
    let effs = GeneratorTruth.efficiencyTable(pid: pidModel, variables: pidVars)
    func massTruth(_ m: MassModel) -> MassTruth {
      let s = m.signal.moments(lo: m.lo, hi: m.hi)
      let b = m.background.moments(lo: m.lo, hi: m.hi)
      return MassTruth(column: VariableNames.makeROOTCompatible(m.column), range: m.range, signal: m.signal,
                       background: m.background, signalMeanInRange: s.mean, signalSigmaInRange: s.sigma,
                       backgroundMeanInRange: b.mean)
    }
    truth = GeneratorTruth(
      generator: "SysCorr.SampleGenerator", version: 1, mode: mode.name, sample: sample, seed: seed,
      blockRows: SampleGenerator.blockRows, signalFraction: mode.signalFraction, pid: pidModel,
      pidVariables: pidVars, efficiencies: effs, fit: mode.fit.map(massTruth),
      auxiliary: mode.auxiliary.map(massTruth))
  }

  /// The seed of block `index`: splitmix64 mixing of (seed, mode, sample, index).
  public func blockSeed(_ index: Int) -> UInt64 {
    var h = SplitMix64.mix(seed)
    h = SplitMix64.mix(h ^ fnv1a64(mode.name))
    h = SplitMix64.mix(h ^ (sample == .data ? 0xDA7A : 0x51A1))
    h = SplitMix64.mix(h ^ UInt64(truncatingIfNeeded: index))
    return h
  }

  /// The number of blocks holding `rows` rows.
  public static func blockCount(rows: Int) -> Int { (rows + blockRows - 1) / blockRows }

  /// Block `index` as a table (`rows` ≤ `blockRows`; fewer rows give a prefix).
  public func block(_ index: Int, rows: Int = SampleGenerator.blockRows) -> MemoryTable {
    // Cannot fail: names are unique and types match by construction.
    try! MemoryTable(columns: blockColumns(index, rows: rows))
  }

  /// Blocks covering `events` rows (candidates), the last one partial.
  public func generate(events: Int) -> SampleBlocks { generate(rows: events) }

  /// Blocks covering `rows` rows, the last one partial.
  public func generate(rows: Int) -> SampleBlocks { SampleBlocks(generator: self, rows: rows) }

  /// `rows` rows as one table (blocks concatenated). For tests and small samples.
  public func table(rows: Int) throws -> MemoryTable {
    let blocks = (0..<SampleGenerator.blockCount(rows: rows)).map {
      blockColumns($0, rows: min(SampleGenerator.blockRows, rows - $0 * SampleGenerator.blockRows))
    }
    guard let first = blocks.first else {
      return try MemoryTable(columns: columns.map { ($0, ColumnBuffer.empty($0.type)) })
    }
    return try MemoryTable(columns: first.indices.map { c in
      (first[c].0, ColumnBuffer.concatenate(blocks.map { $0[c].1 }, type: first[c].0.type))
    })
  }
}

/// A sequence of generated blocks.
public struct SampleBlocks: Sequence, Sendable {
  public let generator: SampleGenerator
  public let rows: Int

  public var count: Int { SampleGenerator.blockCount(rows: rows) }

  public func makeIterator() -> AnyIterator<MemoryTable> {
    var i = 0
    let n = count
    let g = generator
    let total = rows
    return AnyIterator {
      guard i < n else { return nil }
      defer { i += 1 }
      return g.block(i, rows: Swift.min(SampleGenerator.blockRows, total - i * SampleGenerator.blockRows))
    }
  }
}

// MARK: - Particle data

enum ParticleData {
  static let masses: [String: Double] = [
    "D*+": 2.01026, "D*-": 2.01026, "D0": 1.86484, "anti-D0": 1.86484,
    "Lambda0": 1.115683, "anti-Lambda0": 1.115683, "K_S0": 0.497611,
    "tau+": 1.77686, "tau-": 1.77686, "vpho": 10.58,
  ]
  static let selfConjugate: Set<String> = ["K_S0", "vpho", "pi0", "gamma"]
  static func mass(_ name: String) -> Double? { masses[name] }
  static func charge(_ name: String) -> Double {
    name.hasSuffix("+") ? 1 : name.hasSuffix("-") ? -1 : 0
  }
}

// MARK: - Columns

struct ColumnPlan: Sendable {
  var particle: Int
  var code: VarCode
  var isInt: Bool
}

enum VarCode: Sendable, Equatable {
  case p, pt, cosTheta, theta, phi, charge, dr, dz, nCDCHits
  case M, InvM, dM, Q, chiProb, flightDistance, significanceOfDistance, cosAngle
  case isSignal, mcPDG, PDG, mcErrors, massDifference, pCMS
  case globalID(Int)
  case binary(Int, Int)
  case topProb(Int)
  case cdcLL(Int)

  init?(variable v: String) {
    let simple: [String: VarCode] = [
      "p": .p, "pt": .pt, "cosTheta": .cosTheta, "theta": .theta, "phi": .phi, "charge": .charge,
      "dr": .dr, "dz": .dz, "nCDCHits": .nCDCHits, "M": .M, "InvM": .InvM, "dM": .dM, "Q": .Q,
      "chiProb": .chiProb, "flightDistance": .flightDistance,
      "significanceOfDistance": .significanceOfDistance,
      "cosAngleBetweenMomentumAndVertexVector": .cosAngle, "isSignal": .isSignal, "mcPDG": .mcPDG,
      "PDG": .PDG, "mcErrors": .mcErrors, "massDifference(0)": .massDifference,
      "useCMSFrame(p)": .pCMS,
    ]
    if let c = simple[v] { self = c; return }
    if let s = Species.allCases.first(where: { $0.globalID == v }) { self = .globalID(s.index); return }
    if let (a, b) = PIDResponseModel.binaryPair(v) { self = .binary(a.index, b.index); return }
    func firstPDG(_ prefix: String) -> Species? {
      guard v.hasPrefix(prefix + "("), v.hasSuffix(")") else { return nil }
      let inner = v.dropFirst(prefix.count + 1).dropLast()
      guard let first = inner.split(separator: ",").first,
            let code = Int(first.trimmingCharacters(in: .whitespaces)) else { return nil }
      return Species(pdg: code)
    }
    if let s = firstPDG("pidProbabilityExpert") { self = .topProb(s.index); return }
    if let s = firstPDG("pidLogLikelihoodValueExpert") { self = .cdcLL(s.index); return }
    return nil
  }

  var isInt: Bool { self == .mcErrors }

  var unit: String {
    switch self {
    case .p, .pt, .pCMS: "GeV/c"
    case .M, .InvM, .dM, .Q, .massDifference: "GeV/c^2"
    case .theta, .phi: "rad"
    case .dr, .dz, .flightDistance: "cm"
    default: ""
    }
  }

  var description: String {
    switch self {
    case .p: "momentum magnitude (lab)"
    case .pt: "transverse momentum (lab)"
    case .cosTheta: "cosine of the polar angle (lab)"
    case .theta: "polar angle (lab)"
    case .phi: "azimuthal angle (lab)"
    case .charge: "electric charge"
    case .dr: "transverse distance of the POCA to the IP"
    case .dz: "z distance of the POCA to the IP"
    case .nCDCHits: "number of CDC hits of the track"
    case .M: "mass (after vertex fit)"
    case .InvM: "invariant mass of the daughters"
    case .dM: "mass minus the nominal mass"
    case .Q: "released energy M - sum of daughter masses"
    case .chiProb: "vertex fit p-value"
    case .flightDistance: "flight distance"
    case .significanceOfDistance: "flight distance over its uncertainty"
    case .cosAngle: "cosine of the angle between momentum and vertex vector"
    case .isSignal: "MC truth: 1 if correctly reconstructed, else 0"
    case .mcPDG: "MC truth: PDG code of the matched particle"
    case .PDG: "PDG code of the reconstructed hypothesis"
    case .mcErrors: "MC truth: bit mask of reconstruction errors"
    case .massDifference: "mass difference to daughter 0 (Delta M)"
    case .pCMS: "momentum magnitude in the CMS frame"
    case .globalID(let h): "global PID likelihood ratio, \(Species.allCases[h].rawValue) hypothesis"
    case .binary(let a, let b): "binary PID \(Species.allCases[a].rawValue) vs \(Species.allCases[b].rawValue)"
    case .topProb(let h): "TOP PID probability, \(Species.allCases[h].rawValue) hypothesis"
    case .cdcLL(let h): "CDC log-likelihood, \(Species.allCases[h].rawValue) hypothesis"
    }
  }
}
