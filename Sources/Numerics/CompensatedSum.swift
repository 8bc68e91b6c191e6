/// A Neumaier-compensated sum: exact to about twice double precision.
public struct CompensatedSum: Sendable, Codable, Equatable {
  public var sum: Double = 0
  public var compensation: Double = 0

  @inlinable public init() {}

  @inlinable @inline(__always) public mutating func add(_ x: Double) {
    let t = sum + x
    if Swift.abs(sum) >= Swift.abs(x) {
      compensation += (sum - t) + x
    } else {
      compensation += (x - t) + sum
    }
    sum = t
  }

  @inlinable public mutating func add(_ other: CompensatedSum) {
    add(other.sum)
    add(other.compensation)
  }

  /// The compensated total.
  @inlinable public var value: Double { sum + compensation }
}
