import ColumnStore

/// A stored element type, widened to the language's types inside kernels.
protocol StoredNumber {
  var asDouble: Double { get }
  var asInt64: Int64 { get }
}
extension Double: StoredNumber {
  @inline(__always) var asDouble: Double { self }
  @inline(__always) var asInt64: Int64 { Int64(self) }
}
extension Float: StoredNumber {
  @inline(__always) var asDouble: Double { Double(self) }
  @inline(__always) var asInt64: Int64 { Int64(self) }
}
extension Int64: StoredNumber {
  @inline(__always) var asDouble: Double { Double(self) }
  @inline(__always) var asInt64: Int64 { self }
}
extension Int32: StoredNumber {
  @inline(__always) var asDouble: Double { Double(self) }
  @inline(__always) var asInt64: Int64 { Int64(self) }
}
extension Int16: StoredNumber {
  @inline(__always) var asDouble: Double { Double(self) }
  @inline(__always) var asInt64: Int64 { Int64(self) }
}
extension Int8: StoredNumber {
  @inline(__always) var asDouble: Double { Double(self) }
  @inline(__always) var asInt64: Int64 { Int64(self) }
}
/// uint64 values above Int64.max wrap when used as integers (documented).
extension UInt64: StoredNumber {
  @inline(__always) var asDouble: Double { Double(self) }
  @inline(__always) var asInt64: Int64 { Int64(truncatingIfNeeded: self) }
}
extension UInt32: StoredNumber {
  @inline(__always) var asDouble: Double { Double(self) }
  @inline(__always) var asInt64: Int64 { Int64(self) }
}
extension UInt16: StoredNumber {
  @inline(__always) var asDouble: Double { Double(self) }
  @inline(__always) var asInt64: Int64 { Int64(self) }
}
extension UInt8: StoredNumber {
  @inline(__always) var asDouble: Double { Double(self) }
  @inline(__always) var asInt64: Int64 { Int64(self) }
}
extension Bool: StoredNumber {
  @inline(__always) var asDouble: Double { self ? 1 : 0 }
  @inline(__always) var asInt64: Int64 { self ? 1 : 0 }
}

/// A comparison, specialised into kernels as a type parameter.
protocol CompareOp {
  static func d(_ a: Double, _ b: Double) -> Bool
  static func i(_ a: Int64, _ b: Int64) -> Bool
}
enum LessOp: CompareOp {
  @inline(__always) static func d(_ a: Double, _ b: Double) -> Bool { a < b }
  @inline(__always) static func i(_ a: Int64, _ b: Int64) -> Bool { a < b }
}
enum LessEqualOp: CompareOp {
  @inline(__always) static func d(_ a: Double, _ b: Double) -> Bool { a <= b }
  @inline(__always) static func i(_ a: Int64, _ b: Int64) -> Bool { a <= b }
}
enum GreaterOp: CompareOp {
  @inline(__always) static func d(_ a: Double, _ b: Double) -> Bool { a > b }
  @inline(__always) static func i(_ a: Int64, _ b: Int64) -> Bool { a > b }
}
enum GreaterEqualOp: CompareOp {
  @inline(__always) static func d(_ a: Double, _ b: Double) -> Bool { a >= b }
  @inline(__always) static func i(_ a: Int64, _ b: Int64) -> Bool { a >= b }
}
enum EqualOp: CompareOp {
  @inline(__always) static func d(_ a: Double, _ b: Double) -> Bool { a == b }
  @inline(__always) static func i(_ a: Int64, _ b: Int64) -> Bool { a == b }
}
enum NotEqualOp: CompareOp {
  @inline(__always) static func d(_ a: Double, _ b: Double) -> Bool { a != b }
  @inline(__always) static func i(_ a: Int64, _ b: Int64) -> Bool { a != b }
}
enum AlmostEqualOp: CompareOp {
  @inline(__always) static func d(_ a: Double, _ b: Double) -> Bool { Numerics.almostEqual(a, b) }
  @inline(__always) static func i(_ a: Int64, _ b: Int64) -> Bool { a == b }
}
enum NotAlmostEqualOp: CompareOp {
  @inline(__always) static func d(_ a: Double, _ b: Double) -> Bool { !Numerics.almostEqual(a, b) }
  @inline(__always) static func i(_ a: Int64, _ b: Int64) -> Bool { a != b }
}

extension ComparisonOperator {
  /// The operator with its operands swapped: `c < x` is `x > c`.
  var flipped: ComparisonOperator {
    switch self {
    case .less: .greater
    case .lessEqual: .greaterEqual
    case .greater: .less
    case .greaterEqual: .lessEqual
    case .equal: .equal
    case .notEqual: .notEqual
    }
  }
}

enum Kernels {
  // MARK: Column against constant (no temporaries)

  static func selectStoredFloat<T: StoredNumber, Op: CompareOp>(
    _ p: UnsafePointer<T>, _ c: Double, _ sel: Selection, _ out: UnsafeMutablePointer<Int32>, _: Op.Type
  ) -> Int {
    sel.filter(into: out) { Op.d(p[$0].asDouble, c) }
  }

  static func selectStoredInt<T: StoredNumber, Op: CompareOp>(
    _ p: UnsafePointer<T>, _ c: Int64, _ sel: Selection, _ out: UnsafeMutablePointer<Int32>, _: Op.Type
  ) -> Int {
    sel.filter(into: out) { Op.i(p[$0].asInt64, c) }
  }

  /// Selects rows where stored column `raw` (of `storage`) compares with `c`.
  static func selectColumnConstant(
    _ raw: UnsafeRawPointer, _ storage: ColumnType, _ c: Scalar, _ op: ComparisonOperator, _ eq: FloatEquality,
    _ sel: Selection, _ out: UnsafeMutablePointer<Int32>
  ) -> Int {
    func go<Op: CompareOp>(_ o: Op.Type) -> Int {
      if case .int64(let ci) = c {
        switch storage {
        case .int64: return selectStoredInt(raw.assumingMemoryBound(to: Int64.self), ci, sel, out, o)
        case .int32: return selectStoredInt(raw.assumingMemoryBound(to: Int32.self), ci, sel, out, o)
        case .int16: return selectStoredInt(raw.assumingMemoryBound(to: Int16.self), ci, sel, out, o)
        case .int8: return selectStoredInt(raw.assumingMemoryBound(to: Int8.self), ci, sel, out, o)
        case .uint64: return selectStoredInt(raw.assumingMemoryBound(to: UInt64.self), ci, sel, out, o)
        case .uint32: return selectStoredInt(raw.assumingMemoryBound(to: UInt32.self), ci, sel, out, o)
        case .uint16: return selectStoredInt(raw.assumingMemoryBound(to: UInt16.self), ci, sel, out, o)
        case .uint8: return selectStoredInt(raw.assumingMemoryBound(to: UInt8.self), ci, sel, out, o)
        case .bool: return selectStoredInt(raw.assumingMemoryBound(to: Bool.self), ci, sel, out, o)
        case .float64, .float32: break
        }
      }
      let cd = c.double
      switch storage {
      case .float64: return selectStoredFloat(raw.assumingMemoryBound(to: Double.self), cd, sel, out, o)
      case .float32: return selectStoredFloat(raw.assumingMemoryBound(to: Float.self), cd, sel, out, o)
      case .int64: return selectStoredFloat(raw.assumingMemoryBound(to: Int64.self), cd, sel, out, o)
      case .int32: return selectStoredFloat(raw.assumingMemoryBound(to: Int32.self), cd, sel, out, o)
      case .int16: return selectStoredFloat(raw.assumingMemoryBound(to: Int16.self), cd, sel, out, o)
      case .int8: return selectStoredFloat(raw.assumingMemoryBound(to: Int8.self), cd, sel, out, o)
      case .uint64: return selectStoredFloat(raw.assumingMemoryBound(to: UInt64.self), cd, sel, out, o)
      case .uint32: return selectStoredFloat(raw.assumingMemoryBound(to: UInt32.self), cd, sel, out, o)
      case .uint16: return selectStoredFloat(raw.assumingMemoryBound(to: UInt16.self), cd, sel, out, o)
      case .uint8: return selectStoredFloat(raw.assumingMemoryBound(to: UInt8.self), cd, sel, out, o)
      case .bool: return selectStoredFloat(raw.assumingMemoryBound(to: Bool.self), cd, sel, out, o)
      }
    }
    switch op {
    case .less: return go(LessOp.self)
    case .lessEqual: return go(LessEqualOp.self)
    case .greater: return go(GreaterOp.self)
    case .greaterEqual: return go(GreaterEqualOp.self)
    case .equal: return eq == .exact ? go(EqualOp.self) : go(AlmostEqualOp.self)
    case .notEqual: return eq == .exact ? go(NotEqualOp.self) : go(NotAlmostEqualOp.self)
    }
  }

  static func selectAbsStored<T: StoredNumber & FloatingPoint, Op: CompareOp>(
    _ p: UnsafePointer<T>, _ c: Double, _ sel: Selection, _ out: UnsafeMutablePointer<Int32>, _: Op.Type
  ) -> Int {
    sel.filter(into: out) { Op.d(Swift.abs(p[$0]).asDouble, c) }
  }

  /// Selects rows where `abs(column) op c` for a float column.
  static func selectAbsColumnConstant<T: StoredNumber & FloatingPoint>(
    _ p: UnsafePointer<T>, _ c: Double, _ op: ComparisonOperator, _ eq: FloatEquality, _ sel: Selection,
    _ out: UnsafeMutablePointer<Int32>
  ) -> Int {
    switch op {
    case .less: return selectAbsStored(p, c, sel, out, LessOp.self)
    case .lessEqual: return selectAbsStored(p, c, sel, out, LessEqualOp.self)
    case .greater: return selectAbsStored(p, c, sel, out, GreaterOp.self)
    case .greaterEqual: return selectAbsStored(p, c, sel, out, GreaterEqualOp.self)
    case .equal:
      return eq == .exact ? selectAbsStored(p, c, sel, out, EqualOp.self) : selectAbsStored(p, c, sel, out, AlmostEqualOp.self)
    case .notEqual:
      return eq == .exact
        ? selectAbsStored(p, c, sel, out, NotEqualOp.self) : selectAbsStored(p, c, sel, out, NotAlmostEqualOp.self)
    }
  }

  // MARK: Vectors

  static func selectFloats<Op: CompareOp>(
    _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ sel: Selection, _ out: UnsafeMutablePointer<Int32>,
    _: Op.Type
  ) -> Int {
    sel.filter(into: out) { Op.d(a[$0], b[$0]) }
  }
  static func selectFloatsConstant<Op: CompareOp>(
    _ a: UnsafePointer<Double>, _ c: Double, _ sel: Selection, _ out: UnsafeMutablePointer<Int32>, _: Op.Type
  ) -> Int {
    sel.filter(into: out) { Op.d(a[$0], c) }
  }
  static func selectInts<Op: CompareOp>(
    _ a: UnsafePointer<Int64>, _ b: UnsafePointer<Int64>, _ sel: Selection, _ out: UnsafeMutablePointer<Int32>,
    _: Op.Type
  ) -> Int {
    sel.filter(into: out) { Op.i(a[$0], b[$0]) }
  }
  static func selectIntsConstant<Op: CompareOp>(
    _ a: UnsafePointer<Int64>, _ c: Int64, _ sel: Selection, _ out: UnsafeMutablePointer<Int32>, _: Op.Type
  ) -> Int {
    sel.filter(into: out) { Op.i(a[$0], c) }
  }

  /// Widens stored values at the selected rows into `out`.
  static func widenToDouble(
    _ raw: UnsafeRawPointer, _ storage: ColumnType, _ sel: Selection, _ out: UnsafeMutablePointer<Double>
  ) {
    func go<T: StoredNumber>(_: T.Type) {
      let p = raw.assumingMemoryBound(to: T.self)
      sel.forEach { out[$0] = p[$0].asDouble }
    }
    switch storage {
    case .float64: go(Double.self)
    case .float32: go(Float.self)
    case .int64: go(Int64.self)
    case .int32: go(Int32.self)
    case .int16: go(Int16.self)
    case .int8: go(Int8.self)
    case .uint64: go(UInt64.self)
    case .uint32: go(UInt32.self)
    case .uint16: go(UInt16.self)
    case .uint8: go(UInt8.self)
    case .bool: go(Bool.self)
    }
  }

  static func widenToInt64(
    _ raw: UnsafeRawPointer, _ storage: ColumnType, _ sel: Selection, _ out: UnsafeMutablePointer<Int64>
  ) {
    func go<T: StoredNumber>(_: T.Type) {
      let p = raw.assumingMemoryBound(to: T.self)
      sel.forEach { out[$0] = p[$0].asInt64 }
    }
    switch storage {
    case .float64: go(Double.self)
    case .float32: go(Float.self)
    case .int64: go(Int64.self)
    case .int32: go(Int32.self)
    case .int16: go(Int16.self)
    case .int8: go(Int8.self)
    case .uint64: go(UInt64.self)
    case .uint32: go(UInt32.self)
    case .uint16: go(UInt16.self)
    case .uint8: go(UInt8.self)
    case .bool: go(Bool.self)
    }
  }
}
