import Foundation

/// The extended binned Poisson NLL over a fine histogram, for samples too large
/// to fit unbinned: expected bin contents ν_b = Σ_k N_k ∫_bin f_k use exact bin
/// integrals (closed forms; quadrature for ARGUS). The value is Baker–Cousins'
/// Σ_b [ν_b − n_b + n_b ln(n_b/ν_b)], which differs from −ln L by a data-only
/// constant and is 0 for a perfect match, so it needs no offsetting.
public struct BinnedExtendedNLL: Sendable {
  public let range: FitRange
  /// Bin contents (sums of weights), equal-width bins over `range`.
  public let counts: [Double]

  /// Histograms `data` (optionally weighted) into `bins` equal bins; events outside are dropped.
  public init(data: [Double], weights: [Double]? = nil, range: FitRange, bins: Int) {
    precondition(bins > 0)
    var c = [Double](repeating: 0, count: bins)
    let scale = Double(bins) / range.width
    for (i, x) in data.enumerated() where range.contains(x) {
      c[min(Int((x - range.lo) * scale), bins - 1)] += weights?[i] ?? 1
    }
    self.init(counts: c, range: range)
  }

  /// Uses given bin contents over equal-width bins of `range`.
  public init(counts: [Double], range: FitRange) {
    self.counts = counts
    self.range = range
  }

  /// Bin edges lo, …, hi.
  public var edges: [Double] {
    (0...counts.count).map { $0 == counts.count ? range.hi : range.lo + range.width * Double($0) / Double(counts.count) }
  }

  /// The expected content of every bin under `model`.
  public func expectedCounts(_ model: ExtendedModel) -> [Double] {
    let shapes = model.species.map { NormalizedShape($0.shape, over: range) }
    let e = edges
    return counts.indices.map { b in
      var s = 0.0
      for (k, sp) in model.species.enumerated() { s += sp.yield * shapes[k].probability(e[b], e[b + 1]) }
      return s
    }
  }

  /// Σ_b [ν_b − n_b + n_b ln(n_b/ν_b)]; bins with ν_b ≤ 0 and n_b > 0 cost a finite penalty.
  public func value(_ model: ExtendedModel) -> Double {
    precondition(model.range == range, "model range \(model.range) ≠ NLL range \(range)")
    guard PreparedModel(model).isValid else { return ExtendedNLL.invalidModelValue }
    var total = CompensatedSum()
    for (n, nu) in zip(counts, expectedCounts(model)) {
      if nu > 0 {
        total.add(nu - n + (n > 0 ? n * log(n / nu) : 0))
      } else {
        total.add(n > 0 ? ExtendedNLL.nonPositiveDensityCost * n + abs(nu) : abs(nu))
      }
    }
    return total.value.isFinite ? total.value : ExtendedNLL.invalidModelValue
  }
}
