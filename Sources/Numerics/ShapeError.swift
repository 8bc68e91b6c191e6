/// Why a `Shape` could not be built from a kind string and named parameters.
public enum ShapeError: Error, Equatable, CustomStringConvertible {
  /// The `kind:` string names no known shape.
  case unknownKind(String)
  /// A parameter the kind needs is absent.
  case missingParameter(kind: String, name: String)
  /// A parameter is present but unusable (e.g. σ ≤ 0).
  case invalidParameter(kind: String, name: String, value: Double, reason: String)
  /// A parameter name the kind does not use.
  case unexpectedParameter(kind: String, name: String)

  public var description: String {
    switch self {
    case .unknownKind(let k):
      return "unknown shape kind '\(k)'; known kinds: \(Shape.knownKinds.joined(separator: ", "))"
    case .missingParameter(let k, let n): return "shape '\(k)' needs parameter '\(n)'"
    case .invalidParameter(let k, let n, let v, let r): return "shape '\(k)': parameter '\(n)' = \(v) \(r)"
    case .unexpectedParameter(let k, let n): return "shape '\(k)' has no parameter '\(n)'"
    }
  }
}
