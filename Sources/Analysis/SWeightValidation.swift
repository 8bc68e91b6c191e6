import ColumnStore
import Foundation
import Modes
import Query

/// The checks of freshly written sWeights: both sPlot sum rules, and — on
/// simulation — the sWeighted PID efficiency of the mode's probe track
/// against the truth-matched efficiency of the same selected candidates, in
/// the standard momentum bins. sPlot is unbiased when the PID is independent
/// of the mass within each species, so the pulls should scatter around 0
/// with width 1.
public struct SWeightValidation: Sendable, Codable, Equatable {
  /// The probe: its PID column and cut, binned in its momentum.
  public struct Probe: Sendable, Codable, Equatable {
    public var pid: String
    public var threshold: Double
    public var momentum: String
    public var edges: [Double]
  }

  public struct Bin: Sendable, Codable, Equatable {
    public var lo: Double
    public var hi: Double
    public var sweighted: Efficiency
    public var truth: Efficiency?
    public var pull: Double?
  }

  public struct Efficiency: Sendable, Codable, Equatable {
    public var value: Double
    public var error: Double
  }

  public var friend: String
  public var checks: SPlotChecks
  public var probe: Probe?
  public var bins: [Bin]
  /// max |pull| over the bins with a truth comparison.
  public var maxAbsPull: Double?

  enum CodingKeys: String, CodingKey {
    case friend, checks, probe, bins, maxAbsPull = "max_abs_pull"
  }

  /// The standard momentum bins of the PID tables (GeV/c).
  public static let momentumEdges = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4.5]

  /// The probe of a mode: its first track, the PID of that track's own
  /// species, cut at 0.5.
  public static func probe(of mode: CalibrationMode) -> Probe? {
    guard let track = mode.tracks.first, !track.prefix.isEmpty else { return nil }
    let hypothesis: String
    switch abs(track.pdg) {
    case 321: hypothesis = "kaonID"
    case 211: hypothesis = "pionID"
    case 2212: hypothesis = "protonID"
    case 11: hypothesis = "electronID"
    case 13: hypothesis = "muonID"
    default: return nil
    }
    return Probe(pid: "\(track.prefix)_\(hypothesis)", threshold: 0.5, momentum: "\(track.prefix)_p", edges: momentumEdges)
  }

  /// Reads the set with its new friend version `friend` (`sweights_v2`).
  public init(store: Store, proc: String, sample: String, mode: CalibrationMode, friend: String, checks: SPlotChecks,
              threads: Int? = nil) throws {
    self.friend = friend
    self.checks = checks
    let suffix = friend.hasPrefix(SWeightColumns.friendName + "_") ? String(friend.dropFirst(SWeightColumns.friendName.count)) : ""
    let names = SWeightColumns.names
    let set = try store.open(proc: proc, mode: mode.name, sample: sample)
    guard let probe = Self.probe(of: mode), set.column(named: probe.pid) != nil, set.column(named: probe.momentum) != nil
    else {
      probe = nil
      bins = []
      maxAbsPull = nil
      return
    }
    self.probe = probe
    let axes: [(String, HistogramAxis)] = [(probe.momentum, try .variable(probe.edges))]
    let pass = "\(probe.pid) > \(probe.threshold)"
    let sweighted = try Query(cut: names.inFit + suffix, weight: names.signal + suffix, source: set)
      .run(EfficiencyAggregate(axes, pass: pass), threads: threads)
    var truth: EfficiencyAggregate.Result?
    if set.column(named: mode.truthVariable) != nil {
      truth = try Query(cut: "\(names.inFit + suffix) && \(mode.truthVariable) == 1", source: set)
        .run(EfficiencyAggregate(axes, pass: pass), threads: threads)
    }
    var bins: [Bin] = []
    for b in 1..<probe.edges.count {
      let e = sweighted.cuts[0]
      var bin = Bin(lo: probe.edges[b - 1], hi: probe.edges[b], sweighted: Efficiency(value: e.efficiency[b], error: e.error[b]))
      if let t = truth?.cuts[0] {
        bin.truth = Efficiency(value: t.efficiency[b], error: t.error[b])
        let sigma = (e.error[b] * e.error[b] + t.error[b] * t.error[b]).squareRoot()
        if sigma > 0 { bin.pull = (e.efficiency[b] - t.efficiency[b]) / sigma }
      }
      bins.append(bin)
    }
    self.bins = bins
    let pulls = bins.compactMap(\.pull).filter(\.isFinite)
    maxAbsPull = pulls.isEmpty ? nil : pulls.map(abs).max()
  }
}
