/// Binary operators of the expression language.
public enum BinaryOperator: String, Sendable, Codable, CaseIterable {
  case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%", power = "**"
  case and = "&&", or = "||"
}

/// Comparison operators (chainable).
public enum ComparisonOperator: String, Sendable, Codable, CaseIterable {
  case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">=", equal = "==", notEqual = "!="

  init?(_ kind: TokenKind) {
    switch kind {
    case .less: self = .less
    case .lessEqual: self = .lessEqual
    case .greater: self = .greater
    case .greaterEqual: self = .greaterEqual
    case .equal: self = .equal
    case .notEqual: self = .notEqual
    default: return nil
    }
  }
}

public enum UnaryOperator: String, Sendable, Codable {
  case negate = "-", plus = "+", not = "!"
}

/// How a group was written; `[ ]` may hold only conditions.
public enum GroupKind: Sendable, Codable { case parentheses, brackets }

/// A parsed expression: the syntax tree before names are resolved.
public indirect enum Expr: Sendable, Equatable {
  case integer(Int64, SourceRange)
  case float(Double, SourceRange)
  case boolean(Bool, SourceRange)
  case name(String, SourceRange)
  case unary(UnaryOperator, Expr, SourceRange)
  case binary(BinaryOperator, Expr, Expr, SourceRange)
  /// `a op b` or `a op b op c`: operands has 2 or 3 elements, ops one fewer.
  case comparison([Expr], [ComparisonOperator], SourceRange)
  /// A builtin function call with parsed arguments; `nameRange` covers the name.
  case call(String, [Expr], nameRange: SourceRange, SourceRange)
  /// A call to a non-builtin name (a basf2 metavariable): its arguments are
  /// kept verbatim, split on top-level commas and trimmed.
  case rawCall(String, [String], text: String, SourceRange)
  case group(GroupKind, Expr, SourceRange)

  public var range: SourceRange {
    switch self {
    case .integer(_, let r), .float(_, let r), .boolean(_, let r), .name(_, let r),
      .unary(_, _, let r), .binary(_, _, _, let r), .comparison(_, _, let r),
      .call(_, _, _, let r), .rawCall(_, _, _, let r), .group(_, _, let r):
      r
    }
  }
}

extension Expr: CustomStringConvertible {
  /// A fully parenthesised rendering, for plans and tests.
  public var description: String {
    switch self {
    case .integer(let v, _): "\(v)"
    case .float(let v, _): "\(v)"
    case .boolean(let v, _): "\(v)"
    case .name(let n, _): n
    case .unary(let op, let e, _): "(\(op == .not ? "!" : op.rawValue)\(e))"
    case .binary(let op, let a, let b, _): "(\(a) \(op.rawValue) \(b))"
    case .comparison(let xs, let ops, _):
      "(" + xs.indices.map { i in (i > 0 ? " \(ops[i - 1].rawValue) " : "") + xs[i].description }.joined() + ")"
    case .call(let n, let args, _, _): "\(n)(\(args.map(\.description).joined(separator: ", ")))"
    case .rawCall(_, _, let text, _): text
    case .group(_, let e, _): e.description
    }
  }
}
