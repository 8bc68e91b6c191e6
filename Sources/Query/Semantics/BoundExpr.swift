import ColumnStore

/// Arithmetic operators after binding (both operands of one type).
public enum ArithmeticOperator: String, Sendable, Codable {
  case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%", power = "**"
}

/// An expression with names resolved to column slots and every node typed.
/// Operands of arithmetic and comparisons have already been cast to one type.
public indirect enum BoundExpr: Sendable, Equatable {
  /// A column, read through `slot` (an index into the query's column list).
  case column(slot: Int, name: String, storage: ColumnType)
  case constant(Scalar)
  /// int64 → float64, bool → int64 or bool → float64.
  case cast(BoundExpr, ValueType)
  case negate(BoundExpr)
  case arithmetic(ArithmeticOperator, BoundExpr, BoundExpr)
  /// 2 or 3 operands of one type (`int64` or `float64`), chained with `and`;
  /// the middle operand is evaluated once.
  case comparison([BoundExpr], [ComparisonOperator])
  case and([BoundExpr])
  case or([BoundExpr])
  case not(BoundExpr)
  /// A number used as a condition: non-zero and not NaN.
  case truth(BoundExpr)
  /// A builtin other than `where`; arguments already cast as the result needs.
  case function(Builtin, [BoundExpr], ValueType)
  case select(BoundExpr, BoundExpr, BoundExpr)

  public var type: ValueType {
    switch self {
    case .column(_, _, let storage): ValueType(storage: storage)
    case .constant(let s): s.type
    case .cast(_, let t): t
    case .negate(let e): e.type
    case .arithmetic(let op, let a, _): (op == .divide || op == .power) ? .float64 : a.type
    case .comparison, .and, .or, .not, .truth: .bool
    case .function(_, _, let t): t
    case .select(_, let a, _): a.type
    }
  }

  var isConstant: Bool { if case .constant = self { true } else { false } }

  /// A rough cost per row, used to run cheap conjuncts first.
  var cost: Int {
    switch self {
    case .column: 1
    case .constant: 0
    case .cast(let e, _), .negate(let e), .not(let e), .truth(let e): 1 + e.cost
    case .arithmetic(let op, let a, let b): (op == .power ? 20 : op == .divide || op == .remainder ? 4 : 1) + a.cost + b.cost
    case .comparison(let xs, _): xs.reduce(1) { $0 + $1.cost }
    case .and(let xs), .or(let xs): xs.reduce(1) { $0 + $1.cost }
    case .function(let f, let xs, _):
      (f == .abs || f == .min || f == .max || f == .clip || f == .isnan || f == .isinf ? 1 : 20) + xs.reduce(0) { $0 + $1.cost }
    case .select(let c, let a, let b): 2 + c.cost + a.cost + b.cost
    }
  }

  /// Children, for walks.
  var children: [BoundExpr] {
    switch self {
    case .column, .constant: []
    case .cast(let e, _), .negate(let e), .not(let e), .truth(let e): [e]
    case .arithmetic(_, let a, let b): [a, b]
    case .comparison(let xs, _), .and(let xs), .or(let xs), .function(_, let xs, _): xs
    case .select(let c, let a, let b): [c, a, b]
    }
  }
}

extension BoundExpr: CustomStringConvertible {
  public var description: String {
    switch self {
    case .column(_, let name, _): name
    case .constant(let s): s.description
    case .cast(let e, let t): "\(t)(\(e))"
    case .negate(let e): "-(\(e))"
    case .arithmetic(let op, let a, let b): "(\(a) \(op.rawValue) \(b))"
    case .comparison(let xs, let ops):
      "(" + xs.indices.map { i in (i > 0 ? " \(ops[i - 1].rawValue) " : "") + xs[i].description }.joined() + ")"
    case .and(let xs): "(" + xs.map(\.description).joined(separator: " && ") + ")"
    case .or(let xs): "(" + xs.map(\.description).joined(separator: " || ") + ")"
    case .not(let e): "!\(e)"
    case .truth(let e): "truth(\(e))"
    case .function(let f, let xs, _): "\(f.rawValue)(" + xs.map(\.description).joined(separator: ", ") + ")"
    case .select(let c, let a, let b): "where(\(c), \(a), \(b))"
    }
  }

  /// An indented tree, one node per line, for `explain`.
  func tree(indent: String = "") -> String {
    let label: String
    switch self {
    case .column(let slot, let name, let storage): label = "column \(name) [\(storage) #\(slot)]"
    case .constant(let s): label = "constant \(s) [\(s.type)]"
    case .cast(_, let t): label = "cast → \(t)"
    case .negate: label = "negate [\(type)]"
    case .arithmetic(let op, _, _): label = "\(op.rawValue) [\(type)]"
    case .comparison(let xs, let ops): label = "compare " + ops.map(\.rawValue).joined(separator: " ") + " [\(xs[0].type)]"
    case .and: label = "and"
    case .or: label = "or"
    case .not: label = "not"
    case .truth(let e): label = "condition (\(e.type) ≠ 0\(e.type == .float64 ? ", not NaN" : ""))"
    case .function(let f, _, let t): label = "\(f.rawValue) [\(t)]"
    case .select: label = "where [\(type)]"
    }
    return ([indent + label] + children.map { $0.tree(indent: indent + "  ") }).joined(separator: "\n")
  }
}
