import Modes

/// Rewrites an expression written for "a track" (`kaonID > 0.2 && p > 1`,
/// `binaryPID(321, 211) > 0.5`) into one for a particular track of a
/// candidate (`D0_K_kaonID > 0.2 && D0_K_p > 1`): every bare variable or
/// metavariable call whose prefixed column exists becomes that column.
/// Other names (other columns, aliases such as `selection`, functions such
/// as `abs`) are left as written, so `abs(dz) < 2 && M > 1.8` keeps the
/// candidate's `M` and uses the track's `dz`.
public enum TrackExpressions {
  /// - Parameters:
  ///   - prefix: the track's column prefix without the trailing `_` (`D0_K`).
  ///   - columns: the names of the source's columns.
  public static func rewrite(_ expression: String, prefix: String, columns: Set<String>) -> String {
    let bytes = Array(expression.utf8)
    let tokens = Lexer(bytes: bytes).tokenize()
    func text(_ r: SourceRange) -> String { String(decoding: bytes[r.lowerBound..<r.upperBound], as: UTF8.self) }
    func column(for name: String) -> String? {
      for candidate in [name, VariableNames.sanitize(name), VariableNames.makeROOTCompatible(name)] {
        let c = prefix + "_" + candidate
        if columns.contains(c) { return c }
      }
      return nil
    }
    var out = ""
    var copied = 0  // bytes of `expression` already in `out`
    var k = 0
    while k < tokens.count {
      let t = tokens[k]
      guard t.kind == .identifier else {
        k += 1
        continue
      }
      var end = t.range.upperBound
      var name = text(t.range)
      var next = k + 1
      // a call: the whole call may be a metavariable column of the track (`binaryPID(321, 211)`)
      if next < tokens.count, tokens[next].kind == .leftParen {
        var depth = 0
        var j = next
        while j < tokens.count {
          if tokens[j].kind == .leftParen { depth += 1 }
          if tokens[j].kind == .rightParen {
            depth -= 1
            if depth == 0 { break }
          }
          j += 1
        }
        if j < tokens.count {
          let call = String(decoding: bytes[t.range.lowerBound..<tokens[j].range.upperBound], as: UTF8.self)
          if column(for: call) != nil {
            name = call
            end = tokens[j].range.upperBound
            next = j + 1
          }
        }
      }
      if let c = column(for: name) {
        out += String(decoding: bytes[copied..<t.range.lowerBound], as: UTF8.self) + c
        copied = end
        k = next
      } else {
        k += 1
      }
    }
    return out + String(decoding: bytes[copied...], as: UTF8.self)
  }
}
