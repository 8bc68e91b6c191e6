/// One 1-D histogram of an expression per selection, in one scan: the
/// distributions of overlaid selections (`syscorr plot --overlay`). Σw and
/// Σw² per bin (flow bins included), never normalised, so partials of
/// chunks, shards or files merge by summation.
///
/// Tracks: a candidate with several tracks of the same species (the two
/// pions of K_S0) contributes each track once, with its own value and
/// selections (the expressions differ only in the column prefix); the
/// candidate's weight applies to each.
public struct SelectionHistogramsAggregate: Aggregate {
  /// One track's expression and selections (the same count for every
  /// track). An empty selection takes every passing row.
  public struct Track: Sendable, Equatable {
    public var expression: String
    public var selections: [String]

    public init(expression: String, selections: [String]) {
      self.expression = expression
      self.selections = selections
    }
  }

  public let tracks: [Track]
  /// The binning; the first track's expression labels the axis.
  public let histogram: HistogramAggregate

  /// - Precondition: at least one track and one selection; every track has
  ///   as many selections as the first.
  public init(axis: HistogramAxis, tracks: [Track]) {
    precondition(!tracks.isEmpty && !tracks[0].selections.isEmpty
      && tracks.allSatisfy { $0.selections.count == tracks[0].selections.count })
    self.tracks = tracks
    self.histogram = HistogramAggregate(tracks[0].expression, axis)
  }

  var selectionCount: Int { tracks[0].selections.count }

  public var inputs: [String] { tracks.map(\.expression) }
  /// Per track, its non-empty selections.
  public var conditions: [String] { tracks.flatMap { $0.selections.filter { !$0.isEmpty } } }

  public struct Partial: Sendable, Codable, Equatable {
    /// Tracks read: passing rows × tracks, before any selection.
    public var tracks: Int
    /// Per selection.
    public var histograms: [HistogramAggregate.Partial]
  }

  public struct Result: Sendable, Codable, Equatable {
    /// Tracks read: passing rows × tracks, before any selection.
    public var tracks: Int
    /// Per selection: Σw, Σw² with flow bins (index 0 underflow, last overflow and NaN).
    public var histograms: [HistogramAggregate.Result]

    public init(tracks: Int, histograms: [HistogramAggregate.Result]) {
      self.tracks = tracks
      self.histograms = histograms
    }
  }

  public var partialBytes: Int {
    let (n, overflow) = histogram.partialBytes.multipliedReportingOverflow(by: selectionCount)
    return overflow ? Int.max : n
  }

  public func makePartial() -> Partial {
    Partial(tracks: 0, histograms: (0..<selectionCount).map { _ in histogram.makePartial() })
  }

  /// Bins each track once, then adds its weight to every selection it passes.
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
        if let w = batch.weights {
          if dense { for j in 0..<m { wv[j] = w[j] } } else { for j in 0..<m { wv[j] = w[Int(rows[j])] } }
        } else {
          wv.initialize(repeating: 1)
        }
        var condition = 0
        for (t, track) in tracks.enumerated() {
          histogram.flatIndices(batch, offset: t, into: idx)
          for (k, selection) in track.selections.enumerated() {
            if selection.isEmpty {
              Self.add(idx, wv, into: &p.histograms[k], entries: m)
            } else {
              // the weight where the row passes, else 0 (a NaN weight of a failing row stays out)
              let n = Self.masked(wv, batch.conditions[condition], rows, dense, into: pv)
              Self.add(idx, pv, into: &p.histograms[k], entries: n)
              condition += 1
            }
          }
        }
      }
    }
  }

  /// `out[j]` = `w[j]` where the flag holds for row j, else 0 (branch-free); returns how many hold.
  static func masked(
    _ w: UnsafeMutableBufferPointer<Double>, _ flags: UnsafePointer<Bool>, _ rows: UnsafeBufferPointer<Int32>, _ dense: Bool,
    into out: UnsafeMutableBufferPointer<Double>
  ) -> Int {
    var n = 0
    for j in 0..<w.count {
      let f = flags[dense ? j : Int(rows[j])]
      out[j] = f ? w[j] : 0
      n &+= Int(unsafeBitCast(f, to: UInt8.self))
    }
    return n
  }

  /// Adds the weights `w` at flat bins `idx` to `h` (Σw and Σw²).
  static func add(
    _ idx: UnsafeMutableBufferPointer<Int32>, _ w: UnsafeMutableBufferPointer<Double>, into h: inout HistogramAggregate.Partial,
    entries: Int
  ) {
    h.sumW.withUnsafeMutableBufferPointer { sw in
      h.sumW2.withUnsafeMutableBufferPointer { sw2 in
        for j in 0..<w.count {
          let k = Int(idx[j])
          let x = w[j]
          sw[k] += x
          sw2[k] += x * x
        }
      }
    }
    h.entries += entries
  }

  public func merge(_ other: Partial, into p: inout Partial) {
    p.tracks += other.tracks
    for k in p.histograms.indices { histogram.merge(other.histograms[k], into: &p.histograms[k]) }
  }

  public func finish(_ p: Partial) -> Result {
    Result(tracks: p.tracks, histograms: p.histograms.map(histogram.finish))
  }
}
