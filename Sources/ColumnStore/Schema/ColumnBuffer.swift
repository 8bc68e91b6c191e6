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
    visit(ElementType())
  }

  public var count: Int {
    visit(ElementCount())
  }

  /// An empty buffer of the given type.
  public static func empty(_ type: ColumnType) -> ColumnBuffer {
    zeroed(type, count: 0)
  }

  /// A buffer of `count` zero values (false for bool).
  public static func zeroed(_ type: ColumnType, count: Int) -> ColumnBuffer {
    type.dispatch(Zeros(count: count))
  }

  /// The value at `index` converted to `Double` (bool gives 0 or 1).
  /// Meant for tests, statistics and display, not for hot loops.
  public func double(at index: Int) -> Double {
    visit(ValueAsDouble(index: index))
  }

  /// All values converted to `Double`.
  public var doubles: [Double] {
    if case .float64(let a) = self { return a }
    return (0..<count).map(double(at:))
  }

  /// Calls `body` with the values' bytes in native (little-endian) order.
  public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    // the one byte-level switch (rethrows cannot pass through a visitor)
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
    return withoutActuallyEscaping(fill) { fill in type.dispatch(Build(count: count, fill: fill)) }
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
    visit(Gather(rows: rows))
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

// MARK: - The visitors behind the type-generic members

private struct ElementType: ColumnValuesVisitor {
  func visit<T: ColumnElement>(_ values: [T]) -> ColumnType { T.columnType }
}

private struct ElementCount: ColumnValuesVisitor {
  func visit<T: ColumnElement>(_ values: [T]) -> Int { values.count }
}

private struct ValueAsDouble: ColumnValuesVisitor {
  let index: Int
  func visit<T: ColumnElement>(_ values: [T]) -> Double { values[index].doubleValue }
}

private struct Gather: ColumnValuesVisitor {
  let rows: [Int]
  func visit<T: ColumnElement>(_ values: [T]) -> ColumnBuffer { T.buffer(rows.map { values[$0] }) }
}

private struct Zeros: ColumnTypeVisitor {
  let count: Int
  func visit<T: ColumnElement>(_ type: T.Type) -> ColumnBuffer {
    // every element type's zero (and false) is all-zero bytes
    T.buffer([T](unsafeUninitializedCapacity: count) { buffer, initialized in
      UnsafeMutableRawBufferPointer(buffer).initializeMemory(as: UInt8.self, repeating: 0)
      initialized = count
    })
  }
}

private struct Build: ColumnTypeVisitor {
  let count: Int
  let fill: (UnsafeMutableRawBufferPointer) -> Void
  func visit<T: ColumnElement>(_ type: T.Type) -> ColumnBuffer {
    T.buffer([T](unsafeUninitializedCapacity: count) { buffer, initialized in
      fill(UnsafeMutableRawBufferPointer(buffer))
      initialized = count
    })
  }
}
