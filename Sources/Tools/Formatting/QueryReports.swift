import Query

// The `--json` shapes of `syscorr query`, encoded by `Output.json`. Keys are
// snake_case; non-finite numbers are the strings "nan", "inf", "-inf".

/// A count (`entries`, `sum_w`, `sum_w2` at the top level) and/or a histogram.
struct QueryReport: Encodable {
  var count: CountAggregate.Result?
  var histogram: HistogramReport?

  enum Keys: String, CodingKey { case entries, sumW = "sum_w", sumW2 = "sum_w2", histogram }

  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: Keys.self)
    if let count {
      try c.encode(count.entries, forKey: .entries)
      try c.encode(count.sumW, forKey: .sumW)
      try c.encode(count.sumW2, forKey: .sumW2)
    }
    try c.encodeIfPresent(histogram, forKey: .histogram)
  }
}

/// A histogram: axes (expression and edges), Σw and Σw² per bin, flow bins included.
struct HistogramReport: Encodable {
  struct Axis: Encodable {
    var expression: String
    var edges: [Double]
  }
  var axes: [Axis]
  var entries: Int
  var layout = "row-major, first axis slowest; per axis index 0 is underflow, bins+1 overflow (and NaN)"
  var sumW: [Double]
  var sumW2: [Double]
  /// The result, for the text table.
  let result: HistogramAggregate.Result

  init(_ h: HistogramAggregate.Result) {
    axes = zip(h.expressions, h.axes).map { Axis(expression: $0, edges: $1.edges) }
    entries = h.entries
    sumW = h.sumW
    sumW2 = h.sumW2
    result = h
  }

  enum CodingKeys: String, CodingKey { case axes, entries, layout, sumW = "sum_w", sumW2 = "sum_w2" }
}

/// Efficiencies: the total histogram and, per pass cut, its histogram, ε and σ per bin.
struct EfficiencyReport: Encodable {
  struct Cut: Encodable {
    var cut: String
    var pass: HistogramReport
    var efficiency: [Double]
    var error: [Double]
  }
  var total: HistogramReport
  var cuts: [Cut]

  init(_ e: EfficiencyAggregate.Result) {
    total = HistogramReport(e.total)
    cuts = e.cuts.map { Cut(cut: $0.cut, pass: HistogramReport($0.pass), efficiency: $0.efficiency, error: $0.error) }
  }
}

/// What a row export wrote.
struct RowsWritten: Encodable {
  var entries: Int
  var columns: [String]
  var out: String
}
