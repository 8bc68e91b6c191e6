import ColumnStore
import Foundation
import Modes
import Numerics
import Query

/// PID efficiency (or fake-rate) tables of one track species in bins of its
/// kinematics: every cut × precut, from one scan of the data.
///
/// A table on the pions of D* with a kaon-ID cut is a fake rate; so is one
/// on tracks selected by their true species (`trueSpecies`, simulation). The
/// arithmetic is PIDCalib2's (`docs/tables.md`): per bin Σw and Σw² of the
/// selected tracks and of those passing, ε = W_pass / W_total, σ² =
/// |(1 − 2ε)S_pass + ε²S_total| / W_total² (not clipped: sWeights can take ε
/// outside [0, 1], which is flagged); unweighted tables also get the
/// Clopper–Pearson 68.27 % interval.
public struct EfficiencyTable: Sendable, Codable, Equatable {
  /// What to tabulate.
  public struct Request: Sendable {
    /// Axes: a variable of the track (`p`, `cosTheta`) and its bin edges, [lo, hi);
    /// none: one bin, the whole sample.
    public var axes: [(variable: String, edges: [Double])]
    /// PID cuts (`kaonID > 0.2`), written for the track.
    public var cuts: [String]
    /// Extra selections, one table each (`""`: none), written for the track.
    public var precuts: [String] = [""]
    /// A selection of candidates (the mode's `selection`, `in_fit`…), as written.
    public var selection: String = ""
    /// A weight expression (an sWeight column); nil: unweighted.
    public var weight: String?
    /// Only tracks whose true species is this (|PDG|; simulation).
    public var trueSpecies: Int?
    /// Only tracks whose true species is not this (|PDG|; simulation): the
    /// background of a species, for `subtracting(_:scale:)`.
    public var excludedSpecies: Int?
    /// Floor variances with the Jeffreys/Kish term (non-zero errors at ε = 0 or 1).
    public var jeffreysFloor = false
    public var threads: Int?

    public init(axes: [(variable: String, edges: [Double])], cuts: [String]) {
      self.axes = axes
      self.cuts = cuts
    }
  }

  public struct Axis: Sendable, Codable, Equatable {
    public var variable: String
    public var edges: [Double]
  }

  /// One in-range bin of one table.
  public struct Bin: Sendable, Codable, Equatable {
    /// Per axis, the 0-based bin number.
    public var index: [Int]
    public var lower: [Double]
    public var upper: [Double]
    /// Σw and Σw² of the selected tracks, and of those passing the cut.
    public var totalW: Double
    public var totalW2: Double
    public var passW: Double
    public var passW2: Double
    public var efficiency: Double
    /// σ_ε (weighted formula; the binomial one for unit weights).
    public var error: Double
    /// The interval's lower and upper distances from ε: Clopper–Pearson for
    /// unweighted tables, ±σ otherwise.
    public var errorLow: Double
    public var errorHigh: Double
    /// `empty` (no selected track, ε undefined), `negative_total` (Σw < 0),
    /// `low_statistics` (|Σw| < 10), `outside_unit_interval` (ε < 0 or > 1).
    public var flags: [String]

    enum CodingKeys: String, CodingKey {
      case index, lower, upper, efficiency, error, flags
      case totalW = "total_sum_w", totalW2 = "total_sum_w2", passW = "pass_sum_w", passW2 = "pass_sum_w2"
      case errorLow = "error_low", errorHigh = "error_high"
    }
  }

  /// The table of one precut and one cut.
  public struct Entry: Sendable, Codable, Equatable {
    public var precut: String
    public var cut: String
    public var bins: [Bin]
    /// Σw of the selected tracks outside the axes (under/overflow, NaN variables).
    public var outsideW: Double

    enum CodingKeys: String, CodingKey { case precut, cut, bins, outsideW = "outside_sum_w" }
  }

  public var particle: String
  /// The column prefixes of the tracks filled (two for the pions of K_S0).
  public var tracks: [String]
  public var axes: [Axis]
  public var selection: String
  public var weight: String?
  public var trueSpecies: Int?
  public var unweighted: Bool
  /// What was subtracted (`subtracting(_:scale:)`), e.g. "MC15ri mc tracks not |PDG| 11, × 0.98".
  public var subtracted: String? = nil
  /// Tracks read (selected candidates × tracks, before precuts).
  public var entries: Int
  /// precut-major: every cut of the first precut, then of the second…
  public var tables: [Entry]
  /// The histograms behind the tables, flow bins included (for the UHI file;
  /// not part of the JSON).
  public var sums: EfficiencyTableAggregate.Sums? = nil

  enum CodingKeys: String, CodingKey {
    case particle, tracks, axes, selection, weight, unweighted, entries, tables, subtracted
    case trueSpecies = "true_species"
  }

  /// The Belle II standard bins (`pidDataUtils.py`): p in GeV/c, theta 17°–150° in radians.
  public static let standardAxes: [(variable: String, edges: [Double])] = [
    ("p", [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4.5]),
    ("theta", [17.0, 28, 40, 60, 77, 96, 115, 133, 150].map { $0 * Double.pi / 180 }),
  ]

  /// The bins whose |Σw| is below this are flagged `low_statistics` (PIDCalib2 warns there).
  public static let lowStatistics = 10.0

  /// Computes the tables of `request` for the tracks `particle` names.
  /// - Throws: `EfficiencyTableError` for an unknown particle, a variable
  ///   the tracks lack, bad edges; `QueryError` for bad expressions.
  public static func compute(
    _ request: Request, particle: String, mode: CalibrationMode?, source: any ColumnSource, aliases: [String: String] = [:]
  ) throws -> EfficiencyTable {
    try compute(request, particles: [particle], weights: [request.weight], mode: mode, source: source, aliases: aliases)[0][0]
  }

  /// The tables of `request` for several particles and several weights (the
  /// nominal and the systematic sWeight) from one scan of `source`:
  /// `[particle][weight]`. `request.weight` is ignored; a nil weight is an
  /// unweighted table.
  public static func compute(
    _ request: Request, particles: [String], weights: [String?], mode: CalibrationMode?, source: any ColumnSource,
    aliases: [String: String] = [:]
  ) throws -> [[EfficiencyTable]] {
    let p = try plan(request, particles: particles, weights: weights, mode: mode, source: source, aliases: aliases)
    return p.tables(try p.query.run(p.aggregate, threads: request.threads))
  }

  /// A table computation ready to run: its query and aggregate (to run at
  /// once, or shard by shard: `Query.partial`), and how the sums become tables.
  public struct Plan: Sendable {
    public let query: Query
    public let aggregate: AggregateGroup<EfficiencyTableAggregate>
    let request: Request
    let particles: [String]
    let prefixes: [[String]]
    let weights: [String?]

    /// The tables, `[particle][weight]`, of the aggregate's result.
    public func tables(_ sums: [[EfficiencyTableAggregate.Sums]]) -> [[EfficiencyTable]] {
      zip(particles, zip(prefixes, sums)).map { particle, t in
        t.1.enumerated().map { k, sums in
          var tables: [Entry] = []
          for (j, precut) in request.precuts.enumerated() {
            for (i, cut) in request.cuts.enumerated() {
              tables.append(entry(
                precut: precut, cut: cut, total: sums.total[j], pass: sums.pass[j][i], unweighted: weights[k] == nil,
                jeffreysFloor: request.jeffreysFloor))
            }
          }
          return EfficiencyTable(
            particle: particle, tracks: t.0, axes: request.axes.map { Axis(variable: $0.variable, edges: $0.edges) },
            selection: request.selection, weight: weights[k], trueSpecies: request.trueSpecies,
            unweighted: weights[k] == nil, entries: sums.tracks, tables: tables, sums: sums)
        }
      }
    }
  }

  /// The plan of the tables of `request` for several particles and weights
  /// (see `compute(_:particles:weights:mode:source:aliases:)`).
  /// - Throws: `EfficiencyTableError`, `QueryError` as `compute`.
  public static func plan(
    _ request: Request, particles: [String], weights: [String?], mode: CalibrationMode?, source: any ColumnSource,
    aliases: [String: String] = [:]
  ) throws -> Plan {
    guard !request.cuts.isEmpty else { throw EfficiencyTableError.noCuts }
    precondition(!particles.isEmpty && !weights.isEmpty)
    let columnNames = source.columns.map(\.name)
    let columns = Set(columnNames)
    var axes: [HistogramAxis] = []
    for a in request.axes {
      do { axes.append(try HistogramAxis.variable(a.edges)) } catch {
        throw EfficiencyTableError.badEdges(variable: a.variable, reason: "\(error)")
      }
    }
    // one weight: the query's; several: each an input of the aggregate ("1" for unweighted)
    let queryWeight = weights.count == 1 ? weights[0] : nil
    let variants = weights.count == 1 ? [] : weights.map { $0.map { "(\($0))" } ?? "1" }
    var prefixes: [[String]] = []
    var aggregates: [EfficiencyTableAggregate] = []
    for particle in particles {
      let trackPrefixes = try TrackSelection.prefixes(for: particle, mode: mode, columns: columnNames)
      prefixes.append(trackPrefixes)
      let tracks = try trackPrefixes.map { try track(request, prefix: $0, columns: columns, aliases: aliases) }
      aggregates.append(EfficiencyTableAggregate(axes: axes, tracks: tracks, weights: variants))
    }
    let query = try Query(cut: request.selection, weight: queryWeight, aliases: aliases, source: source)
    return Plan(
      query: query, aggregate: AggregateGroup(aggregates), request: request, particles: particles, prefixes: prefixes,
      weights: weights)
  }

  /// The expressions of one track: bare variables rewritten to its columns,
  /// the truth requirement in front of every precut.
  static func track(
    _ request: Request, prefix: String, columns: Set<String>, aliases: [String: String]
  ) throws -> EfficiencyTableAggregate.Track {
    func rewrite(_ e: String) -> String { TrackExpressions.rewrite(e, prefix: prefix, columns: columns) }
    let axisExpressions = request.axes.map { rewrite($0.variable) }
    for (a, e) in zip(request.axes, axisExpressions) where e == a.variable && !columns.contains(e) && aliases[e] == nil {
      throw EfficiencyTableError.unknownVariable(a.variable, track: prefix, near: NameSuggestions.suggestions(
        for: prefix + "_" + a.variable, in: Array(columns)))
    }
    var truth = ""
    for (pdg, op) in [(request.trueSpecies, "=="), (request.excludedSpecies, "!=")] {
      guard let pdg else { continue }
      let column = prefix + "_mcPDG"
      guard columns.contains(column) else { throw EfficiencyTableError.noTruth(column: column) }
      // unmatched tracks (NaN) are not the species: `!=` keeps them, `==` drops them
      truth = "abs(\(column)) \(op) \(pdg)"
    }
    let precuts = request.precuts.map { p -> String in
      let parts = [truth, p.trimmingCharacters(in: .whitespaces).isEmpty ? "" : "(\(rewrite(p)))"].filter { !$0.isEmpty }
      return parts.joined(separator: " && ")
    }
    return .init(axes: axisExpressions, precuts: precuts, cuts: request.cuts.map(rewrite))
  }

  /// The in-range bins of one table from its histograms.
  static func entry(
    precut: String, cut: String, total: HistogramAggregate.Result, pass: HistogramAggregate.Result, unweighted: Bool,
    jeffreysFloor: Bool
  ) -> Entry {
    var bins: [Bin] = []
    var outside = CompensatedSum()
    for flat in total.sumW.indices {
      let idx = total.indices(ofFlat: flat)
      if zip(total.axes, idx).contains(where: { $1 == 0 || $1 == $0.extent - 1 }) {
        outside.add(total.sumW[flat])
        continue
      }
      bins.append(bin(
        index: idx.map { $0 - 1 }, lower: zip(total.axes, idx).map { $0.edges[$1 - 1] },
        upper: zip(total.axes, idx).map { $0.edges[$1] }, totalW: total.sumW[flat], totalW2: total.sumW2[flat],
        passW: pass.sumW[flat], passW2: pass.sumW2[flat], unweighted: unweighted, jeffreysFloor: jeffreysFloor))
    }
    return Entry(precut: precut, cut: cut, bins: bins, outsideW: outside.value)
  }

  /// This table with `background`'s tracks subtracted, scaled by `scale`:
  /// per bin W − s·W_b and S + s²·S_b for total and pass, then ε and σ by the
  /// weighted formula (the subtraction acts as negative weights). For modes
  /// without a mass peak (τ 3x1): the species' efficiency in data, with the
  /// other species and the non-τ background predicted by simulation.
  /// - Throws: `TableCombinationError` when bins or cuts differ.
  public func subtracting(_ background: EfficiencyTable, scale s: Double, description: String) throws -> EfficiencyTable {
    guard background.axes == axes else { throw TableCombinationError.differentBins(index: 1) }
    guard background.tables.map({ [$0.precut, $0.cut] }) == tables.map({ [$0.precut, $0.cut] }) else {
      throw TableCombinationError.differentCuts(index: 1)
    }
    var out = self
    out.unweighted = false
    out.subtracted = description
    for k in tables.indices {
      for (i, (d, b)) in zip(tables[k].bins, background.tables[k].bins).enumerated() {
        out.tables[k].bins[i] = Self.bin(
          index: d.index, lower: d.lower, upper: d.upper, totalW: d.totalW - s * b.totalW,
          totalW2: d.totalW2 + s * s * b.totalW2, passW: d.passW - s * b.passW, passW2: d.passW2 + s * s * b.passW2,
          unweighted: false, jeffreysFloor: false)
      }
      out.tables[k].outsideW = tables[k].outsideW - s * background.tables[k].outsideW
    }
    if let a = sums, let b = background.sums {
      func minus(_ x: HistogramAggregate.Result, _ y: HistogramAggregate.Result) -> HistogramAggregate.Result {
        var r = x
        r.sumW = zip(x.sumW, y.sumW).map { $0 - s * $1 }
        r.sumW2 = zip(x.sumW2, y.sumW2).map { $0 + s * s * $1 }
        return r
      }
      out.sums = EfficiencyTableAggregate.Sums(
        tracks: a.tracks, total: zip(a.total, b.total).map(minus), pass: zip(a.pass, b.pass).map { zip($0, $1).map(minus) })
    } else {
      out.sums = nil
    }
    return out
  }

  /// One bin from its sums: ε, σ, the interval and the flags.
  static func bin(
    index: [Int], lower: [Double], upper: [Double], totalW w: Double, totalW2: Double, passW: Double, passW2: Double,
    unweighted: Bool, jeffreysFloor: Bool
  ) -> Bin {
    let (e, s) = EfficiencyAggregate.efficiency(
      passW: passW, passW2: passW2, totalW: w, totalW2: totalW2, jeffreysFloor: jeffreysFloor)
    var low = s
    var high = s
    if unweighted, w > 0 {
      let (lo, hi) = ClopperPearson.interval(passed: passW, total: w)
      low = e - lo
      high = hi - e
    }
    var flags: [String] = []
    if w == 0 { flags.append("empty") }
    if w < 0 { flags.append("negative_total") }
    if w != 0 && abs(w) < lowStatistics { flags.append("low_statistics") }
    if e < 0 || e > 1 { flags.append("outside_unit_interval") }
    return Bin(
      index: index, lower: lower, upper: upper, totalW: w, totalW2: totalW2, passW: passW, passW2: passW2,
      efficiency: e, error: s, errorLow: low, errorHigh: high, flags: flags)
  }

  /// Bins flagged with `flag`, over all tables.
  public func count(_ flag: String) -> Int { tables.reduce(0) { $0 + $1.bins.filter { $0.flags.contains(flag) }.count } }
}

/// What can be wrong with an efficiency-table request (worded by Tools).
public enum EfficiencyTableError: Error, Sendable, Equatable {
  case noCuts
  /// No track of the mode (or column prefix) has this name.
  case unknownParticle(String, known: [String])
  case unknownVariable(String, track: String, near: [String])
  case badEdges(variable: String, reason: String)
  case unknownSpecies(String, known: [String])
  /// `trueSpecies` needs the simulation's truth column.
  case noTruth(column: String)
  case unknownFormat(path: String, known: [String])
  /// A table read back from JSON has no histograms to write as HDF5.
  case noHistograms
}
