/// Recursive-descent parser for cut and value expressions.
///
/// Grammar (lowest precedence first):
///
///     expression  = [ disjunction ]
///     disjunction = conjunction { ("||" | "or") conjunction }
///     conjunction = negation { ("&&" | "and") negation }
///     negation    = ("!" | "not") negation | relational
///     relational  = sum [ cmp sum [ cmp sum ] ]
///     sum         = product { ("+" | "-") product }
///     product     = unary { ("*" | "/" | "%") unary }
///     unary       = ("+" | "-") unary | power
///     power       = primary [ ("**" | "^") unary ]          (right-assoc)
///     primary     = "(" disjunction ")" | "[" disjunction "]" | call | name | literal
public struct Parser {
  /// Nesting deeper than this is an error rather than a stack overflow.
  public static let maximumDepth = 128

  let text: String
  let bytes: [UInt8]
  let tokens: [Token]
  var position = 0
  var depth = 0

  /// Builtin function names: calls to them have parsed arguments; any other
  /// call keeps its arguments verbatim (a basf2 metavariable).
  let functionNames: Set<String>

  public init(_ text: String, functionNames: Set<String> = Builtins.names) {
    self.text = text
    self.bytes = Array(text.utf8)
    self.tokens = Lexer(bytes: bytes).tokenize()
    self.functionNames = functionNames
  }

  /// Parses a whole expression; an empty (or blank) text gives nil.
  public static func parse(_ text: String) throws(QueryError) -> Expr? {
    var p = Parser(text)
    return try p.parseAll()
  }

  public mutating func parseAll() throws(QueryError) -> Expr? {
    if tokens[position].kind == .end { return nil }
    let e = try disjunction()
    if tokens[position].kind != .end {
      throw unexpected(tokens[position], expected: "an operator or the end of the expression")
    }
    return e
  }

  // MARK: - Helpers

  var current: Token { tokens[position] }

  mutating func advance() -> Token {
    let t = tokens[position]
    if position < tokens.count - 1 { position += 1 }
    return t
  }

  func error(_ message: String, _ range: SourceRange, notes: [String] = []) -> QueryError {
    QueryError(.syntax, message, range: range, expression: text, notes: notes)
  }

  func spelling(_ t: Token) -> String {
    if t.kind == .end { return "end of expression" }
    return "'" + String(decoding: bytes[t.range.lowerBound..<t.range.upperBound], as: UTF8.self) + "'"
  }

  func unexpected(_ t: Token, expected: String) -> QueryError {
    if t.kind == .invalid {
      let s = spelling(t)
      var notes = ["expected \(expected)"]
      if s == "'='" {
        // `=>` and `=<` are `>=` and `<=` typed the other way round
        let next = t.range.upperBound < bytes.count ? bytes[t.range.upperBound] : 0
        notes = next == UInt8(ascii: ">") ? ["did you mean '>='?"] : next == UInt8(ascii: "<") ? ["did you mean '<='?"]
          : ["use '==' to compare"]
      }
      if s == "'&'" { notes = ["use '&&' or 'and'"] }
      if s == "'|'" { notes = ["use '||' or 'or'"] }
      return error("unexpected character \(s)", t.range, notes: notes)
    }
    if t.kind == .end { return error("unexpected end of expression", t.range, notes: ["expected \(expected)"]) }
    return error("unexpected \(spelling(t))", t.range, notes: ["expected \(expected)"])
  }

  mutating func enter(_ at: Token) throws(QueryError) {
    depth += 1
    if depth > Parser.maximumDepth {
      throw error("expression nested too deeply (more than \(Parser.maximumDepth) levels)", at.range)
    }
  }

  // MARK: - Levels

  mutating func disjunction() throws(QueryError) -> Expr {
    var lhs = try conjunction()
    let saved = depth
    defer { depth = saved }
    while current.kind == .or {
      try enter(advance())
      let rhs = try conjunction()
      lhs = .binary(.or, lhs, rhs, lhs.range.union(rhs.range))
    }
    return lhs
  }

  mutating func conjunction() throws(QueryError) -> Expr {
    var lhs = try negation()
    let saved = depth
    defer { depth = saved }
    while current.kind == .and {
      try enter(advance())
      let rhs = try negation()
      lhs = .binary(.and, lhs, rhs, lhs.range.union(rhs.range))
    }
    return lhs
  }

  mutating func negation() throws(QueryError) -> Expr {
    if current.kind == .not {
      let t = advance()
      try enter(t)
      defer { depth -= 1 }
      let e = try negation()
      return .unary(.not, e, t.range.union(e.range))
    }
    return try relational()
  }

  mutating func relational() throws(QueryError) -> Expr {
    let first = try sum()
    guard let op1 = ComparisonOperator(current.kind) else { return first }
    _ = advance()
    let second = try sum()
    guard let op2 = ComparisonOperator(current.kind) else {
      return .comparison([first, second], [op1], first.range.union(second.range))
    }
    _ = advance()
    let third = try sum()
    if current.kind.isComparison {
      throw error(
        "too many chained comparisons", current.range,
        notes: ["a chain compares at most 3 operands, as in 'lo < x < hi'; join longer chains with '&&'"])
    }
    return .comparison([first, second, third], [op1, op2], first.range.union(third.range))
  }

  mutating func sum() throws(QueryError) -> Expr {
    var lhs = try product()
    let saved = depth
    defer { depth = saved }
    while current.kind == .plus || current.kind == .minus {
      let t = advance()
      try enter(t)
      let op: BinaryOperator = t.kind == .plus ? .add : .subtract
      let rhs = try product()
      lhs = .binary(op, lhs, rhs, lhs.range.union(rhs.range))
    }
    return lhs
  }

  mutating func product() throws(QueryError) -> Expr {
    var lhs = try unary()
    let saved = depth
    defer { depth = saved }
    while true {
      let op: BinaryOperator
      switch current.kind {
      case .star: op = .multiply
      case .slash: op = .divide
      case .percent: op = .remainder
      default: return lhs
      }
      try enter(advance())
      let rhs = try unary()
      lhs = .binary(op, lhs, rhs, lhs.range.union(rhs.range))
    }
  }

  mutating func unary() throws(QueryError) -> Expr {
    if current.kind == .minus || current.kind == .plus {
      let t = advance()
      try enter(t)
      defer { depth -= 1 }
      let e = try unary()
      return .unary(t.kind == .minus ? .negate : .plus, e, t.range.union(e.range))
    }
    return try power()
  }

  mutating func power() throws(QueryError) -> Expr {
    let base = try primary()
    guard current.kind == .power else { return base }
    let t = advance()
    try enter(t)
    defer { depth -= 1 }
    let exponent = try unary()
    return .binary(.power, base, exponent, base.range.union(exponent.range))
  }

  mutating func primary() throws(QueryError) -> Expr {
    let t = current
    switch t.kind {
    case .integer(let v): _ = advance(); return .integer(v, t.range)
    case .float(let v): _ = advance(); return .float(v, t.range)
    case .boolean(let v): _ = advance(); return .boolean(v, t.range)
    case .leftParen, .leftBracket:
      _ = advance()
      try enter(t)
      defer { depth -= 1 }
      let inner = try disjunction()
      let closing: TokenKind = t.kind == .leftParen ? .rightParen : .rightBracket
      guard current.kind == closing else {
        if current.kind == .rightParen || current.kind == .rightBracket {
          throw error(
            "mismatched \(spelling(current))", current.range,
            notes: ["expected '\(closing == .rightParen ? ")" : "]")' to close the \(spelling(t)) at offset \(t.range.lowerBound)"])
        }
        throw unexpected(current, expected: "'\(closing == .rightParen ? ")" : "]")'")
      }
      let end = advance()
      let range = t.range.union(end.range)
      if t.kind == .leftBracket, !Parser.isConditionSyntax(inner) {
        throw error(
          "square brackets group only conditions", range,
          notes: ["use '( )' around arithmetic, e.g. '(x + 1) > 2'"])
      }
      return .group(t.kind == .leftParen ? .parentheses : .brackets, inner, range)
    case .identifier:
      _ = advance()
      let name = String(decoding: bytes[t.range.lowerBound..<t.range.upperBound], as: UTF8.self)
      if current.kind == .leftParen {
        return try call(name, t)
      }
      return .name(name, t.range)
    default:
      throw unexpected(t, expected: "a number, a name, '(' or '['")
    }
  }

  mutating func call(_ name: String, _ nameToken: Token) throws(QueryError) -> Expr {
    let open = advance()
    if functionNames.contains(name) {
      try enter(open)
      defer { depth -= 1 }
      var args: [Expr] = []
      if current.kind != .rightParen {
        args.append(try disjunction())
        while current.kind == .comma {
          _ = advance()
          args.append(try disjunction())
        }
      }
      guard current.kind == .rightParen else {
        throw unexpected(current, expected: "',' or ')' in the arguments of '\(name)'")
      }
      let close = advance()
      return .call(name, args, nameRange: nameToken.range, nameToken.range.union(close.range))
    }
    // Raw metavariable arguments: verbatim text up to the matching ')'.
    var level = 1
    var splits: [Int] = []
    while true {
      let k = current.kind
      if k == .end {
        throw error("unclosed '(' in call of '\(name)'", open.range, notes: ["expected ')'"])
      }
      if k == .leftParen || k == .leftBracket { level += 1 }
      if k == .rightParen || k == .rightBracket {
        level -= 1
        if level == 0 { break }
      }
      if k == .comma, level == 1 { splits.append(current.range.lowerBound) }
      _ = advance()
    }
    let close = advance()
    var args: [String] = []
    var start = open.range.upperBound
    for s in splits + [close.range.lowerBound] {
      args.append(String(decoding: bytes[start..<s], as: UTF8.self).trimmingASCIISpaces())
      start = s + 1
    }
    if args == [""] { args = [] }
    let range = nameToken.range.union(close.range)
    let whole = String(decoding: bytes[range.lowerBound..<range.upperBound], as: UTF8.self)
    return .rawCall(name, args, text: whole, range)
  }

  /// Whether an expression is, syntactically, a condition or a plain value
  /// usable as one (a name, a call, a literal) rather than arithmetic.
  static func isConditionSyntax(_ e: Expr) -> Bool {
    switch e {
    case .binary(let op, _, _, _): op == .and || op == .or
    case .unary(let op, let inner, _): op == .not || isConditionSyntax(inner)
    case .comparison, .name, .call, .rawCall, .boolean, .integer, .float: true
    case .group(_, let inner, _): isConditionSyntax(inner)
    }
  }
}

extension String {
  func trimmingASCIISpaces() -> String {
    let u = Array(utf8)
    var lo = 0
    var hi = u.count
    while lo < hi, u[lo] == 0x20 || u[lo] == 0x09 || u[lo] == 0x0A || u[lo] == 0x0D { lo += 1 }
    while hi > lo, u[hi - 1] == 0x20 || u[hi - 1] == 0x09 || u[hi - 1] == 0x0A || u[hi - 1] == 0x0D { hi -= 1 }
    return String(decoding: u[lo..<hi], as: UTF8.self)
  }
}
