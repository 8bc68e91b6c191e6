/// Summary of one chunk of one column, stored beside the data so that
/// queries can skip chunks and `show-variables --stats` needs no scan.
///
/// `min` and `max` ignore NaN; for a chunk that is all NaN (or empty) they
/// are `+inf` and `-inf`. Integers and bools are converted to `Double`
/// (exact below 2^53, which every counter and PDG code is).
public struct ChunkStatistics: Sendable, Equatable, Codable {
  public var min: Double
  public var max: Double
  public var nanCount: Int
  public var count: Int

  public init(min: Double, max: Double, nanCount: Int, count: Int) {
    self.min = min
    self.max = max
    self.nanCount = nanCount
    self.count = count
  }

  /// Statistics of all values of `buffer`.
  public init(of buffer: ColumnBuffer) {
    var lo = Double.infinity
    var hi = -Double.infinity
    var nans = 0
    func scan<T: BinaryFloatingPoint>(_ a: [T]) {
      var l = T.infinity
      var h = -T.infinity
      var n = 0
      for v in a {
        if v.isNaN { n += 1; continue }
        if v < l { l = v }
        if v > h { h = v }
      }
      lo = Double(l)
      hi = Double(h)
      nans = n
    }
    func scanInt<T: BinaryInteger>(_ a: [T]) {
      guard let l = a.min(), let h = a.max() else { return }
      lo = Double(l)
      hi = Double(h)
    }
    switch buffer {
    case .float64(let a): scan(a)
    case .float32(let a): scan(a)
    case .int64(let a): scanInt(a)
    case .int32(let a): scanInt(a)
    case .int16(let a): scanInt(a)
    case .int8(let a): scanInt(a)
    case .uint64(let a): scanInt(a)
    case .uint32(let a): scanInt(a)
    case .uint16(let a): scanInt(a)
    case .uint8(let a): scanInt(a)
    case .bool(let a):
      if !a.isEmpty {
        lo = a.contains(false) ? 0 : 1
        hi = a.contains(true) ? 1 : 0
      }
    }
    self.init(min: lo, max: hi, nanCount: nans, count: buffer.count)
  }

  /// The statistics of the union of two chunks.
  public func merged(with other: ChunkStatistics) -> ChunkStatistics {
    ChunkStatistics(
      min: Swift.min(min, other.min), max: Swift.max(max, other.max),
      nanCount: nanCount + other.nanCount, count: count + other.count)
  }
}
