import Numerics

/// The sums behind efficiency tables, for every precut × cut, summed over
/// several tracks and for several weights, in one scan: per precut j the
/// weighted histogram of the rows (tracks) it selects ("total"), and per
/// precut j and cut i the histogram of those that also pass cut i ("pass").
/// Σw and Σw² per bin, never ε, so partials of shards, files or years merge
/// by summation.
///
/// Tracks: a candidate with several tracks of the same species (the two
/// pions of K_S0) contributes each track once, with its own axis values and
/// conditions (the expressions differ only in the column prefix); the
/// candidate's weight applies to each.
///
/// Weights: `weights` lists weight expressions (the nominal and the
/// systematic sWeight); each gets its own tables, weighted by it times the
/// query's weight. None: one set of tables with the query's weight.
///
/// How it is filled: each track is binned once, and the conditions it
/// passes form a code of a few bits; one scatter-add per track and weight
/// into `bins × 2^bits` cells replaces a histogram fill per precut and cut.
/// The tables are sums of cells (`finish`). Up to `maxBits` conditions share
/// one code; with more, each precut gets its own codes (its bit and its cuts,
/// in groups).
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
  /// Weight expressions, one set of tables each; empty: the query's weight.
  public let weights: [String]
  /// The binning; expressions of the first track name the axes.
  public let histogram: HistogramAggregate
  let layout: Layout

  /// Conditions that share one code, at most.
  static let maxBits = 6

  /// - Precondition: every track has one expression per axis and the same
  ///   numbers of precuts and cuts; at least one track, one precut and one cut.
  public init(axes: [HistogramAxis], tracks: [Track], weights: [String] = []) {
    precondition(!tracks.isEmpty)
    precondition(tracks.allSatisfy {
      $0.axes.count == axes.count && $0.precuts.count == tracks[0].precuts.count && $0.cuts.count == tracks[0].cuts.count
        && zip($0.precuts, tracks[0].precuts).allSatisfy { $0.isEmpty == $1.isEmpty }
    })
    precondition(!tracks[0].precuts.isEmpty && !tracks[0].cuts.isEmpty)
    self.tracks = tracks
    self.weights = weights
    self.histogram = HistogramAggregate(Array(zip(tracks[0].axes, axes)))
    self.layout = Layout(precuts: tracks[0].precuts.map { !$0.isEmpty }, cuts: tracks[0].cuts.count, maxBits: Self.maxBits)
  }

  var precutCount: Int { tracks[0].precuts.count }
  var cutCount: Int { tracks[0].cuts.count }
  var variantCount: Int { max(1, weights.count) }

  public var inputs: [String] { tracks.flatMap(\.axes) + weights }
  /// Per track: its non-empty precuts, then its cuts.
  public var conditions: [String] { tracks.flatMap { $0.precuts.filter { !$0.isEmpty } + $0.cuts } }

  /// Which conditions form each code, and which codes each table sums.
  struct Layout: Sendable {
    /// Per fill, the track's conditions (local numbering: non-empty
    /// precuts, then cuts) that are its code's bits.
    var fills: [[Int]]
    /// A table: the fill and the bits a code must have.
    struct Cells: Sendable { var fill: Int; var required: Int }
    var total: [Cells]
    var pass: [[Cells]]

    init(precuts: [Bool], cuts: Int, maxBits: Int) {
      var local = 0
      let precutCondition = precuts.map { nonEmpty -> Int? in
        guard nonEmpty else { return nil }
        defer { local += 1 }
        return local
      }
      let cutCondition = (0..<cuts).map { local + $0 }
      if local + cuts <= maxBits {
        // one code: every precut's and cut's bit
        fills = [Array(0..<(local + cuts))]
        total = precutCondition.map { Cells(fill: 0, required: $0.map { 1 << $0 } ?? 0) }
        pass = precutCondition.map { p in
          cutCondition.map { Cells(fill: 0, required: (p.map { 1 << $0 } ?? 0) | 1 << $0) }
        }
        return
      }
      // per precut: its bit (if any) and its cuts in groups
      fills = []
      total = []
      pass = []
      for p in precutCondition {
        let head = p.map { [$0] } ?? []
        let size = maxBits - head.count
        var row: [Cells] = []
        for start in stride(from: 0, to: cuts, by: size) {
          let group = Array(cutCondition[start..<min(cuts, start + size)])
          if start == 0 { total.append(Cells(fill: fills.count, required: p == nil ? 0 : 1)) }
          for (b, _) in group.enumerated() {
            row.append(Cells(fill: fills.count, required: (p == nil ? 0 : 1) | 1 << (head.count + b)))
          }
          fills.append(head + group)
        }
        pass.append(row)
      }
    }
  }

  public struct Partial: Sendable, Codable, Equatable {
    /// Tracks read: selected rows × tracks, before any precut.
    public var tracks: Int
    /// Per weight, per fill: Σw and Σw² of `bins × 2^bits` cells (bin-major).
    public var cells: [[HistogramAggregate.Partial]]
    /// Per fill, tracks per code.
    public var codes: [[Int]]
  }

  /// The histograms of one weight's tables.
  public struct Sums: Sendable, Codable, Equatable {
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
    let cells = layout.fills.reduce(0) { $0 + (1 << $1.count) }
    let (n, overflow) = histogram.partialBytes.multipliedReportingOverflow(by: cells * variantCount)
    return overflow ? Int.max : n
  }

  public func makePartial() -> Partial {
    let size = histogram.size
    func cells(_ bits: Int) -> HistogramAggregate.Partial {
      let z = [Double](repeating: 0, count: size << bits)
      return HistogramAggregate.Partial(entries: 0, sumW: z, sumW2: z, sumWCompensation: z, sumW2Compensation: z)
    }
    return Partial(
      tracks: 0,
      cells: (0..<variantCount).map { _ in layout.fills.map { cells($0.count) } },
      codes: layout.fills.map { [Int](repeating: 0, count: 1 << $0.count) })
  }

  /// Bins each track once, codes the conditions it passes, and adds each
  /// weight to its cell.
  public func consume(_ batch: AggregateBatch, into p: inout Partial) {
    precondition(batch.conditions.count == conditions.count, "the engine must evaluate the conditions (forward `conditions`)")
    let m = batch.rows.count
    guard m > 0 else { return }
    p.tracks += m * tracks.count
    let rows = batch.rows
    let dense = batch.dense
    let variants = variantCount
    let firstWeight = tracks.count * histogram.axes.count
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * m) { scratch in
      let idx = UnsafeMutableBufferPointer(rebasing: scratch[0..<m])
      let cell = UnsafeMutableBufferPointer(rebasing: scratch[m..<(2 * m)])
      withUnsafeTemporaryAllocation(of: Double.self, capacity: variants * m) { wv in
        // the weights of each selected row, gathered once
        for v in 0..<variants {
          let out = wv.baseAddress! + v * m
          let base = batch.weights
          let extra = weights.isEmpty ? nil : batch.values[firstWeight + v].floats
          switch (base, extra) {
          case (nil, nil): for j in 0..<m { out[j] = 1 }
          case (let b?, nil): for j in 0..<m { out[j] = b[dense ? j : Int(rows[j])] }
          case (nil, let e?): for j in 0..<m { out[j] = e[dense ? j : Int(rows[j])] }
          case (let b?, let e?): for j in 0..<m { let r = dense ? j : Int(rows[j]); out[j] = b[r] * e[r] }
          }
        }
        let perTrack = conditions.count / tracks.count
        for t in tracks.indices {
          histogram.flatIndices(batch, offset: t * histogram.axes.count, into: idx)
          for (f, bits) in layout.fills.enumerated() {
            // cell = bin × 2^bits + code
            let shift = Int32(bits.count)
            for j in 0..<m { cell[j] = idx[j] &<< shift }
            for (b, c) in bits.enumerated() {
              let flag = batch.conditions[t * perTrack + c]
              // branch-free (a Bool is one byte, 0 or 1)
              let b = Int32(b)
              if dense {
                for j in 0..<m { cell[j] |= Int32(unsafeBitCast(flag[j], to: UInt8.self)) &<< b }
              } else {
                for j in 0..<m { cell[j] |= Int32(unsafeBitCast(flag[Int(rows[j])], to: UInt8.self)) &<< b }
              }
            }
            let mask = Int(1 << bits.count) - 1
            var counts: [Int] = []
            swap(&counts, &p.codes[f])
            counts.withUnsafeMutableBufferPointer { codes in
              Self.add(cell, wv.baseAddress!, into: &p.cells[0][f], counting: codes.baseAddress!, mask: mask)
            }
            swap(&counts, &p.codes[f])
            for v in 1..<variants {
              Self.add(cell, wv.baseAddress! + v * m, into: &p.cells[v][f], counting: nil, mask: 0)
            }
          }
        }
      }
    }
  }

  /// Adds weights `w` at cells `cell` to `h` (Σw and Σw²), and counts the
  /// codes (`cell & mask`) in `counting` when given.
  @inline(__always)
  static func add(
    _ cell: UnsafeMutableBufferPointer<Int32>, _ w: UnsafePointer<Double>, into h: inout HistogramAggregate.Partial,
    counting: UnsafeMutablePointer<Int>?, mask: Int
  ) {
    h.sumW.withUnsafeMutableBufferPointer { sw in
      h.sumW2.withUnsafeMutableBufferPointer { sw2 in
        let sw = sw.baseAddress!, sw2 = sw2.baseAddress!
        if let counting {
          for j in 0..<cell.count {
            let k = Int(cell[j])
            let x = w[j]
            sw[k] += x
            sw2[k] += x * x
            counting[k & mask] += 1
          }
        } else {
          for j in 0..<cell.count {
            let k = Int(cell[j])
            let x = w[j]
            sw[k] += x
            sw2[k] += x * x
          }
        }
      }
    }
    h.entries += cell.count
  }

  public func merge(_ other: Partial, into p: inout Partial) {
    p.tracks += other.tracks
    for v in p.cells.indices {
      for f in p.cells[v].indices { histogram.merge(other.cells[v][f], into: &p.cells[v][f]) }
    }
    for f in p.codes.indices {
      for c in p.codes[f].indices { p.codes[f][c] += other.codes[f][c] }
    }
  }

  /// One set of tables per weight.
  public func finish(_ p: Partial) -> [Sums] {
    p.cells.map { fills in
      func table(_ t: Layout.Cells) -> HistogramAggregate.Result {
        let bits = layout.fills[t.fill].count
        let h = fills[t.fill]
        let codes = (0..<(1 << bits)).filter { $0 & t.required == t.required }
        var sumW = [Double](repeating: 0, count: histogram.size)
        var sumW2 = sumW
        for k in 0..<histogram.size {
          var w = CompensatedSum()
          var w2 = CompensatedSum()
          for c in codes {
            let i = k << bits | c
            w.add(h.sumW[i])
            w.add(h.sumWCompensation[i])
            w2.add(h.sumW2[i])
            w2.add(h.sumW2Compensation[i])
          }
          sumW[k] = w.value
          sumW2[k] = w2.value
        }
        let entries = codes.reduce(0) { $0 + p.codes[t.fill][$1] }
        return HistogramAggregate.Result(
          axes: histogram.axes, expressions: histogram.inputs, entries: entries, sumW: sumW, sumW2: sumW2)
      }
      return Sums(tracks: p.tracks, total: layout.total.map(table), pass: layout.pass.map { $0.map(table) })
    }
  }
}
