import ColumnStore

extension HistogramAggregate.Result {
  /// The histogram in the UHI serialisation (boost-histogram / hist read it),
  /// axes labelled with their expressions.
  public func uhi(metadata: [String: String] = [:]) -> UHIHistogram {
    let uhiAxes = zip(axes, expressions).map { a, e -> UHIHistogram.Axis in
      switch a.kind {
      case .regular(let bins, let lower, let upper): .regular(bins: bins, lower: lower, upper: upper, label: e)
      case .variable: .variable(edges: a.edges, label: e)
      }
    }
    var m = metadata
    m["entries"] = "\(entries)"
    return UHIHistogram(axes: uhiAxes, values: sumW, variances: sumW2, metadata: m)
  }
}
