/// The kinds of token of the expression language.
public enum TokenKind: Sendable, Equatable {
  case identifier
  case integer(Int64)
  /// A decimal integer too large for Int64 lexes as a float, as basf2 widens
  /// out-of-range integers.
  case float(Double)
  case boolean(Bool)
  case and, or, not  // && and, || or, ! not
  case plus, minus, star, slash, percent, power  // power: ** or ^
  case less, lessEqual, greater, greaterEqual, equal, notEqual
  case leftParen, rightParen, leftBracket, rightBracket, comma
  /// A byte that starts no token (kept so that raw call arguments can hold it).
  case invalid
  case end

  var isComparison: Bool {
    switch self {
    case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual: true
    default: false
    }
  }
}

/// One token with its byte range.
public struct Token: Sendable, Equatable {
  public var kind: TokenKind
  public var range: SourceRange
}
