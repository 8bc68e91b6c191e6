import ColumnStore
import Modes

/// Resolves names against a table's columns and user aliases, checks types,
/// inserts casts and folds constants.
///
/// One binder is shared by all expressions of a query (cut, weight,
/// histogram axes...) so that they share column slots.
public final class Binder {
  public let available: [ColumnInfo]
  public let aliases: [String: String]
  public let equality: FloatEquality
  /// The columns used so far, in slot order.
  public private(set) var usedColumns: [ColumnInfo] = []

  private let byName: [String: ColumnInfo]
  private var slotOf: [String: Int] = [:]
  private var aliasCache: [String: BoundExpr] = [:]
  private var aliasStack: [String] = []
  /// Per column variable (`binaryPID(321, 211)` without spaces) → column name, for head variables.
  private let byVariable: [String: String]

  /// Names in the input that are not readable columns, with the reason (`ColumnSource.unreadableColumns`).
  private let unreadable: [String: String]

  public init(
    columns: [ColumnInfo], aliases: [String: String] = [:], equality: FloatEquality = .exact,
    unreadable: [String: String] = [:]
  ) throws(QueryError) {
    self.available = columns
    self.unreadable = unreadable
    self.aliases = aliases
    self.equality = equality
    var m: [String: ColumnInfo] = [:]
    var v: [String: String] = [:]
    for c in columns {
      m[c.name] = c
      if !c.variable.isEmpty, c.particle.isEmpty { v[c.variable.filter { $0 != " " }] = c.name }
    }
    self.byName = m
    self.byVariable = v
    for name in aliases.keys.sorted() {
      let u = Array(name.utf8)
      if u.isEmpty || !Lexer.isIdentifierStart(u[0]) || !u.allSatisfy(Lexer.isIdentifierPart)
        || Lexer.keyword(name) != nil
      {
        throw QueryError(
          .alias, "invalid alias name '\(name)'", range: SourceRange(0, u.count), expression: name,
          notes: ["an alias name is a letter or '_' followed by letters, digits or '_', and not a reserved word"])
      }
    }
  }

  /// Binds a condition. A number used as a condition is true when non-zero
  /// and not NaN. An empty text gives nil (every row passes).
  public func bindCondition(_ text: String) throws(QueryError) -> BoundExpr? {
    guard let e = try Parser.parse(text) else { return nil }
    return try checked(try condition(e, text), text)
  }

  /// Largest expanded expression (nodes) and nesting accepted after alias expansion.
  public static let maximumNodes = 100_000
  public static let maximumDepth = 256

  /// Rejects expressions that alias expansion made too large or too deep to
  /// evaluate safely (`a = b + b`, `b = c + c`, ... doubles at every level).
  func checked(_ b: BoundExpr, _ text: String) throws(QueryError) -> BoundExpr {
    var budget = Binder.maximumNodes
    func walk(_ e: BoundExpr, _ depth: Int) -> Bool {
      budget -= 1
      if budget < 0 || depth > Binder.maximumDepth { return false }
      for c in e.children where !walk(c, depth + 1) { return false }
      return true
    }
    guard walk(b, 0) else {
      throw QueryError(
        .alias, "expression too large after alias expansion", range: SourceRange(0, text.utf8.count),
        expression: text,
        notes: ["at most \(Binder.maximumNodes) nodes and \(Binder.maximumDepth) levels; aliases are expanded inline"])
    }
    return b
  }

  /// Binds a value expression (number or bool).
  public func bindValue(_ text: String) throws(QueryError) -> BoundExpr {
    guard let e = try Parser.parse(text) else {
      throw QueryError(.syntax, "empty expression", range: SourceRange(0, 0), expression: text, notes: ["expected a value"])
    }
    return try checked(try bind(e, text), text)
  }

  /// Binds a numeric value; bool becomes 0 or 1.
  public func bindNumber(_ text: String) throws(QueryError) -> BoundExpr {
    let b = try bindValue(text)
    return b.type == .bool ? fold(.cast(b, .float64)) : b
  }

  // MARK: - Binding

  func condition(_ e: Expr, _ text: String) throws(QueryError) -> BoundExpr {
    let b = try bind(e, text)
    return b.type == .bool ? b : fold(.truth(b))
  }

  func typeError(_ message: String, _ range: SourceRange, _ text: String, notes: [String] = []) -> QueryError {
    QueryError(.type, message, range: range, expression: text, notes: notes)
  }

  func bind(_ e: Expr, _ text: String) throws(QueryError) -> BoundExpr {
    switch e {
    case .integer(let v, _): return .constant(.int64(v))
    case .float(let v, _): return .constant(.float64(v))
    case .boolean(let v, _): return .constant(.bool(v))
    case .group(_, let inner, _): return try bind(inner, text)
    case .name(let name, let range): return try resolve(name, range, text)
    case .rawCall(let name, let args, let whole, let range):
      return try resolveCall(name, args, whole, range, text)
    case .unary(let op, let x, let range):
      if op == .not { return fold(.not(try condition(x, text))) }
      let b = try bind(x, text)
      guard b.type.isNumeric else {
        throw typeError(
          "unary '\(op.rawValue)' cannot take \(b.type)", range, text,
          notes: ["basf2 rejects bool in arithmetic; use where(cond, 1, 0) for a number"])
      }
      return op == .plus ? b : fold(.negate(b))
    case .binary(.and, let a, let b, _):
      let x = try condition(a, text)
      let y = try condition(b, text)
      var parts: [BoundExpr] = []
      for p in [x, y] { if case .and(let xs) = p { parts += xs } else { parts.append(p) } }
      return fold(.and(parts))
    case .binary(.or, let a, let b, _):
      let x = try condition(a, text)
      let y = try condition(b, text)
      var parts: [BoundExpr] = []
      for p in [x, y] { if case .or(let xs) = p { parts += xs } else { parts.append(p) } }
      return fold(.or(parts))
    case .binary(let op, let a, let b, let range):
      let x = try bind(a, text)
      let y = try bind(b, text)
      guard x.type.isNumeric, y.type.isNumeric else {
        throw typeError(
          "operator '\(op.rawValue)' cannot take \(x.type) and \(y.type)", range, text,
          notes: ["arithmetic needs numbers; basf2 rejects bool operands (use where(cond, 1, 0))"])
      }
      let aop: ArithmeticOperator
      switch op {
      case .add: aop = .add
      case .subtract: aop = .subtract
      case .multiply: aop = .multiply
      case .divide: aop = .divide
      case .remainder: aop = .remainder
      default: aop = .power
      }
      let common: ValueType =
        (aop == .divide || aop == .power) ? .float64 : (x.type == .int64 && y.type == .int64 ? .int64 : .float64)
      return fold(.arithmetic(aop, cast(x, common), cast(y, common)))
    case .comparison(let xs, let ops, _):
      var bound: [BoundExpr] = []
      for x in xs { bound.append(try bind(x, text)) }
      // bool∘int compares as int, anything with a float as float (basf2).
      let common: ValueType = bound.contains { $0.type == .float64 } ? .float64 : .int64
      // A bare uint64 column meets integer constants exactly (Kernels.selectUInt64Exact):
      // they stay integers instead of becoming doubles (2^63 − 1 would round to 2^63).
      let uint64Column = bound.contains { if case .column(_, _, .uint64) = $0 { true } else { false } }
      return fold(.comparison(bound.map { e in
        if uint64Column, case .constant(.int64) = e { return e }
        return cast(e, common)
      }, ops))
    case .call(let name, let args, let nameRange, let range):
      guard let f = Builtin(rawValue: name) else { return try resolve(name, nameRange, text) }
      guard args.count == f.arity else {
        throw QueryError(
          .arity, "function '\(name)' takes \(f.arity) argument\(f.arity == 1 ? "" : "s"), got \(args.count)",
          range: range, expression: text, notes: ["usage: \(Binder.usage(f))"])
      }
      if f == .where {
        let c = try condition(args[0], text)
        let a = try bind(args[1], text)
        let b = try bind(args[2], text)
        if a.type == .bool, b.type == .bool { return fold(.select(c, a, b)) }
        guard a.type.isNumeric, b.type.isNumeric else {
          throw typeError(
            "where() branches must both be numbers or both be bool, got \(a.type) and \(b.type)", range, text)
        }
        let t: ValueType = a.type == .int64 && b.type == .int64 ? .int64 : .float64
        return fold(.select(c, cast(a, t), cast(b, t)))
      }
      var bound: [BoundExpr] = []
      for (k, a) in args.enumerated() {
        let b = try bind(a, text)
        guard b.type.isNumeric else {
          throw typeError(
            "argument \(k + 1) of '\(name)' must be a number, got \(b.type)", a.range, text,
            notes: ["use where(cond, 1, 0) to turn a condition into a number"])
        }
        bound.append(b)
      }
      let allInt = bound.allSatisfy { $0.type == .int64 }
      switch f {
      case .abs, .min, .max, .clip:
        let t: ValueType = allInt ? .int64 : .float64
        return fold(.function(f, bound.map { cast($0, t) }, t))
      case .isnan, .isinf:
        if allInt { return .constant(.bool(false)) }
        return fold(.function(f, bound.map { cast($0, .float64) }, .bool))
      default:
        return fold(.function(f, bound.map { cast($0, .float64) }, .float64))
      }
    }
  }

  static func usage(_ f: Builtin) -> String {
    switch f {
    case .atan2: "atan2(y, x)"
    case .min, .max, .pow: "\(f.rawValue)(a, b)"
    case .clip: "clip(x, lo, hi)"
    case .where: "where(condition, a, b)"
    default: "\(f.rawValue)(x)"
    }
  }

  func cast(_ e: BoundExpr, _ t: ValueType) -> BoundExpr {
    e.type == t ? e : fold(.cast(e, t))
  }

  /// Folds a node whose children are all constants.
  func fold(_ e: BoundExpr) -> BoundExpr {
    guard e.children.allSatisfy(\.isConstant), !e.isConstant else {
      // Drop constant-true conjuncts and constant-false disjuncts; a constant decides the rest.
      switch e {
      case .and(let xs):
        if xs.contains(where: { $0 == .constant(.bool(false)) }) { return .constant(.bool(false)) }
        let rest = xs.filter { $0 != .constant(.bool(true)) }
        return rest.count == 1 ? rest[0] : .and(rest)
      case .or(let xs):
        if xs.contains(where: { $0 == .constant(.bool(true)) }) { return .constant(.bool(true)) }
        let rest = xs.filter { $0 != .constant(.bool(false)) }
        return rest.count == 1 ? rest[0] : .or(rest)
      default: return e
      }
    }
    return .constant(ScalarEvaluator.evaluate(e, equality: equality) { _ in .bool(false) })
  }

  // MARK: - Names

  func slot(for info: ColumnInfo) -> BoundExpr {
    if let s = slotOf[info.name] { return .column(slot: s, name: info.name, storage: info.type) }
    let s = usedColumns.count
    usedColumns.append(info)
    slotOf[info.name] = s
    return .column(slot: s, name: info.name, storage: info.type)
  }

  var knownNames: [String] { available.map(\.name) + aliases.keys.sorted() }

  func resolve(_ name: String, _ range: SourceRange, _ text: String) throws(QueryError) -> BoundExpr {
    if let body = aliases[name] {
      if let cached = aliasCache[name] { return cached }
      if aliasStack.count >= 32 {
        throw QueryError(
          .alias, "aliases nested too deeply at '\(name)'", range: range, expression: text,
          notes: ["at most 32 levels of aliases using aliases"])
      }
      if let i = aliasStack.firstIndex(of: name) {
        let cycle = (aliasStack[i...] + [name]).joined(separator: " → ")
        throw QueryError(
          .alias, "alias '\(name)' refers to itself: \(cycle)", range: range, expression: text,
          notes: ["aliases may use other aliases, but not in a loop"])
      }
      aliasStack.append(name)
      defer { aliasStack.removeLast() }
      do {
        let b = try bindValue(body)
        aliasCache[name] = b
        return b
      } catch {
        var err = error
        err.notes.append("in alias '\(name)' = \(body)")
        throw err
      }
    }
    if let info = byName[name] { return slot(for: info) }
    if let why = unreadable[name] {
      throw QueryError(.unknownName, "column '\(name)' cannot be read: \(why)", range: range, expression: text)
    }
    throw QueryError(
      .unknownName, "unknown column '\(name)'", range: range, expression: text,
      notes: NameSuggestions.didYouMean(NameSuggestions.suggestions(for: name, in: knownNames)))
  }

  func resolveCall(
    _ name: String, _ args: [String], _ whole: String, _ range: SourceRange, _ text: String
  ) throws(QueryError) -> BoundExpr {
    let safe = VariableNames.sanitize(whole)
    for candidate in [safe, VariableNames.makeROOTCompatible(whole)] {
      if let body = aliases[candidate] { _ = body; return try resolve(candidate, range, text) }
      if let info = byName[candidate] { return slot(for: info) }
    }
    if let col = byVariable[whole.filter { $0 != " " }], let info = byName[col] { return slot(for: info) }
    var notes = ["not a builtin function, and no column '\(safe)' (the sanitised call)"]
    let near = NameSuggestions.suggestions(for: name, in: Builtin.allCases.map(\.rawValue))
      + NameSuggestions.suggestions(for: safe, in: knownNames)
    notes += NameSuggestions.didYouMean(Array(near.prefix(3)))
    throw QueryError(.unknownName, "unknown function or column '\(whole)'", range: range, expression: text, notes: notes)
  }
}
