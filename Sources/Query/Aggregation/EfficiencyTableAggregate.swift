/// The sums behind efficiency tables, for every precut × cut and summed over
/// several tracks, in one scan: per precut j the weighted histogram of the
/// rows (tracks) it selects ("total"), and per precut j and cut i the
/// histogram of those that also pass cut i ("pass"). Σw and Σw² per bin,
/// never ε, so partials of shards, files or years merge by summation.
///
/// Tracks: a candidate with several tracks of the same species (the two
/// pions of K_S0) contributes each track once, with its own axis values and
/// conditions (the expressions differ only in the column prefix); the
/// candidate's weight applies to each.
public struct EfficiencyTableAggregate: Aggregate {
  /// One track's expressions: its axes (one per axis), precuts and cuts
  /// (same counts for every track). An empty precut selects every row.
  public struct Track: Sendable, Equatable {
    public var axes: [String]
    public var precuts: [String]
    public var cuts: [String]

    public init(axes: [String], precuts: [String], cuts: [String]) {
      self.axes = axes
      self.precuts = precuts
      self.cuts = cuts
    }
  }

  public let tracks: [Track]
  /// The binning; expressions of the first track name the axes.
  public let histogram: HistogramAggregate

  /// - Precondition: every track has one expression per axis and the same
  ///   numbers of precuts and cuts; at least one track, one precut and one cut.
  public init(axes: [HistogramAxis], tracks: [Track]) {
    precondition(!tracks.isEmpty && tracks.allSatisfy {
      $0.axes.count == axes.count && $0.precuts.count == tracks[0].precuts.count && $0.cuts.count == tracks[0].cuts.count
    })
    self.tracks = tracks
    self.histogram = HistogramAggregate(Array(zip(tracks[0].axes, axes)))
  }

  var precutCount: Int { tracks[0].precuts.count }
  var cutCount: Int { tracks[0].cuts.count }

  public var inputs: [String] { tracks.flatMap(\.axes) }
  /// Per track: its non-empty precuts, then its cuts.
  public var conditions: [String] { tracks.flatMap { $0.precuts.filter { !$0.isEmpty } + $0.cuts } }

  public struct Partial: Sendable, Codable, Equatable {
    /// Tracks read: selected rows × tracks, before any precut.
    public var tracks: Int
    /// Per precut.
    public var total: [HistogramAggregate.Partial]
    /// Per precut, per cut.
    public var pass: [[HistogramAggregate.Partial]]
  }

  public struct Result: Sendable, Codable, Equatable {
    /// Tracks read: selected rows × tracks, before any precut.
    public var tracks: Int
    public var total: [HistogramAggregate.Result]
    public var pass: [[HistogramAggregate.Result]]

    public init(tracks: Int, total: [HistogramAggregate.Result], pass: [[HistogramAggregate.Result]]) {
      self.tracks = tracks
      self.total = total
      self.pass = pass
    }
  }

  public var partialBytes: Int {
    let (n, overflow) = histogram.partialBytes.multipliedReportingOverflow(by: precutCount * (cutCount + 1))
    return overflow ? Int.max : n
  }

  public func makePartial() -> Partial {
    Partial(
      tracks: 0,
      total: (0..<precutCount).map { _ in histogram.makePartial() },
      pass: (0..<precutCount).map { _ in (0..<cutCount).map { _ in histogram.makePartial() } })
  }

  /// Bins each track once, then adds its weight to every precut it passes
  /// and to every cut it also passes.
  public func consume(_ batch: AggregateBatch, into p: inout Partial) {
    precondition(batch.conditions.count == conditions.count, "the engine must evaluate the conditions (forward `conditions`)")
    let m = batch.rows.count
    guard m > 0 else { return }
    p.tracks += m * tracks.count
    let rows = batch.rows
    let dense = batch.dense
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: m) { idx in
      withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * m) { scratch in
        let wv = UnsafeMutableBufferPointer(rebasing: scratch[0..<m])
        let pv = UnsafeMutableBufferPointer(rebasing: scratch[m..<(2 * m)])
        // the weight of each selected row, gathered once
        if let w = batch.weights {
          if dense { for j in 0..<m { wv[j] = w[j] } } else { for j in 0..<m { wv[j] = w[Int(rows[j])] } }
        } else {
          wv.initialize(repeating: 1)
        }
        var condition = 0
        for (t, track) in tracks.enumerated() {
          histogram.flatIndices(batch, offset: t * histogram.axes.count, into: idx)
          let precutFlags: [UnsafePointer<Bool>?] = track.precuts.map { cut in
            guard !cut.isEmpty else { return nil }
            defer { condition += 1 }
            return batch.conditions[condition]
          }
          let cutFlags = (0..<cutCount).map { batch.conditions[condition + $0] }
          condition += cutCount
          for (j, precut) in precutFlags.enumerated() {
            // the weight where the row passes, else 0 (branch-free; a NaN
            // weight of a failing row stays out of the sums)
            if let precut {
              let selected = Self.masked(wv, precut, rows, dense, into: pv)
              Self.add(idx, pv, into: &p.total[j], entries: selected)
            } else {
              Self.add(idx, wv, into: &p.total[j], entries: m)
            }
            for (i, cut) in cutFlags.enumerated() {
              let passed = precut.map { Self.masked(wv, $0, cut, rows, dense, into: pv) } ?? Self.masked(wv, cut, rows, dense, into: pv)
              Self.add(idx, pv, into: &p.pass[j][i], entries: passed)
            }
          }
        }
      }
    }
  }

  /// `out[j]` = `w[j]` where the flag holds for row j, else 0; returns how many hold.
  static func masked(
    _ w: UnsafeMutableBufferPointer<Double>, _ a: UnsafePointer<Bool>, _ rows: UnsafeBufferPointer<Int32>, _ dense: Bool,
    into out: UnsafeMutableBufferPointer<Double>
  ) -> Int {
    var n = 0
    if dense {
      for j in 0..<w.count {
        let f = a[j]
        out[j] = f ? w[j] : 0
        n &+= Int(unsafeBitCast(f, to: UInt8.self))
      }
    } else {
      for j in 0..<w.count {
        let f = a[Int(rows[j])]
        out[j] = f ? w[j] : 0
        n &+= Int(unsafeBitCast(f, to: UInt8.self))
      }
    }
    return n
  }

  /// `out[j]` = `w[j]` where both flags hold for row j, else 0; returns how many hold.
  static func masked(
    _ w: UnsafeMutableBufferPointer<Double>, _ a: UnsafePointer<Bool>, _ b: UnsafePointer<Bool>,
    _ rows: UnsafeBufferPointer<Int32>, _ dense: Bool, into out: UnsafeMutableBufferPointer<Double>
  ) -> Int {
    var n = 0
    for j in 0..<w.count {
      let r = dense ? j : Int(rows[j])
      let f = a[r] && b[r]
      out[j] = f ? w[j] : 0
      n &+= Int(unsafeBitCast(f, to: UInt8.self))
    }
    return n
  }

  /// Adds weights `wv` at flat bins `idx` to `h` (Σw and Σw²).
  static func add(
    _ idx: UnsafeMutableBufferPointer<Int32>, _ wv: UnsafeMutableBufferPointer<Double>,
    into h: inout HistogramAggregate.Partial, entries: Int
  ) {
    let m = wv.count
    h.sumW.withUnsafeMutableBufferPointer { sw in
      h.sumW2.withUnsafeMutableBufferPointer { sw2 in
        for j in 0..<m {
          let k = Int(idx[j])
          let x = wv[j]
          sw[k] += x
          sw2[k] += x * x
        }
      }
    }
    h.entries += entries
  }

  public func merge(_ other: Partial, into p: inout Partial) {
    p.tracks += other.tracks
    for j in p.total.indices {
      histogram.merge(other.total[j], into: &p.total[j])
      for i in p.pass[j].indices { histogram.merge(other.pass[j][i], into: &p.pass[j][i]) }
    }
  }

  public func finish(_ p: Partial) -> Result {
    Result(tracks: p.tracks, total: p.total.map(histogram.finish), pass: p.pass.map { $0.map(histogram.finish) })
  }
}
