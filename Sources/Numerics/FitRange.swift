/// The fit range [lo, hi]: the observable's domain, used for normalisation,
/// yields and the Chebychev mapping alike (fits-and-splot.md §0).
public struct FitRange: Sendable, Codable, Equatable, Hashable {
  public var lo: Double
  public var hi: Double

  /// A range with `lo < hi` (checked with a precondition).
  public init(_ lo: Double, _ hi: Double) {
    precondition(lo < hi, "FitRange needs lo < hi, got [\(lo), \(hi)]")
    self.lo = lo
    self.hi = hi
  }

  /// Whether `x` lies in the closed interval.
  @inlinable public func contains(_ x: Double) -> Bool { x >= lo && x <= hi }

  /// hi − lo.
  @inlinable public var width: Double { hi - lo }
}
