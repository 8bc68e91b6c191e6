/// A half-open range of UTF-8 byte offsets into an expression's text.
public struct SourceRange: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
  public var lowerBound: Int
  public var upperBound: Int

  public init(_ lowerBound: Int, _ upperBound: Int) {
    self.lowerBound = lowerBound
    self.upperBound = Swift.max(lowerBound, upperBound)
  }

  /// The smallest range covering both.
  public func union(_ other: SourceRange) -> SourceRange {
    SourceRange(Swift.min(lowerBound, other.lowerBound), Swift.max(upperBound, other.upperBound))
  }

  public var description: String { "\(lowerBound)..<\(upperBound)" }
}
