import ColumnStore
import Foundation
import Numerics
import Query

/// Per-event PID weights for several tracks from one weight table
/// (`perform_multitrack_calibration.py`): w = Π_t r(bin of t), with
///
///     (σ_stat/w)² = Σ_bins (k_b · σ_stat,b / r_b)²      (tracks in one bin: 100 % correlated, k_b of them)
///      σ_sys/w    = Σ_t σ_sys,t / r_t                    (systematic: 100 % correlated across bins, as SysVar)
///
/// separately for the up and down uncertainties. An event with a track
/// outside the table, or in a bin without a ratio (empty data or MC), gets
/// NaN weights and `<name>_valid` false; it is counted per track and reason,
/// never given a sentinel value, and left out of the mean weight.
public struct MultiTrackWeights: Sendable {
  public var table: WeightTable
  /// Index into `table.tables`: the cut (and precut) applied.
  public var entry: Int
  /// Column prefixes of the tracks (`D0_K`, `D0_pi`).
  public var tracks: [String]
  /// Name of the derived columns: `<name>`, `<name>_stat_up`, … `<name>_valid`.
  public var name: String

  public init(table: WeightTable, entry: Int, tracks: [String], name: String = "pid_weight") {
    self.table = table
    self.entry = entry
    self.tracks = tracks
    self.name = name
  }

  /// The table entry of `cut` and `precut`; without `cut`, the only one of the precut.
  /// - Throws: `MultiTrackError.ambiguousEntry` / `.noSuchEntry` listing the choices.
  public static func entry(in table: WeightTable, cut: String?, precut: String = "") throws -> Int {
    let choices = table.tables.map { ($0.precut.isEmpty ? "" : "precut \($0.precut), ") + $0.cut }
    let candidates = table.tables.indices.filter { table.tables[$0].precut == precut && (cut == nil || table.tables[$0].cut == cut) }
    if candidates.count == 1 { return candidates[0] }
    if candidates.isEmpty { throw MultiTrackError.noSuchEntry(cut ?? precut, choices: choices) }
    throw MultiTrackError.ambiguousEntry(choices: choices)
  }

  /// What the weighting found.
  public struct Summary: Sendable, Codable, Equatable {
    public var rows: Int
    public var valid: Int
    /// Per track prefix: rows whose track lies outside the table's axes (NaN included).
    public var outside: [String: Int]
    /// Per track prefix: rows whose track's bin has no ratio.
    public var noRatio: [String: Int]
    /// The mean weight over valid rows (NaN when none).
    public var meanWeight: Double
    public var columns: [String]

    enum CodingKeys: String, CodingKey { case rows, valid, outside, columns, noRatio = "no_ratio", meanWeight = "mean_weight" }
  }

  /// The names of the derived columns, in order.
  public var columnNames: [String] {
    [name, name + "_stat_up", name + "_stat_dn", name + "_sys_up", name + "_sys_dn", name + "_valid"]
  }

  /// The expressions read per track: its axis variables.
  public func inputs(columns: Set<String>) -> [String] {
    tracks.flatMap { t in table.axes.map { TrackExpressions.rewrite($0.variable, prefix: t, columns: columns) } }
  }

  /// Every row of `source`, in order, handed to `sink` in chunks of derived columns.
  /// - Throws: `MultiTrackError.missingVariable` when a track lacks an axis variable.
  public func run(
    source: any ColumnSource, aliases: [String: String] = [:], threads: Int? = nil,
    sink: @escaping ([String: ColumnBuffer]) throws -> Void
  ) throws -> Summary {
    let columns = Set(source.columns.map(\.name))
    let inputs = inputs(columns: columns)
    for (k, e) in inputs.enumerated() where !columns.contains(e) && aliases[e] == nil {
      throw MultiTrackError.missingVariable(track: tracks[k / table.axes.count], variable: table.axes[k % table.axes.count].variable)
    }
    let lookup = Lookup(table: table, entry: entry)
    let state = WeightSink(weights: self, lookup: lookup, sink: sink)
    _ = try Query(aliases: aliases, source: source).run(RowStream(inputs, sink: state), threads: threads)
    var s = state.summary
    s.meanWeight = s.valid > 0 ? state.sum.value / Double(s.valid) : .nan
    s.columns = columnNames
    return s
  }

  /// Bin search over the table's axes.
  struct Lookup: Sendable {
    let axes: [[Double]]
    let bins: [Int: WeightTable.Bin]  // flat index (row-major, in-range bins) → bin
    let strides: [Int]

    init(table: WeightTable, entry: Int) {
      axes = table.axes.map(\.edges)
      var s = [Int](repeating: 1, count: axes.count)
      for d in stride(from: axes.count - 2, through: 0, by: -1) { s[d] = s[d + 1] * (axes[d + 1].count - 1) }
      strides = s
      var map: [Int: WeightTable.Bin] = [:]
      for b in table.tables[entry].bins { map[zip(b.index, s).reduce(0) { $0 + $1.0 * $1.1 }] = b }
      bins = map
    }

    /// The flat bin of a track's values, nil outside ([lo, hi) per axis; NaN is outside).
    func flat(_ values: ArraySlice<Double>) -> Int? {
      var k = 0
      for (d, x) in values.enumerated() {
        let e = axes[d]
        guard x >= e[0], x < e[e.count - 1] else { return nil }
        // the last edge ≤ x
        var lo = 0, hi = e.count - 1
        while hi - lo > 1 {
          let mid = (lo + hi) / 2
          if e[mid] <= x { lo = mid } else { hi = mid }
        }
        k += lo * strides[d]
      }
      return k
    }
  }
}

/// Computes the derived columns of each chunk of rows (calls arrive in row order).
final class WeightSink: RowSink, @unchecked Sendable {
  let weights: MultiTrackWeights
  let lookup: MultiTrackWeights.Lookup
  let sink: ([String: ColumnBuffer]) throws -> Void
  var summary = MultiTrackWeights.Summary(rows: 0, valid: 0, outside: [:], noRatio: [:], meanWeight: .nan, columns: [])
  var sum = CompensatedSum()

  init(weights: MultiTrackWeights, lookup: MultiTrackWeights.Lookup, sink: @escaping ([String: ColumnBuffer]) throws -> Void) {
    self.weights = weights
    self.lookup = lookup
    self.sink = sink
    for t in weights.tracks {
      summary.outside[t] = 0
      summary.noRatio[t] = 0
    }
  }

  func receive(_ columns: [ColumnBuffer]) throws {
    let n = columns.first?.count ?? 0
    let nAxes = lookup.axes.count
    let values = columns.map(\.doubles)
    var out = [[Double]](repeating: [Double](repeating: .nan, count: n), count: 5)
    var valid = [Bool](repeating: false, count: n)
    var row = [Double](repeating: 0, count: nAxes)
    // per row: the flat bin of each track (few tracks: a linear scan groups shared bins)
    var flats = [Int](repeating: 0, count: weights.tracks.count)
    for i in 0..<n {
      var ok = true
      for (t, track) in weights.tracks.enumerated() {
        for a in 0..<nAxes { row[a] = values[t * nAxes + a][i] }
        guard let k = lookup.flat(row[...]) else {
          summary.outside[track, default: 0] += 1
          ok = false
          continue
        }
        guard let b = lookup.bins[k], b.ratio.isFinite, b.ratio != 0 else {
          summary.noRatio[track, default: 0] += 1
          ok = false
          continue
        }
        flats[t] = k
      }
      guard ok else { continue }
      var w = 1.0, up = 0.0, dn = 0.0, sysUp = 0.0, sysDn = 0.0
      for t in flats.indices where !flats[..<t].contains(flats[t]) {
        let b = lookup.bins[flats[t]]!
        let k = flats[t...].reduce(0) { $0 + ($1 == flats[t] ? 1 : 0) }
        w *= pow(b.ratio, Double(k))
        let kk = Double(k)
        up += (kk * b.statUp / b.ratio) * (kk * b.statUp / b.ratio)
        dn += (kk * b.statDown / b.ratio) * (kk * b.statDown / b.ratio)
        sysUp += kk * b.sysUp / b.ratio
        sysDn += kk * b.sysDown / b.ratio
      }
      out[0][i] = w
      out[1][i] = abs(w) * up.squareRoot()
      out[2][i] = abs(w) * dn.squareRoot()
      out[3][i] = abs(w) * sysUp
      out[4][i] = abs(w) * sysDn
      valid[i] = true
      summary.valid += 1
      sum.add(w)
    }
    summary.rows += n
    var chunk: [String: ColumnBuffer] = [:]
    for (k, name) in weights.columnNames.dropLast().enumerated() { chunk[name] = .float64(out[k]) }
    chunk[weights.columnNames.last!] = .bool(valid)
    try sink(chunk)
  }
}

public enum MultiTrackError: Error, Sendable, Equatable {
  case missingVariable(track: String, variable: String)
  /// The table has several cuts (or precuts): say which.
  case ambiguousEntry(choices: [String])
  case noSuchEntry(String, choices: [String])
}
