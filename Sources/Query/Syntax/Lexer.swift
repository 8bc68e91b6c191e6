/// Splits an expression into tokens. Works on UTF-8 bytes and never fails:
/// a byte that starts no token becomes an `.invalid` token, which the parser
/// reports (or keeps verbatim inside raw metavariable arguments).
public struct Lexer: Sendable {
  public let bytes: [UInt8]

  public init(_ text: String) { self.bytes = Array(text.utf8) }
  public init(bytes: [UInt8]) { self.bytes = bytes }

  /// All tokens, ending with `.end`.
  public func tokenize() -> [Token] {
    var tokens: [Token] = []
    tokens.reserveCapacity(bytes.count / 2 + 1)
    var i = 0
    let n = bytes.count
    @inline(__always) func at(_ k: Int) -> UInt8 { k < n ? bytes[k] : 0 }
    while i < n {
      let c = bytes[i]
      let start = i
      func add(_ kind: TokenKind, _ length: Int) {
        tokens.append(Token(kind: kind, range: SourceRange(start, start + length)))
        i = start + length
      }
      switch c {
      case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C:
        i += 1
      case UInt8(ascii: "("): add(.leftParen, 1)
      case UInt8(ascii: ")"): add(.rightParen, 1)
      case UInt8(ascii: "["): add(.leftBracket, 1)
      case UInt8(ascii: "]"): add(.rightBracket, 1)
      case UInt8(ascii: ","): add(.comma, 1)
      case UInt8(ascii: "+"): add(.plus, 1)
      case UInt8(ascii: "-"): add(.minus, 1)
      case UInt8(ascii: "/"): add(.slash, 1)
      case UInt8(ascii: "%"): add(.percent, 1)
      case UInt8(ascii: "^"): add(.power, 1)
      case UInt8(ascii: "*"):
        if at(i + 1) == UInt8(ascii: "*") { add(.power, 2) } else { add(.star, 1) }
      case UInt8(ascii: "<"):
        if at(i + 1) == UInt8(ascii: "=") { add(.lessEqual, 2) } else { add(.less, 1) }
      case UInt8(ascii: ">"):
        if at(i + 1) == UInt8(ascii: "=") { add(.greaterEqual, 2) } else { add(.greater, 1) }
      case UInt8(ascii: "="):
        if at(i + 1) == UInt8(ascii: "=") { add(.equal, 2) } else { add(.invalid, 1) }
      case UInt8(ascii: "!"):
        if at(i + 1) == UInt8(ascii: "=") { add(.notEqual, 2) } else { add(.not, 1) }
      case UInt8(ascii: "&"):
        if at(i + 1) == UInt8(ascii: "&") { add(.and, 2) } else { add(.invalid, 1) }
      case UInt8(ascii: "|"):
        if at(i + 1) == UInt8(ascii: "|") { add(.or, 2) } else { add(.invalid, 1) }
      case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."):
        let (kind, length) = number(from: i)
        add(kind, length)
      case _ where Lexer.isIdentifierStart(c):
        var j = i + 1
        while j < n, Lexer.isIdentifierPart(bytes[j]) { j += 1 }
        let word = String(decoding: bytes[i..<j], as: UTF8.self)
        add(Lexer.keyword(word) ?? .identifier, j - i)
      default:
        // One invalid token per UTF-8 sequence, so carets fall on whole characters.
        var j = i + 1
        if c >= 0xC0 { while j < n, j < i + 4, bytes[j] & 0xC0 == 0x80 { j += 1 } }
        add(.invalid, j - i)
      }
    }
    tokens.append(Token(kind: .end, range: SourceRange(n, n)))
    return tokens
  }

  static func isIdentifierStart(_ c: UInt8) -> Bool {
    (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
  }
  static func isIdentifierPart(_ c: UInt8) -> Bool {
    isIdentifierStart(c) || (c >= 0x30 && c <= 0x39)
  }
  static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

  /// Reserved words (lower case only, as basf2; `True`/`False` too).
  static func keyword(_ word: String) -> TokenKind? {
    switch word {
    case "and": .and
    case "or": .or
    case "not": .not
    case "true", "True": .boolean(true)
    case "false", "False": .boolean(false)
    case "nan": .float(.nan)
    case "inf", "infinity": .float(.infinity)
    default: nil
    }
  }

  /// A number literal starting at `start`: hex integer, decimal integer or
  /// float (`1.`, `.5`, `1e-3`). An exponent is taken only when digits follow.
  private func number(from start: Int) -> (TokenKind, Int) {
    let n = bytes.count
    var j = start
    if bytes[j] == UInt8(ascii: "0"), j + 1 < n, bytes[j + 1] | 0x20 == UInt8(ascii: "x"),
      j + 2 < n, bytes[j + 2].isHexDigit
    {
      j += 2
      var value: UInt64 = 0
      var overflow = false
      while j < n, bytes[j].isHexDigit {
        let (v, o1) = value.multipliedReportingOverflow(by: 16)
        let (w, o2) = v.addingReportingOverflow(UInt64(bytes[j].hexValue))
        overflow = overflow || o1 || o2
        value = w
        j += 1
      }
      if overflow || value > UInt64(Int64.max) {
        return (.invalid, j - start)
      }
      return (.integer(Int64(value)), j - start)
    }
    var sawDigits = false
    while j < n, Lexer.isDigit(bytes[j]) { j += 1; sawDigits = true }
    var isFloat = false
    if j < n, bytes[j] == UInt8(ascii: ".") {
      let k = j + 1
      var m = k
      while m < n, Lexer.isDigit(bytes[m]) { m += 1 }
      if sawDigits || m > k {
        isFloat = true
        sawDigits = true
        j = m
      }
    }
    guard sawDigits else { return (.invalid, 1) }  // a lone "."
    if j < n, bytes[j] | 0x20 == UInt8(ascii: "e") {
      var k = j + 1
      if k < n, bytes[k] == UInt8(ascii: "+") || bytes[k] == UInt8(ascii: "-") { k += 1 }
      if k < n, Lexer.isDigit(bytes[k]) {
        while k < n, Lexer.isDigit(bytes[k]) { k += 1 }
        isFloat = true
        j = k
      }
    }
    let text = String(decoding: bytes[start..<j], as: UTF8.self)
    if !isFloat, let v = Int64(text) { return (.integer(v), j - start) }
    return (.float(Double(text) ?? .nan), j - start)
  }
}

extension UInt8 {
  fileprivate var isHexDigit: Bool {
    (self >= 0x30 && self <= 0x39) || (self | 0x20 >= 0x61 && self | 0x20 <= 0x66)
  }
  fileprivate var hexValue: UInt8 {
    self <= 0x39 ? self - 0x30 : (self | 0x20) - 0x61 + 10
  }
}
