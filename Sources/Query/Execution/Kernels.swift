import ColumnStore

/// A stored element type, widened to the language's types inside kernels.
protocol StoredNumber {
  var asDouble: Double { get }
  var asInt64: Int64 { get }
  static var isFloatingPoint: Bool { get }
}

extension StoredNumber {
  static var isFloatingPoint: Bool { false }
}
extension Double: StoredNumber {
  static var isFloatingPoint: Bool { true }
  @inline(__always) var asDouble: Double { self }
  @inline(__always) var asInt64: Int64 { Int64(self) }
}
extension Float: StoredNumber {
  static var isFloatingPoint: Bool { true }
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
/// uint64 columns compute as float64 (`ValueType(storage:)`); `asInt64` is never used for them.
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
  @inline(__always) static func d(_ a: Double, _ b: Double) -> Bool { ScalarMath.almostEqual(a, b) }
  @inline(__always) static func i(_ a: Int64, _ b: Int64) -> Bool { a == b }
}
enum NotAlmostEqualOp: CompareOp {
  @inline(__always) static func d(_ a: Double, _ b: Double) -> Bool { !ScalarMath.almostEqual(a, b) }
  @inline(__always) static func i(_ a: Int64, _ b: Int64) -> Bool { a != b }
}

/// `abs(column) op c` on a float column, specialised per operator.
struct AbsCompare<T: StoredNumber & FloatingPoint>: CompareOpVisitor {
  let p: UnsafePointer<T>, c: Double, sel: Selection, out: UnsafeMutablePointer<Int32>
  func visit<Op: CompareOp>(_: Op.Type) -> Int { Kernels.selectAbsStored(p, c, sel, out, Op.self) }
}

/// Work specialised on a comparison (its `CompareOp` type).
protocol CompareOpVisitor {
  associatedtype Output
  func visit<Op: CompareOp>(_: Op.Type) -> Output
}

extension ComparisonOperator {
  /// The one switch from an operator (and the float equality in force) to
  /// its `CompareOp` type; integers compare exactly either way.
  @inline(__always)
  func dispatch<V: CompareOpVisitor>(_ equality: FloatEquality, _ v: V) -> V.Output {
    switch self {
    case .less: v.visit(LessOp.self)
    case .lessEqual: v.visit(LessEqualOp.self)
    case .greater: v.visit(GreaterOp.self)
    case .greaterEqual: v.visit(GreaterEqualOp.self)
    case .equal: equality == .exact ? v.visit(EqualOp.self) : v.visit(AlmostEqualOp.self)
    case .notEqual: equality == .exact ? v.visit(NotEqualOp.self) : v.visit(NotAlmostEqualOp.self)
    }
  }

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
    struct Compare<Op: CompareOp>: StoredTypeVisitor {
      let raw: UnsafeRawPointer, c: Scalar, sel: Selection, out: UnsafeMutablePointer<Int32>
      func visit<T: StoredNumber>(_: T.Type) -> Int {
        let p = raw.assumingMemoryBound(to: T.self)
        // an integer constant against an integer column compares exactly as integers
        if case .int64(let ci) = c, !T.isFloatingPoint { return Kernels.selectStoredInt(p, ci, sel, out, Op.self) }
        return Kernels.selectStoredFloat(p, c.double, sel, out, Op.self)
      }
    }
    struct WithOp: CompareOpVisitor {
      let raw: UnsafeRawPointer, storage: ColumnType, c: Scalar, sel: Selection, out: UnsafeMutablePointer<Int32>
      func visit<Op: CompareOp>(_: Op.Type) -> Int {
        if storage == .uint64 {
          return Kernels.selectUInt64Exact(raw.assumingMemoryBound(to: UInt64.self), c, sel, out, Op.self)
        }
        return storage.dispatchStored(Compare<Op>(raw: raw, c: c, sel: sel, out: out))
      }
    }
    return op.dispatch(eq, WithOp(raw: raw, storage: storage, c: c, sel: sel, out: out))
  }

  /// `u op c` for a uint64 column, exactly (no rounding of u to a double, no
  /// wrap above 2^63): each row's order against c (−1, 0, 1) is compared with 0.
  static func selectUInt64Exact<Op: CompareOp>(
    _ p: UnsafePointer<UInt64>, _ c: Scalar, _ sel: Selection, _ out: UnsafeMutablePointer<Int32>, _: Op.Type
  ) -> Int {
    switch c {
    case .float64(let d) where d.isNaN:
      let verdict = Op.d(0, .nan)  // NaN: false for every ordered comparison and ==, true for !=
      return sel.filter(into: out) { _ in verdict }
    case .float64(let d):
      if d < 0 { return sel.filter(into: out) { _ in Op.i(1, 0) } }
      if d >= 0x1p64 { return sel.filter(into: out) { _ in Op.i(-1, 0) } }
      let floor = d.rounded(.down)
      let whole = UInt64(floor)
      let fractional = d != floor
      return sel.filter(into: out) { i in
        let u = p[i]
        let order: Int64 = u < whole ? -1 : u > whole ? 1 : (fractional ? -1 : 0)
        return Op.i(order, 0)
      }
    case .int64(let k):
      if k < 0 { return sel.filter(into: out) { _ in Op.i(1, 0) } }
      let w = UInt64(k)
      return sel.filter(into: out) { i in Op.i(p[i] < w ? -1 : p[i] > w ? 1 : 0, 0) }
    case .bool(let b):
      let w: UInt64 = b ? 1 : 0
      return sel.filter(into: out) { i in Op.i(p[i] < w ? -1 : p[i] > w ? 1 : 0, 0) }
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
    op.dispatch(eq, AbsCompare(p: p, c: c, sel: sel, out: out))
  }

  /// Selects rows where `a op b` for two vectors (or a vector and a constant,
  /// `b` nil), as floats or as integers.
  static func select(
    floats a: UnsafePointer<Double>, _ b: UnsafePointer<Double>?, constant: Double, _ op: ComparisonOperator,
    _ eq: FloatEquality, _ sel: Selection, _ out: UnsafeMutablePointer<Int32>
  ) -> Int {
    struct Floats: CompareOpVisitor {
      let a: UnsafePointer<Double>, b: UnsafePointer<Double>?, c: Double, sel: Selection, out: UnsafeMutablePointer<Int32>
      func visit<Op: CompareOp>(_: Op.Type) -> Int {
        if let b { return Kernels.selectFloats(a, b, sel, out, Op.self) }
        return Kernels.selectFloatsConstant(a, c, sel, out, Op.self)
      }
    }
    return op.dispatch(eq, Floats(a: a, b: b, c: constant, sel: sel, out: out))
  }

  static func select(
    ints a: UnsafePointer<Int64>, _ b: UnsafePointer<Int64>?, constant: Int64, _ op: ComparisonOperator,
    _ sel: Selection, _ out: UnsafeMutablePointer<Int32>
  ) -> Int {
    struct Ints: CompareOpVisitor {
      let a: UnsafePointer<Int64>, b: UnsafePointer<Int64>?, c: Int64, sel: Selection, out: UnsafeMutablePointer<Int32>
      func visit<Op: CompareOp>(_: Op.Type) -> Int {
        if let b { return Kernels.selectInts(a, b, sel, out, Op.self) }
        return Kernels.selectIntsConstant(a, c, sel, out, Op.self)
      }
    }
    return op.dispatch(.exact, Ints(a: a, b: b, c: constant, sel: sel, out: out))
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
    struct Widen: StoredTypeVisitor {
      let raw: UnsafeRawPointer, sel: Selection, out: UnsafeMutablePointer<Double>
      func visit<T: StoredNumber>(_: T.Type) {
        let p = raw.assumingMemoryBound(to: T.self)
        sel.forEach { out[$0] = p[$0].asDouble }
      }
    }
    storage.dispatchStored(Widen(raw: raw, sel: sel, out: out))
  }

  static func widenToInt64(
    _ raw: UnsafeRawPointer, _ storage: ColumnType, _ sel: Selection, _ out: UnsafeMutablePointer<Int64>
  ) {
    struct Widen: StoredTypeVisitor {
      let raw: UnsafeRawPointer, sel: Selection, out: UnsafeMutablePointer<Int64>
      func visit<T: StoredNumber>(_: T.Type) {
        let p = raw.assumingMemoryBound(to: T.self)
        sel.forEach { out[$0] = p[$0].asInt64 }
      }
    }
    storage.dispatchStored(Widen(raw: raw, sel: sel, out: out))
  }
}

/// Work on the Swift type of a stored column, as a `StoredNumber`.
protocol StoredTypeVisitor {
  associatedtype Output
  func visit<T: StoredNumber>(_: T.Type) -> Output
}

extension ColumnType {
  /// The one switch from a stored column type to its Swift type for the
  /// kernels (specialised per type: these are the engine's hot loops).
  @inline(__always)
  func dispatchStored<V: StoredTypeVisitor>(_ v: V) -> V.Output {
    switch self {
    case .float64: v.visit(Double.self)
    case .float32: v.visit(Float.self)
    case .int64: v.visit(Int64.self)
    case .int32: v.visit(Int32.self)
    case .int16: v.visit(Int16.self)
    case .int8: v.visit(Int8.self)
    case .uint64: v.visit(UInt64.self)
    case .uint32: v.visit(UInt32.self)
    case .uint16: v.visit(UInt16.self)
    case .uint8: v.visit(UInt8.self)
    case .bool: v.visit(Bool.self)
    }
  }
}
