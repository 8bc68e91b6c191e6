import ColumnStore
import Foundation
import Modes
import Numerics

/// Which kind of sample a generator makes.
public enum SampleKind: String, Sendable, Codable, CaseIterable {
  case data, mc
}

/// The charged species the toy PID knows, in this order everywhere.
public enum Species: String, Sendable, Codable, CaseIterable {
  case e, mu, pi, K, p

  /// |PDG code|.
  public var pdg: Int {
    switch self {
    case .e: 11
    case .mu: 13
    case .pi: 211
    case .K: 321
    case .p: 2212
    }
  }

  /// Mass in GeV.
  public var mass: Double {
    switch self {
    case .e: 0.000510999
    case .mu: 0.1056584
    case .pi: 0.13957039
    case .K: 0.493677
    case .p: 0.93827209
    }
  }

  /// The global PID variable of this hypothesis (`kaonID`).
  public var globalID: String {
    switch self {
    case .e: "electronID"
    case .mu: "muonID"
    case .pi: "pionID"
    case .K: "kaonID"
    case .p: "protonID"
    }
  }

  /// Position in `allCases` (e, mu, pi, K, p).
  public var index: Int {
    switch self {
    case .e: 0
    case .mu: 1
    case .pi: 2
    case .K: 3
    case .p: 4
    }
  }

  /// The species with |PDG| = `pdg`.
  public init?(pdg: Int) {
    guard let s = Species.allCases.first(where: { $0.pdg == abs(pdg) }) else { return nil }
    self = s
  }

  /// The PDG sign of a particle of this species with electric charge `charge`
  /// (leptons: the negative one has the positive code).
  public func signedPDG(charge: Double) -> Int {
    switch self {
    case .e, .mu: charge < 0 ? pdg : -pdg
    default: charge > 0 ? pdg : -pdg
    }
  }
}

/// The analytically tractable PID response of the toy generator.
///
/// For a track of true species `t` with momentum `p` in standard P_BINS bin
/// `b` (p < 0.5 uses bin 0, p ≥ 4.5 the last bin), each global ID of
/// hypothesis `h` is `logistic(s)` with `s ~ Normal(μ[h][t][b], σ)`, where
/// `μ_data = μ_mc + shift[h][t][b]`. A `binaryPID(a, b)` is
/// `logistic(s_a − s_b)`-like: `s = μ_a − μ_b + σ (z_a − z_b)/√2`, again
/// normal with mean `μ_a − μ_b` and width σ. Hence for any threshold x in (0, 1)
/// `P(ID > x) = 1 − Φ((logit(x) − μ)/σ)` exactly. Tracks with NaN PID
/// (`nanFraction`, all PID columns of the track together) are excluded from
/// these efficiencies.
public struct PIDResponseModel: Sendable, Equatable, Codable {
  /// P_BINS edges in GeV/c.
  public var pBins: [Double]
  /// Hypothesis order of the tables: `electronID muonID pionID kaonID protonID`.
  public var hypotheses: [String]
  /// True-species order: `e mu pi K p`.
  public var species: [String]
  /// Width σ of s (logit units), common to all.
  public var sigma: Double
  /// μ for simulation, `[hypothesis][species][pBin]`, logit units.
  public var muMC: [[[Double]]]
  /// Data − MC shift of μ, `[hypothesis][species][pBin]`.
  public var shiftData: [[[Double]]]
  /// Fraction of tracks whose PID is NaN (all PID columns together).
  public var nanFraction: Double

  public static let standardPBins = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.5]

  /// The default toy model.
  public static let standard: PIDResponseModel = {
    // base μ at the first p bin, [hypothesis][species] with species e mu pi K p.
    let base: [[Double]] = [[Double]]([
      [4.0, -6.0, -5.5, -6.0, -6.0],  // electronID
      [-6.0, 3.5, -3.5, -5.5, -5.5],  // muonID
      [-3.0, -1.0, 3.5, -3.5, -4.0],  // pionID
      [-6.0, -6.0, -4.0, 3.5, -2.5],  // kaonID
      [-6.0, -6.0, -5.5, -3.0, 4.0],  // protonID
    ])
    // change of μ per p bin.
    let slope: [[Double]] = [
      [0.00, 0.05, 0.05, 0.05, 0.05],
      [0.05, 0.10, 0.10, 0.05, 0.05],
      [0.05, 0.10, -0.10, 0.15, 0.10],
      [0.05, 0.05, 0.15, -0.25, 0.20],
      [0.05, 0.05, 0.05, 0.20, -0.30],
    ]
    let n = standardPBins.count - 1
    var mu = [[[Double]]]()
    var shift = [[[Double]]]()
    for h in 0..<5 {
      var muH = [[Double]](), shH = [[Double]]()
      for t in 0..<5 {
        var muRow = [Double]()
        for b in 0..<n {
          let m: Double = base[h][t] + slope[h][t] * Double(b)
          muRow.append(m)
        }
        muH.append(muRow)
        // data: identification a bit worse, mis-identification a bit more frequent,
        // both growing with momentum.
        var row = [Double]()
        for b in 0..<n {
          let x = Double(b)
          let d: Double = h == t ? -(0.10 + 0.04 * x) : (0.15 + 0.03 * x)
          row.append(d)
        }
        shH.append(row)
      }
      mu.append(muH)
      shift.append(shH)
    }
    return PIDResponseModel(
      pBins: standardPBins, hypotheses: Species.allCases.map(\.globalID),
      species: Species.allCases.map(\.rawValue), sigma: 2.0, muMC: mu, shiftData: shift,
      nanFraction: 0.003)
  }()

  /// The p-bin index used for μ: clamped to the first and last bin.
  @inline(__always)
  public func clampedBin(_ p: Double) -> Int {
    let last = pBins.count - 2
    if !(p >= pBins[1]) { return 0 }
    if p >= pBins[last] { return last }
    var b = 1
    while p >= pBins[b + 1] { b += 1 }
    return b
  }

  /// μ of global-ID hypothesis `h` for true species `t` in bin `b`.
  public func mu(_ h: Species, _ t: Species, bin b: Int, sample: SampleKind) -> Double {
    muMC[h.index][t.index][b] + (sample == .data ? shiftData[h.index][t.index][b] : 0)
  }

  /// μ of a PID variable (`kaonID`, `binaryPID(321, 211)`) for true species `t`.
  public func mu(variable: String, _ t: Species, bin b: Int, sample: SampleKind) -> Double? {
    if let h = Species.allCases.first(where: { $0.globalID == variable }) {
      return mu(h, t, bin: b, sample: sample)
    }
    if let (a, c) = PIDResponseModel.binaryPair(variable) {
      return mu(a, t, bin: b, sample: sample) - mu(c, t, bin: b, sample: sample)
    }
    return nil
  }

  /// The two species of `binaryPID(a, b)`, if `variable` is one.
  public static func binaryPair(_ variable: String) -> (Species, Species)? {
    guard variable.hasPrefix("binaryPID("), variable.hasSuffix(")") else { return nil }
    let inner = variable.dropFirst("binaryPID(".count).dropLast()
    let parts = inner.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 2, let a = parts[0].flatMap(Species.init(pdg:)),
          let b = parts[1].flatMap(Species.init(pdg:)) else { return nil }
    return (a, b)
  }

  /// The exact efficiency of `variable > threshold` for a track of true
  /// species `t` in (standard) p bin `bin`, among tracks with non-NaN PID.
  public func efficiency(variable: String, trueSpecies t: Species, threshold: Double,
                         pBin bin: Int, sample: SampleKind) -> Double? {
    guard let m = mu(variable: variable, t, bin: bin, sample: sample) else { return nil }
    if threshold <= 0 { return 1 }
    if threshold >= 1 { return 0 }
    let logit = log(threshold / (1 - threshold))
    return Normal.survival((logit - m) / sigma)
  }
}

/// One row of the truth table.
public struct EfficiencyTruth: Sendable, Equatable, Codable {
  public var variable: String
  /// |PDG| of the true species.
  public var truePDG: Int
  public var threshold: Double
  public var pMin: Double
  public var pMax: Double
  public var efficiencyMC: Double
  public var efficiencyData: Double
  /// efficiencyData / efficiencyMC.
  public var ratio: Double
}

/// The true mass-model facts of a generated sample.
public struct MassTruth: Sendable, Equatable, Codable {
  public var column: String
  public var range: [Double]
  public var signal: ShapeModel
  public var background: ShapeModel
  /// Mean of the signal shape truncated to the range.
  public var signalMeanInRange: Double
  /// Standard deviation of the signal shape truncated to the range.
  public var signalSigmaInRange: Double
  /// Mean of the background shape on the range.
  public var backgroundMeanInRange: Double
}

/// Everything a test needs to know about a generated sample: the model
/// parameters and tables of true efficiencies. Encodes to JSON, to be stored
/// as an attribute of the ntuple.
public struct GeneratorTruth: Sendable, Equatable, Codable {
  public var generator: String
  public var version: Int
  public var mode: String
  public var sample: SampleKind
  public var seed: UInt64
  public var blockRows: Int
  /// Fraction of signal candidates among generated rows.
  public var signalFraction: Double
  public var pid: PIDResponseModel
  /// PID variables covered by `efficiencies` (global IDs and the mode's binaryPIDs).
  public var pidVariables: [String]
  /// True efficiencies for thresholds 0.1…0.9 in each P_BINS bin.
  public var efficiencies: [EfficiencyTruth]
  public var fit: MassTruth?
  public var auxiliary: [MassTruth]

  /// The exact efficiency for any (variable, true species, threshold, p bin, sample).
  public func efficiency(variable: String, trueSpecies: Species, threshold: Double,
                         pBin: Int, sample: SampleKind) -> Double? {
    pid.efficiency(variable: variable, trueSpecies: trueSpecies, threshold: threshold,
                   pBin: pBin, sample: sample)
  }

  /// The exact efficiency for a track momentum `p` (GeV/c; clamped to the
  /// first and last P_BINS bin like the generator).
  public func efficiency(variable: String, trueSpecies: Species, threshold: Double,
                         p: Double, sample: SampleKind) -> Double? {
    efficiency(variable: variable, trueSpecies: trueSpecies, threshold: threshold,
               pBin: pid.clampedBin(p), sample: sample)
  }

  /// Data/MC ratio of the efficiency.
  public func ratio(variable: String, trueSpecies: Species, threshold: Double, pBin: Int) -> Double? {
    guard let d = efficiency(variable: variable, trueSpecies: trueSpecies, threshold: threshold, pBin: pBin, sample: .data),
          let m = efficiency(variable: variable, trueSpecies: trueSpecies, threshold: threshold, pBin: pBin, sample: .mc)
    else { return nil }
    return d / m
  }

  /// The efficiency table for `variables` (thresholds 0.1…0.9, every p bin
  /// and true species), computed from `pid`.
  public static func efficiencyTable(pid: PIDResponseModel, variables: [String]) -> [EfficiencyTruth] {
    var effs: [EfficiencyTruth] = []
    for v in variables {
      for t in Species.allCases {
        for b in 0..<(pid.pBins.count - 1) {
          for k in 1...9 {
            let x = Double(k) / 10
            guard let m = pid.efficiency(variable: v, trueSpecies: t, threshold: x, pBin: b, sample: .mc),
                  let d = pid.efficiency(variable: v, trueSpecies: t, threshold: x, pBin: b, sample: .data)
            else { continue }
            effs.append(EfficiencyTruth(
              variable: v, truePDG: t.pdg, threshold: x, pMin: pid.pBins[b], pMax: pid.pBins[b + 1],
              efficiencyMC: m, efficiencyData: d, ratio: d / m))
          }
        }
      }
    }
    return effs
  }

  /// JSON with sorted keys. The full table makes it about 400 kB; with
  /// `includeTable: false` it is a few kB (the table is rebuilt from the
  /// model by `decode(json:)`), which fits an HDF5 attribute in compact storage.
  public func json(pretty: Bool = false, includeTable: Bool = true) throws -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
    var copy = self
    if !includeTable { copy.efficiencies = [] }
    return String(decoding: try enc.encode(copy), as: UTF8.self)
  }

  /// The compact JSON meant for the ntuple attribute `SampleGenerator.truthAttribute`.
  public func attributeJSON() throws -> String { try json(includeTable: false) }

  /// Decodes either form; an omitted table is rebuilt from the model.
  public static func decode(json: String) throws -> GeneratorTruth {
    var truth = try JSONDecoder().decode(GeneratorTruth.self, from: Data(json.utf8))
    if truth.efficiencies.isEmpty {
      truth.efficiencies = efficiencyTable(pid: truth.pid, variables: truth.pidVariables)
    }
    return truth
  }
}
