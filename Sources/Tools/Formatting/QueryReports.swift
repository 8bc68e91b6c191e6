import ColumnStore
import Query

// The `--json` shapes of `syscorr query`, encoded by `Output.json`. Keys are
// snake_case; non-finite numbers are the strings "nan", "inf", "-inf".

/// A count (`entries`, `sum_w`, `sum_w2` at the top level) and/or a histogram.
struct QueryReport: Encodable {
  var count: CountAggregate.Result?
  var histogram: HistogramReport?
  /// The file the histogram was written to (`--out`).
  var out: String?

  enum Keys: String, CodingKey { case entries, sumW = "sum_w", sumW2 = "sum_w2", histogram, out }

  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: Keys.self)
    if let count {
      try c.encode(count.entries, forKey: .entries)
      try c.encode(count.sumW, forKey: .sumW)
      try c.encode(count.sumW2, forKey: .sumW2)
    }
    try c.encodeIfPresent(histogram, forKey: .histogram)
    try c.encodeIfPresent(out, forKey: .out)
  }
}

/// `query --pass --json`: the efficiencies, and the file written with `--out`.
struct EfficiencyOutput: Encodable {
  var efficiencies: EfficiencyReport
  var out: String?
}

/// The first passing rows of `query --columns` without `--out`.
struct RowTable: Encodable {
  var columns: [String]
  var values: [ColumnBuffer]
  /// More passing rows exist than were printed.
  var more: Bool

  var rowCount: Int { values.first?.count ?? 0 }

  /// One row's value of one column, typed as stored (integers exact).
  enum Cell: Encodable {
    case integer(Int64), unsigned(UInt64), real(Double), bool(Bool)

    init(_ b: ColumnBuffer, _ i: Int) {
      switch b {
      case .bool(let a): self = .bool(a[i])
      case .uint64(let a): self = .unsigned(a[i])
      case .int64(let a): self = .integer(a[i])
      case .float64, .float32: self = .real(b.double(at: i))
      default: self = .integer(Int64(b.double(at: i)))
      }
    }

    func encode(to encoder: Encoder) throws {
      var c = encoder.singleValueContainer()
      switch self {
      case .integer(let v): try c.encode(v)
      case .unsigned(let v): try c.encode(v)
      case .real(let v): try c.encode(v)
      case .bool(let v): try c.encode(v)
      }
    }

    var text: String {
      switch self {
      case .integer(let v): String(v)
      case .unsigned(let v): String(v)
      case .real(let v): v.isFinite ? String(format: "%.8g", v) : Output.compact(v)
      case .bool(let v): v ? "true" : "false"
      }
    }
  }

  enum CodingKeys: String, CodingKey { case columns, rows, more }

  func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(columns, forKey: .columns)
    try c.encode((0..<rowCount).map { i in values.map { Cell($0, i) } }, forKey: .rows)
    try c.encode(more, forKey: .more)
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
