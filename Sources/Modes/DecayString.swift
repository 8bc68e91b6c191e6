import ColumnStore
/// A parsed basf2 decay string such as `^D*+ -> [^D0 -> ^K- ^pi+] ^pi+`.
///
/// Supported syntax: particle names (evt.pdl style, e.g. `D*+`, `anti-D0`,
/// `J/psi`, `eta'`, `Upsilon(4S)`), an optional list label (`pi+:loose`,
/// ignored for naming), the selection mark `^` before a particle (inside the
/// brackets for an intermediate: `[^D0 -> ...]`), the `@` "unspecified" mark,
/// nested `[ ]` sub-decays, the arrows `->`, `-->`, `=>`, `==>`, `=direct=>`,
/// `=norad=>`, `=exact=>`, and the trailing keywords `...`, `?gamma`, `?nu`,
/// `?addbrems`, which are accepted and ignored.
public struct DecayNode: Sendable, Equatable {
  /// The evt.pdl name, e.g. `D*+`.
  public var name: String
  /// The list label without the colon (`loose`), or empty.
  public var label: String
  /// Whether the particle carries the `^` selection mark.
  public var selected: Bool
  /// The daughters in decay-string order (index = daughter index).
  public var daughters: [DecayNode]
  /// Character offset (0-based) of the particle name in the decay string.
  public var offset: Int

  public init(name: String, label: String = "", selected: Bool = false,
              daughters: [DecayNode] = [], offset: Int = 0) {
    self.name = name
    self.label = label
    self.selected = selected
    self.daughters = daughters
    self.offset = offset
  }

  /// The simple name used in alias prefixes (§1.2 of the basf2 conventions).
  public var simpleName: String { DecayNode.simpleName(name) }

  /// `DecayDescriptorParticle::getNameSimple`: remove `anti-`, `+`, `-`, `/`,
  /// `(`, `)`; replace `*` by `ST` and `'` by `p`.
  public static func simpleName(_ name: String) -> String {
    var s = name.replacingAll("anti-", with: "")
    s.removeAll { "+-/()".contains($0) }
    s = s.replacingAll("*", with: "ST")
    s = s.replacingAll("'", with: "p")
    return s
  }
}

/// A decay string that cannot be parsed, with the 0-based character position
/// of the problem.
public struct DecayStringError: Error, Sendable, Equatable, CustomStringConvertible {
  public var decayString: String
  public var position: Int
  public var reason: String

  public init(_ decayString: String, position: Int, _ reason: String) {
    self.decayString = decayString
    self.position = position
    self.reason = reason
  }

  /// `Invalid decay string at column N: reason`, then the string and a caret.
  public var description: String {
    let caret = String(repeating: " ", count: max(0, position)) + "^"
    return "Invalid decay string at column \(position + 1): \(reason)\n  \(decayString)\n  \(caret)"
  }

  /// The same error as a `ColumnStoreError` (kind `.invalidInput`).
  public var columnStoreError: ColumnStoreError {
    ColumnStoreError(.invalidInput, path: decayString, description)
  }
}

extension String {
  /// Every occurrence of `target` replaced (left to right, non-overlapping).
  func replacingAll(_ target: String, with replacement: String) -> String {
    let t = Array(target)
    guard !t.isEmpty else { return self }
    let chars = Array(self)
    var out = ""
    var i = 0
    while i < chars.count {
      if i + t.count <= chars.count, Array(chars[i..<(i + t.count)]) == t {
        out += replacement
        i += t.count
      } else {
        out.append(chars[i])
        i += 1
      }
    }
    return out
  }
}

public enum DecayString {
  static let arrows = ["=direct=>", "=norad=>", "=exact=>", "-->", "==>", "->", "=>"]
  static let ignoredKeywords: Set<String> = ["...", "?gamma", "?nu", "?addbrems"]

  /// Parses `string` into its head particle and decay tree.
  /// - Throws: `DecayStringError` locating the first problem.
  public static func parse(_ string: String) throws -> DecayNode {
    var p = Parser(text: Array(string), source: string)
    p.skipSpace()
    if p.atEnd { throw p.error("empty decay string") }
    let head = try p.parseDecay(closing: nil)
    p.skipSpace()
    if !p.atEnd {
      if p.peek == "]" { throw p.error("unbalanced ']' without a matching '['") }
      throw p.error("unexpected text after the decay")
    }
    return head
  }

  struct Parser {
    let text: [Character]
    let source: String
    var pos = 0

    var atEnd: Bool { pos >= text.count }
    var peek: Character? { atEnd ? nil : text[pos] }

    func error(_ reason: String, at position: Int? = nil) -> DecayStringError {
      DecayStringError(source, position: position ?? pos, reason)
    }

    mutating func skipSpace() {
      while let c = peek, c.isWhitespace { pos += 1 }
    }

    func hasPrefix(_ s: String) -> Bool {
      let chars = Array(s)
      guard pos + chars.count <= text.count else { return false }
      return Array(text[pos..<(pos + chars.count)]) == chars
    }

    /// A raw token: a run of characters up to whitespace, a bracket, `^` or `:`.
    mutating func token() -> String {
      var s = ""
      while let c = peek, !c.isWhitespace, c != "[", c != "]", c != "^", c != ":", c != "=",
            !hasPrefix("->"), !hasPrefix("-->") {
        s.append(c)
        pos += 1
      }
      return s
    }

    static func isNameStart(_ c: Character) -> Bool {
      c.isLetter || c.isNumber
    }

    /// `[^|@] name [:label]`
    mutating func parseParticle() throws -> DecayNode {
      skipSpace()
      var selected = false
      let markPos = pos
      while let c = peek, c == "^" || c == "@" {
        if c == "^" {
          if selected { throw error("'^' given twice") }
          selected = true
        }
        pos += 1
      }
      skipSpace()
      if pos != markPos, let c = peek, c.isWhitespace == false, c == "[" {
        throw error("the selection mark of a sub-decay goes inside the bracket: '[^X -> ...]'", at: markPos)
      }
      guard let first = peek else {
        throw error(selected ? "'^' must be followed by a particle name" : "expected a particle name")
      }
      guard Parser.isNameStart(first) else {
        throw error(selected ? "'^' must be followed by a particle name" : "expected a particle name, found '\(first)'")
      }
      let start = pos
      let name = token()
      if DecayString.arrows.contains(where: { name.hasPrefix($0) }) {
        throw error("expected a particle name, found an arrow", at: start)
      }
      var label = ""
      if peek == ":" {
        pos += 1
        let labelStart = pos
        while let c = peek, c.isLetter || c.isNumber || c == "_" {
          label.append(c)
          pos += 1
        }
        if label.isEmpty { throw error("empty list label after ':'", at: labelStart) }
        if let c = peek, !c.isWhitespace, c != "]", c != "[" {
          throw error("invalid character '\(c)' in list label")
        }
      }
      return DecayNode(name: name, label: label, selected: selected, offset: start)
    }

    mutating func parseArrow() -> Bool {
      skipSpace()
      for a in DecayString.arrows where hasPrefix(a) {
        pos += a.count
        return true
      }
      return false
    }

    /// `particle arrow daughter+`, ended by `closing` (`]`) or the end of text.
    mutating func parseDecay(closing: Character?) throws -> DecayNode {
      var mother = try parseParticle()
      skipSpace()
      let arrowPos = pos
      guard parseArrow() else {
        if atEnd && closing == nil {
          throw error("expected an arrow '->' after the head particle '\(mother.name)'")
        }
        if let c = peek, c == closing {
          throw error("a bracketed sub-decay needs '->' and daughters", at: arrowPos)
        }
        throw error("expected an arrow '->' after '\(mother.name)'", at: arrowPos)
      }
      var daughters: [DecayNode] = []
      var sawKeyword = false
      while true {
        skipSpace()
        guard let c = peek else {
          if let closing { throw error("missing '\(closing)' to close the sub-decay") }
          break
        }
        if let closing, c == closing { break }
        if c == "]" { throw error("unbalanced ']' without a matching '['") }
        if c == "[" {
          let open = pos
          pos += 1
          if sawKeyword { throw error("daughters after '...'/'?' keywords") }
          let sub = try parseDecay(closing: "]")
          skipSpace()
          guard peek == "]" else { throw error("missing ']' for the '[' at column \(open + 1)") }
          pos += 1
          daughters.append(sub)
          continue
        }
        if c == "." || c == "?" {
          let kwPos = pos
          let kw = token()
          guard DecayString.ignoredKeywords.contains(kw) else {
            throw error("unknown keyword '\(kw)'", at: kwPos)
          }
          sawKeyword = true
          continue
        }
        if hasPrefix("->") || hasPrefix("=>") || hasPrefix("=") {
          throw error("unexpected arrow: a sub-decay must be put in '[ ]'")
        }
        if sawKeyword { throw error("daughters after '...'/'?' keywords") }
        daughters.append(try parseParticle())
      }
      if daughters.isEmpty {
        throw error("'\(mother.name)' has an arrow but no daughters", at: arrowPos)
      }
      mother.daughters = daughters
      return mother
    }
  }
}
