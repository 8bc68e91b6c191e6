/// A contiguous, typed array of column values.
///
/// The engine works on whole chunks of one column at a time; keeping the
/// native element type (rather than widening everything to `Double`) halves
/// memory traffic for float32 and int32 columns.
public enum ColumnBuffer: Sendable, Equatable {
  case float64([Double])
  case float32([Float])
  case int64([Int64])
  case int32([Int32])
  case int16([Int16])
  case int8([Int8])
  case uint64([UInt64])
  case uint32([UInt32])
  case uint16([UInt16])
  case uint8([UInt8])
  case bool([Bool])

  public var type: ColumnType {
    switch self {
    case .float64: .float64
    case .float32: .float32
    case .int64: .int64
    case .int32: .int32
    case .int16: .int16
    case .int8: .int8
    case .uint64: .uint64
    case .uint32: .uint32
    case .uint16: .uint16
    case .uint8: .uint8
    case .bool: .bool
    }
  }

  public var count: Int {
    switch self {
    case .float64(let a): a.count
    case .float32(let a): a.count
    case .int64(let a): a.count
    case .int32(let a): a.count
    case .int16(let a): a.count
    case .int8(let a): a.count
    case .uint64(let a): a.count
    case .uint32(let a): a.count
    case .uint16(let a): a.count
    case .uint8(let a): a.count
    case .bool(let a): a.count
    }
  }

  /// An empty buffer of the given type.
  public static func empty(_ type: ColumnType) -> ColumnBuffer {
    zeroed(type, count: 0)
  }

  /// A buffer of `count` zero values (false for bool).
  public static func zeroed(_ type: ColumnType, count: Int) -> ColumnBuffer {
    switch type {
    case .float64: .float64(Array(repeating: 0, count: count))
    case .float32: .float32(Array(repeating: 0, count: count))
    case .int64: .int64(Array(repeating: 0, count: count))
    case .int32: .int32(Array(repeating: 0, count: count))
    case .int16: .int16(Array(repeating: 0, count: count))
    case .int8: .int8(Array(repeating: 0, count: count))
    case .uint64: .uint64(Array(repeating: 0, count: count))
    case .uint32: .uint32(Array(repeating: 0, count: count))
    case .uint16: .uint16(Array(repeating: 0, count: count))
    case .uint8: .uint8(Array(repeating: 0, count: count))
    case .bool: .bool(Array(repeating: false, count: count))
    }
  }

  /// The value at `index` converted to `Double` (bool gives 0 or 1).
  /// Meant for tests, statistics and display, not for hot loops.
  public func double(at index: Int) -> Double {
    switch self {
    case .float64(let a): a[index]
    case .float32(let a): Double(a[index])
    case .int64(let a): Double(a[index])
    case .int32(let a): Double(a[index])
    case .int16(let a): Double(a[index])
    case .int8(let a): Double(a[index])
    case .uint64(let a): Double(a[index])
    case .uint32(let a): Double(a[index])
    case .uint16(let a): Double(a[index])
    case .uint8(let a): Double(a[index])
    case .bool(let a): a[index] ? 1 : 0
    }
  }

  /// All values converted to `Double`.
  public var doubles: [Double] {
    if case .float64(let a) = self { return a }
    return (0..<count).map(double(at:))
  }

  /// Calls `body` with the values' bytes in native (little-endian) order.
  public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    switch self {
    case .float64(let a): try a.withUnsafeBytes(body)
    case .float32(let a): try a.withUnsafeBytes(body)
    case .int64(let a): try a.withUnsafeBytes(body)
    case .int32(let a): try a.withUnsafeBytes(body)
    case .int16(let a): try a.withUnsafeBytes(body)
    case .int8(let a): try a.withUnsafeBytes(body)
    case .uint64(let a): try a.withUnsafeBytes(body)
    case .uint32(let a): try a.withUnsafeBytes(body)
    case .uint16(let a): try a.withUnsafeBytes(body)
    case .uint8(let a): try a.withUnsafeBytes(body)
    case .bool(let a): try a.withUnsafeBytes(body)
    }
  }

  /// A buffer of `count` values of `type` whose native bytes are written by
  /// `fill`, which receives a buffer of exactly `count * type.byteWidth` bytes.
  /// Bool bytes must be 0 or 1.
  public static func make(
    _ type: ColumnType, count: Int,
    fill: (UnsafeMutableRawBufferPointer) -> Void
  ) -> ColumnBuffer {
    func build<T>(_: T.Type) -> [T] {
      [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        fill(UnsafeMutableRawBufferPointer(buffer))
        initialized = count
      }
    }
    switch type {
    case .float64: return .float64(build(Double.self))
    case .float32: return .float32(build(Float.self))
    case .int64: return .int64(build(Int64.self))
    case .int32: return .int32(build(Int32.self))
    case .int16: return .int16(build(Int16.self))
    case .int8: return .int8(build(Int8.self))
    case .uint64: return .uint64(build(UInt64.self))
    case .uint32: return .uint32(build(UInt32.self))
    case .uint16: return .uint16(build(UInt16.self))
    case .uint8: return .uint8(build(UInt8.self))
    case .bool: return .bool(build(Bool.self))
    }
  }

  /// The values in `range`, as a new buffer.
  public func slice(_ range: Range<Int>) -> ColumnBuffer {
    let width = type.byteWidth
    return withUnsafeBytes { src in
      ColumnBuffer.make(type, count: range.count) { dst in
        dst.copyMemory(from: UnsafeRawBufferPointer(
          rebasing: src[(range.lowerBound * width)..<(range.upperBound * width)]))
      }
    }
  }

  /// The values at the given row indices, in order.
  public func gather(_ rows: [Int]) -> ColumnBuffer {
    switch self {
    case .float64(let a): .float64(rows.map { a[$0] })
    case .float32(let a): .float32(rows.map { a[$0] })
    case .int64(let a): .int64(rows.map { a[$0] })
    case .int32(let a): .int32(rows.map { a[$0] })
    case .int16(let a): .int16(rows.map { a[$0] })
    case .int8(let a): .int8(rows.map { a[$0] })
    case .uint64(let a): .uint64(rows.map { a[$0] })
    case .uint32(let a): .uint32(rows.map { a[$0] })
    case .uint16(let a): .uint16(rows.map { a[$0] })
    case .uint8(let a): .uint8(rows.map { a[$0] })
    case .bool(let a): .bool(rows.map { a[$0] })
    }
  }

  /// The buffers joined end to end. All must share one type.
  public static func concatenate(_ parts: [ColumnBuffer], type: ColumnType) -> ColumnBuffer {
    precondition(parts.allSatisfy { $0.type == type }, "concatenating mixed column types")
    let total = parts.reduce(0) { $0 + $1.count }
    return ColumnBuffer.make(type, count: total) { dst in
      var offset = 0
      for part in parts {
        part.withUnsafeBytes { src in
          UnsafeMutableRawBufferPointer(rebasing: dst[offset..<(offset + src.count)])
            .copyMemory(from: src)
          offset += src.count
        }
      }
    }
  }
}
