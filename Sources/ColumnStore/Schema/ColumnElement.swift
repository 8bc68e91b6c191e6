/// A Swift type stored in a column: one per `ColumnType`. Code that works on
/// every column type is written once, generically over `ColumnElement`, and
/// reached through the one `switch` of `ColumnType.dispatch` (from a type) or
/// `ColumnBuffer.visit` (from values).
public protocol ColumnElement: Sendable, Equatable {
  static var columnType: ColumnType { get }
  /// The value widened to Double (bool: 0 or 1).
  var doubleValue: Double { get }
  /// Wraps an array of this type.
  static func buffer(_ values: [Self]) -> ColumnBuffer
}

/// Work on the Swift type of a `ColumnType`.
public protocol ColumnTypeVisitor {
  associatedtype Output
  associatedtype Failure: Error = Never
  func visit<T: ColumnElement>(_ type: T.Type) throws(Failure) -> Output
}

/// Work on the values of a `ColumnBuffer`.
public protocol ColumnValuesVisitor {
  associatedtype Output
  associatedtype Failure: Error = Never
  func visit<T: ColumnElement>(_ values: [T]) throws(Failure) -> Output
}

extension ColumnType {
  /// Calls `visitor` with the Swift type of this column type.
  @inlinable
  public func dispatch<V: ColumnTypeVisitor>(_ visitor: V) throws(V.Failure) -> V.Output {
    switch self {
    case .float64: try visitor.visit(Double.self)
    case .float32: try visitor.visit(Float.self)
    case .int64: try visitor.visit(Int64.self)
    case .int32: try visitor.visit(Int32.self)
    case .int16: try visitor.visit(Int16.self)
    case .int8: try visitor.visit(Int8.self)
    case .uint64: try visitor.visit(UInt64.self)
    case .uint32: try visitor.visit(UInt32.self)
    case .uint16: try visitor.visit(UInt16.self)
    case .uint8: try visitor.visit(UInt8.self)
    case .bool: try visitor.visit(Bool.self)
    }
  }
}

extension ColumnBuffer {
  /// Calls `visitor` with the typed values.
  @inlinable
  public func visit<V: ColumnValuesVisitor>(_ visitor: V) throws(V.Failure) -> V.Output {
    switch self {
    case .float64(let a): try visitor.visit(a)
    case .float32(let a): try visitor.visit(a)
    case .int64(let a): try visitor.visit(a)
    case .int32(let a): try visitor.visit(a)
    case .int16(let a): try visitor.visit(a)
    case .int8(let a): try visitor.visit(a)
    case .uint64(let a): try visitor.visit(a)
    case .uint32(let a): try visitor.visit(a)
    case .uint16(let a): try visitor.visit(a)
    case .uint8(let a): try visitor.visit(a)
    case .bool(let a): try visitor.visit(a)
    }
  }
}

extension Double: ColumnElement {
  public static var columnType: ColumnType { .float64 }
  public var doubleValue: Double { self }
  public static func buffer(_ values: [Double]) -> ColumnBuffer { .float64(values) }
}
extension Float: ColumnElement {
  public static var columnType: ColumnType { .float32 }
  public var doubleValue: Double { Double(self) }
  public static func buffer(_ values: [Float]) -> ColumnBuffer { .float32(values) }
}
extension Int64: ColumnElement {
  public static var columnType: ColumnType { .int64 }
  public var doubleValue: Double { Double(self) }
  public static func buffer(_ values: [Int64]) -> ColumnBuffer { .int64(values) }
}
extension Int32: ColumnElement {
  public static var columnType: ColumnType { .int32 }
  public var doubleValue: Double { Double(self) }
  public static func buffer(_ values: [Int32]) -> ColumnBuffer { .int32(values) }
}
extension Int16: ColumnElement {
  public static var columnType: ColumnType { .int16 }
  public var doubleValue: Double { Double(self) }
  public static func buffer(_ values: [Int16]) -> ColumnBuffer { .int16(values) }
}
extension Int8: ColumnElement {
  public static var columnType: ColumnType { .int8 }
  public var doubleValue: Double { Double(self) }
  public static func buffer(_ values: [Int8]) -> ColumnBuffer { .int8(values) }
}
extension UInt64: ColumnElement {
  public static var columnType: ColumnType { .uint64 }
  public var doubleValue: Double { Double(self) }
  public static func buffer(_ values: [UInt64]) -> ColumnBuffer { .uint64(values) }
}
extension UInt32: ColumnElement {
  public static var columnType: ColumnType { .uint32 }
  public var doubleValue: Double { Double(self) }
  public static func buffer(_ values: [UInt32]) -> ColumnBuffer { .uint32(values) }
}
extension UInt16: ColumnElement {
  public static var columnType: ColumnType { .uint16 }
  public var doubleValue: Double { Double(self) }
  public static func buffer(_ values: [UInt16]) -> ColumnBuffer { .uint16(values) }
}
extension UInt8: ColumnElement {
  public static var columnType: ColumnType { .uint8 }
  public var doubleValue: Double { Double(self) }
  public static func buffer(_ values: [UInt8]) -> ColumnBuffer { .uint8(values) }
}
extension Bool: ColumnElement {
  public static var columnType: ColumnType { .bool }
  public var doubleValue: Double { self ? 1 : 0 }
  public static func buffer(_ values: [Bool]) -> ColumnBuffer { .bool(values) }
}
