import ColumnStore
import Foundation
import Modes
import Query

/// Data against simulation of one expression (`syscorr plot`): per sample one
/// scan filling a weighted histogram per selection (`--overlay`), then the
/// normalisation and the data/simulation ratio per bin.
///
/// Normalisation: with `density` each histogram has unit area (Σw over the
/// in-range bins × bin width = 1, as numpy's and matplotlib's `density`);
/// otherwise data are drawn as Σw per bin and the simulation scaled to the
/// data's in-range Σw of the same selection. Errors are √(Σw²) with the same
/// factor (the normalisation's own uncertainty is not included). The ratio
/// is data / simulation with both errors in quadrature:
/// σ = √(σ_d² / m² + d² σ_m² / m⁴), NaN where the simulation is ≤ 0.
public struct DistributionComparison: Sendable, Codable, Equatable {
  public struct Request: Sendable {
    public var expression: String
    public var axis: HistogramAxis
    /// A cut on candidates (or on the track's columns with a particle).
    public var selection: String = ""
    /// Selections drawn overlaid; none draws all passing rows once.
    public var overlays: [String] = []
    public var weight: String?
    public var mcWeight: String?
    public var density = false
    public var threads: Int?

    public init(expression: String, axis: HistogramAxis) {
      self.expression = expression
      self.axis = axis
    }
  }

  /// One selection of one sample.
  public struct Histogram: Sendable, Codable, Equatable {
    /// The overlay's selection as given ("" for all rows).
    public var selection: String
    /// Tracks (rows) passing the selection, in range or not.
    public var entries: Int
    /// Σw and Σw² of the in-range bins.
    public var sumW: [Double]
    public var sumW2: [Double]
    /// Σw below the first edge, and at or above the last edge (NaN values included).
    public var underflow: Double
    public var overflow: Double
    /// Σw² of the flow bins.
    public var underflowW2: Double
    public var overflowW2: Double
    /// The factor from Σw to the drawn values (per bin width too with `density`: `values[i] = sumW[i] · scale / width[i]`).
    public var scale: Double
    public var values: [Double]
    public var errors: [Double]

    enum CodingKeys: String, CodingKey {
      case selection, entries, sumW = "sum_w", sumW2 = "sum_w2", underflow, overflow, underflowW2 = "underflow_w2",
        overflowW2 = "overflow_w2", scale, values, errors
    }
  }

  /// Data / simulation of one selection.
  public struct Ratio: Sendable, Codable, Equatable {
    public var selection: String
    public var values: [Double]
    public var errors: [Double]
  }

  public var expression: String
  /// The track expressions actually histogrammed (one per track of the particle).
  public var expressions: [String]
  public var particle: String?
  public var edges: [Double]
  /// Whether the bins are equal (`--bins N --range LO,HI`) rather than given edges.
  public var regular: Bool
  public var selection: String
  public var weight: String?
  public var mcWeight: String?
  public var density: Bool
  public var data: [Histogram]
  /// Empty without a simulation sample.
  public var mc: [Histogram]
  /// Empty without a simulation sample.
  public var ratios: [Ratio]

  enum CodingKeys: String, CodingKey {
    case expression, expressions, particle, edges, regular, selection, weight, mcWeight = "mc_weight", density, data, mc, ratios
  }

  /// - Parameters:
  ///   - particle: a track role of the mode or a column prefix: bare
  ///     variables in the expression, the selection and the overlays refer
  ///     to its columns (`TrackExpressions.rewrite`).
  /// - Throws: `EfficiencyTableError.unknownParticle`, `QueryError` (located).
  public static func compute(
    _ r: Request, particle: String?, mode: CalibrationMode?, data: any ColumnSource, mc: (any ColumnSource)?,
    aliases: [String: String] = [:]
  ) throws -> DistributionComparison {
    let p = try plan(r, particle: particle, mode: mode, data: data, mc: mc, aliases: aliases)
    return p.comparison(
      data: try p.data.query.run(p.data.aggregate, threads: r.threads),
      mc: try p.mc.map { try $0.query.run($0.aggregate, threads: r.threads) })
  }

  /// One sample's scan: its query and the histograms it fills.
  public struct Scan: Sendable {
    public let query: Query
    public let aggregate: SelectionHistogramsAggregate
  }

  /// A comparison ready to run: one scan per sample (to run at once, or
  /// shard by shard: `Query.partial`), and how their sums become the comparison.
  public struct Plan: Sendable {
    public let data: Scan
    /// nil without a simulation sample.
    public let mc: Scan?
    let request: Request
    let particle: String?

    /// The comparison of the scans' results (`mc` with a simulation sample).
    public func comparison(data dataSums: SelectionHistogramsAggregate.Result, mc mcSums: SelectionHistogramsAggregate.Result?)
      -> DistributionComparison
    {
      let r = request
      let labels = r.overlays.isEmpty ? [""] : r.overlays
      let widths = zip(r.axis.edges, r.axis.edges.dropFirst()).map { $1 - $0 }
      func histogram(_ h: HistogramAggregate.Result, _ label: String, scale: Double?) -> Histogram {
        let n = r.axis.bins
        let sumW = Array(h.sumW[1...n]), sumW2 = Array(h.sumW2[1...n])
        let total = sumW.reduce(0, +)
        let s = scale ?? (r.density ? 1 / total : 1)
        let perWidth = r.density
        return Histogram(
          selection: label, entries: h.entries, sumW: sumW, sumW2: sumW2, underflow: h.sumW[0], overflow: h.sumW[n + 1],
          underflowW2: h.sumW2[0], overflowW2: h.sumW2[n + 1], scale: s,
          values: sumW.indices.map { sumW[$0] * s / (perWidth ? widths[$0] : 1) },
          errors: sumW2.indices.map { sumW2[$0].squareRoot() * s / (perWidth ? widths[$0] : 1) })
      }
      let dataHistograms = zip(dataSums.histograms, labels).map { histogram($0, $1, scale: nil) }
      var mcHistograms: [Histogram] = []
      var ratios: [Ratio] = []
      if let mcSums {
        for (k, (h, label)) in zip(mcSums.histograms, labels).enumerated() {
          let mcTotal = h.sumW[1...r.axis.bins].reduce(0, +)
          // density: unit area; otherwise the data's in-range Σw
          let scale = r.density ? 1 / mcTotal : dataHistograms[k].sumW.reduce(0, +) / mcTotal
          let m = histogram(h, label, scale: scale)
          mcHistograms.append(m)
          let d = dataHistograms[k]
          var values: [Double] = [], errors: [Double] = []
          for i in d.values.indices {
            let mv = m.values[i], dv = d.values[i]
            guard mv > 0, mv.isFinite, dv.isFinite else {
              values.append(.nan)
              errors.append(.nan)
              continue
            }
            values.append(dv / mv)
            errors.append((d.errors[i] * d.errors[i] / (mv * mv) + dv * dv * m.errors[i] * m.errors[i] / (mv * mv * mv * mv)).squareRoot())
          }
          ratios.append(Ratio(selection: label, values: values, errors: errors))
        }
      }
      return DistributionComparison(
        expression: r.expression, expressions: data.aggregate.tracks.map(\.expression), particle: particle, edges: r.axis.edges,
        regular: { if case .regular = r.axis.kind { true } else { false } }(), selection: r.selection,
        weight: r.weight, mcWeight: mc == nil ? nil : r.mcWeight, density: r.density, data: dataHistograms, mc: mcHistograms,
        ratios: ratios)
    }
  }

  /// The plan of `compute` (same parameters and errors).
  public static func plan(
    _ r: Request, particle: String?, mode: CalibrationMode?, data: any ColumnSource, mc: (any ColumnSource)?,
    aliases: [String: String] = [:]
  ) throws -> Plan {
    Plan(
      data: try scan(r, weight: r.weight, particle: particle, mode: mode, source: data, aliases: aliases),
      mc: try mc.map { try scan(r, weight: r.mcWeight, particle: particle, mode: mode, source: $0, aliases: aliases) },
      request: r, particle: particle)
  }

  /// One sample's scan: the histogram of every selection.
  static func scan(
    _ r: Request, weight: String?, particle: String?, mode: CalibrationMode?, source: any ColumnSource, aliases: [String: String]
  ) throws -> Scan {
    let overlays = r.overlays.isEmpty ? [""] : r.overlays
    func and(_ a: String, _ b: String) -> String {
      let parts = [a, b].filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
      return parts.count == 2 ? "(\(parts[0])) && (\(parts[1]))" : parts.first ?? ""
    }
    var cut = r.selection
    var tracks = [SelectionHistogramsAggregate.Track(expression: r.expression, selections: overlays)]
    if let particle {
      let columns = source.columns.map(\.name)
      let prefixes = try TrackSelection.prefixes(for: particle, mode: mode, columns: columns)
      let names = Set(columns)
      let rewritten = prefixes.map { p in (p, { (e: String) in TrackExpressions.rewrite(e, prefix: p, columns: names) }) }
      let cuts = rewritten.map { $0.1(r.selection) }
      // a selection on the candidate stays the query's cut (chunks can be skipped); one on the tracks goes to each track
      let perTrack = Set(cuts).count > 1
      cut = perTrack ? "" : cuts[0]
      tracks = rewritten.enumerated().map { k, t in
        .init(expression: t.1(r.expression), selections: overlays.map { o in and(perTrack ? cuts[k] : "", t.1(o)) })
      }
    }
    return Scan(
      query: try Query(cut: cut, weight: weight, aliases: aliases, source: source),
      aggregate: SelectionHistogramsAggregate(axis: r.axis, tracks: tracks))
  }
}

extension DistributionComparison {
  /// Every histogram in the UHI serialisation (Σw, Σw² with flow bins, not
  /// normalised): `data`, `mc` for one selection, `data_1`, `mc_1`, … for
  /// overlays; metadata carry the selection, weight and drawing scale.
  public func uhi() -> [(name: String, histogram: UHIHistogram)] {
    let label = expressions.count == 1 ? expressions[0] : expression
    let axis: UHIHistogram.Axis = regular
      ? .regular(bins: edges.count - 1, lower: edges[0], upper: edges[edges.count - 1], label: label)
      : .variable(edges: edges, label: label)
    var out: [(name: String, histogram: UHIHistogram)] = []
    for (sample, histograms, w) in [("data", data, weight), ("mc", mc, mcWeight)] {
      for (k, h) in histograms.enumerated() {
        var metadata = ["expression": expression, "sample": sample, "selection": [selection, h.selection].filter { !$0.isEmpty }.joined(separator: " && "),
                        "scale": "\(h.scale)", "entries": "\(h.entries)"]
        if let w { metadata["weight"] = w }
        if let particle { metadata["particle"] = particle }
        out.append((
          histograms.count == 1 ? sample : "\(sample)_\(k + 1)",
          UHIHistogram(axes: [axis], values: [h.underflow] + h.sumW + [h.overflow], variances: [h.underflowW2] + h.sumW2 + [h.overflowW2],
                       metadata: metadata)))
      }
    }
    return out
  }
}
