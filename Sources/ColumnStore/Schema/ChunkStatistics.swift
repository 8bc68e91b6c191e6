import CKernels

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
    self = buffer.withUnsafeBytes { ChunkStatistics(type: buffer.type, bytes: $0) }
  }

  /// Statistics of `bytes`, native values of `type`.
  public init(type: ColumnType, bytes: UnsafeRawBufferPointer) {
    let n = bytes.count / type.byteWidth
    var lo = Double.infinity
    var hi = -Double.infinity
    var nans = 0
    func scanInt<T: FixedWidthInteger>(_: T.Type) {
      let a = bytes.bindMemory(to: T.self)
      guard var l = a.first else { return }
      var h = l
      for v in a {
        l = Swift.min(l, v)
        h = Swift.max(h, v)
      }
      lo = Double(l)
      hi = Double(h)
    }
    switch type {
    case .float64:
      syscorr_float64_range(bytes.bindMemory(to: Double.self).baseAddress, n, &lo, &hi, &nans)
    case .float32:
      syscorr_float32_range(bytes.bindMemory(to: Float.self).baseAddress, n, &lo, &hi, &nans)
    case .int64: scanInt(Int64.self)
    case .int32: scanInt(Int32.self)
    case .int16: scanInt(Int16.self)
    case .int8: scanInt(Int8.self)
    case .uint64: scanInt(UInt64.self)
    case .uint32: scanInt(UInt32.self)
    case .uint16: scanInt(UInt16.self)
    case .uint8: scanInt(UInt8.self)
    case .bool:
      let a = bytes.bindMemory(to: UInt8.self)
      if n > 0 {
        lo = a.contains(0) ? 0 : 1
        hi = a.contains { $0 != 0 } ? 1 : 0
      }
    }
    self.init(min: lo, max: hi, nanCount: nans, count: n)
  }

  /// The statistics of the union of two chunks.
  public func merged(with other: ChunkStatistics) -> ChunkStatistics {
    ChunkStatistics(
      min: Swift.min(min, other.min), max: Swift.max(max, other.max),
      nanCount: nanCount + other.nanCount, count: count + other.count)
  }
}
