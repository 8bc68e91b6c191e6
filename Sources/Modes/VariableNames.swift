import Foundation

/// basf2's name escaping: `safe(var)` of `create_aliases_for_selected` and
/// `makeROOTCompatible` with its inverse (one implementation for the alias
/// generator, the binder's raw metavariable arguments and the generator).
public enum VariableNames {
  /// basf2's variable sanitising: every run of characters outside
  /// `[A-Za-z0-9]` becomes one `_`; leading and trailing `_` are stripped.
  public static func sanitize(_ variable: String) -> String {
    var out = ""
    var pendingUnderscore = false
    for c in variable.unicodeScalars {
      let isAlnum = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
      if isAlnum {
        if pendingUnderscore && !out.isEmpty { out.append("_") }
        pendingUnderscore = false
        out.unicodeScalars.append(c)
      } else {
        pendingUnderscore = true
      }
    }
    return out
  }

  static let rootTokens: [Character: String] = [
    " ": "__sp", ",": "__cm", ":": "__cl", "=": "__eq", "<": "__st", ">": "__gt",
    ".": "__pt", "+": "__pl", "-": "__mi", "(": "__bo", ")": "__bc", "{": "__co",
    "}": "__cc", "[": "__so", "]": "__sc", "`": "__to", "^": "__ha", "$": "__do",
    "%": "__pr", "!": "__em", "?": "__qm", ";": "__sm", "#": "__hs", "*": "__mu",
    "/": "__sl", "\\": "__bl", "'": "__sq", "\"": "__dq", "~": "__ti", "|": "__pi",
    "&": "__am", "@": "__at",
  ]

  /// basf2's `makeROOTCompatible`: each special character becomes its token
  /// (`(` → `__bo`), then anything outside `[A-Za-z0-9_]` is deleted.
  public static func makeROOTCompatible(_ name: String) -> String {
    var out = ""
    for c in name {
      if let t = rootTokens[c] {
        out += t
      } else if c.isASCII, c.isLetter || c.isNumber || c == "_" {
        out.append(c)
      }
    }
    return out
  }

  /// `invertMakeROOTCompatible`: tokens back to characters.
  public static func invertMakeROOTCompatible(_ name: String) -> String {
    var out = name
    for (c, t) in rootTokens { out = out.replacingAll(t, with: String(c)) }
    return out
  }
}
