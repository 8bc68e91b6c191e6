import ColumnStore

/// The three value types of the language. Narrower stored columns are
/// widened on read: every float becomes `float64`, every integer `int64`.
public enum ValueType: String, Sendable, Codable, CustomStringConvertible {
  case bool, int64, float64

  /// uint64 computes as float64, as numpy promotes uint64 with signed integers:
  /// monotone and never wrapped (exact to 2^53); a bare uint64 column compared
  /// with a constant is compared exactly (`Kernels.selectUInt64Exact`).
  public init(storage: ColumnType) {
    if storage == .bool { self = .bool } else if storage.isFloatingPoint || storage == .uint64 { self = .float64 } else { self = .int64 }
  }

  public var description: String { rawValue }
  var isNumeric: Bool { self != .bool }
}

/// One value of the language.
public enum Scalar: Sendable, Equatable, Codable, CustomStringConvertible {
  case bool(Bool)
  case int64(Int64)
  case float64(Double)

  public var type: ValueType {
    switch self {
    case .bool: .bool
    case .int64: .int64
    case .float64: .float64
    }
  }

  /// The value as a Double (bool gives 0 or 1).
  public var double: Double {
    switch self {
    case .bool(let b): b ? 1 : 0
    case .int64(let i): Double(i)
    case .float64(let d): d
    }
  }

  /// The value as an Int64 (floats truncate; only used after type checks).
  var int: Int64 {
    switch self {
    case .bool(let b): b ? 1 : 0
    case .int64(let i): i
    case .float64(let d): d.isFinite && abs(d) < 9.2e18 ? Int64(d) : 0
    }
  }

  /// Truth as a condition: bool itself, int non-zero, float non-zero and not NaN.
  public var truth: Bool {
    switch self {
    case .bool(let b): b
    case .int64(let i): i != 0
    case .float64(let d): d != 0 && !d.isNaN
    }
  }

  public var description: String {
    switch self {
    case .bool(let b): "\(b)"
    case .int64(let i): "\(i)"
    case .float64(let d): "\(d)"
    }
  }
}

/// How `==` and `!=` treat floats.
public enum FloatEquality: String, Sendable, Codable {
  /// IEEE equality, as numpy, polars and C: `0.1 + 0.2 == 0.3` is false, NaN equals nothing.
  case exact
  /// basf2's `almostEqualDouble`: equal when within 2 units in the last place
  /// (or IEEE-equal); NaN still equals nothing (basf2's same-bit-pattern quirk is not copied).
  case basf2
}

/// Scalar semantics shared by kernels and constant folding.
enum ScalarMath {
  /// Python/numpy remainder: the result has the sign of the divisor.
  @inline(__always) static func remainder(_ a: Double, _ b: Double) -> Double {
    let r = a.truncatingRemainder(dividingBy: b)
    if r != 0, (r < 0) != (b < 0) { return r + b }
    return r
  }

  /// numpy integer remainder: sign of the divisor; `x % 0 == 0`.
  @inline(__always) static func remainder(_ a: Int64, _ b: Int64) -> Int64 {
    if b == 0 { return 0 }
    if b == -1 { return 0 }
    let r = a % b
    if r != 0, (r < 0) != (b < 0) { return r &+ b }
    return r
  }

  /// Within 2 ULPs, or IEEE-equal (so ±0 are equal); NaN is never equal.
  @inline(__always) static func almostEqual(_ a: Double, _ b: Double) -> Bool {
    if a == b { return true }
    if a.isNaN || b.isNaN { return false }
    let ia = Int64(bitPattern: a.bitPattern)
    let ib = Int64(bitPattern: b.bitPattern)
    // Map the sign-magnitude bit patterns to a monotone integer line.
    let ma = ia < 0 ? Int64.min &- ia : ia
    let mb = ib < 0 ? Int64.min &- ib : ib
    let d = ma.subtractingReportingOverflow(mb)
    if d.overflow { return false }
    return d.partialValue.magnitude <= 2
  }

  /// numpy's minimum/maximum: NaN propagates.
  @inline(__always) static func minimum(_ a: Double, _ b: Double) -> Double {
    a.isNaN || b.isNaN ? .nan : (b < a ? b : a)
  }
  @inline(__always) static func maximum(_ a: Double, _ b: Double) -> Double {
    a.isNaN || b.isNaN ? .nan : (b > a ? b : a)
  }
  @inline(__always) static func abs(_ a: Int64) -> Int64 { a < 0 ? 0 &- a : a }
}
