import Foundation

/// The builtin functions of the language.
public enum Builtin: String, Sendable, Codable, CaseIterable {
  case abs, sqrt, exp, log, log10, sin, cos, tan, asin, acos, atan, atan2
  case min, max, pow, floor, ceil, round, isnan, isinf, clip
  case `where`

  public var arity: Int {
    switch self {
    case .atan2, .min, .max, .pow: 2
    case .clip, .where: 3
    default: 1
    }
  }

  /// The unary float function behind a one-argument float builtin.
  var unaryFloat: ((Double) -> Double)? {
    switch self {
    case .sqrt: { $0.squareRoot() }
    case .exp: { Foundation.exp($0) }
    case .log: { Foundation.log($0) }
    case .log10: { Foundation.log10($0) }
    case .sin: { Foundation.sin($0) }
    case .cos: { Foundation.cos($0) }
    case .tan: { Foundation.tan($0) }
    case .asin: { Foundation.asin($0) }
    case .acos: { Foundation.acos($0) }
    case .atan: { Foundation.atan($0) }
    case .floor: { $0.rounded(.down) }
    case .ceil: { $0.rounded(.up) }
    case .round: { $0.rounded(.toNearestOrEven) }
    default: nil
    }
  }
}

public enum Builtins {
  /// Names parsed as builtin calls (arguments are expressions).
  public static let names: Set<String> = Set(Builtin.allCases.map(\.rawValue))
}

/// basf2 name helpers.
public enum VariableNames {
  /// `safe(var)` of `create_aliases_for_selected`: every run of characters
  /// outside `[a-zA-Z0-9]` becomes one `_`, and leading/trailing `_` are
  /// stripped: `binaryPID(321, 211)` → `binaryPID_321_211`.
  public static func sanitize(_ name: String) -> String {
    var out: [UInt8] = []
    var pendingUnderscore = false
    for c in name.utf8 {
      let alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
      if alnum {
        if pendingUnderscore, !out.isEmpty { out.append(0x5F) }
        pendingUnderscore = false
        out.append(c)
      } else {
        pendingUnderscore = true
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// basf2's `makeROOTCompatible`: `massDifference(0)` → `massDifference__bo0__bc`.
  public static func makeROOTCompatible(_ name: String) -> String {
    let table: [Character: String] = [
      " ": "__sp", ",": "__cm", ":": "__cl", "=": "__eq", "<": "__st", ">": "__gt", ".": "__pt",
      "+": "__pl", "-": "__mi", "(": "__bo", ")": "__bc", "{": "__co", "}": "__cc", "[": "__so",
      "]": "__sc", "`": "__to", "^": "__ha", "$": "__do", "%": "__pr", "!": "__em", "?": "__qm",
      ";": "__sm", "#": "__hs", "*": "__mu", "/": "__sl", "\\": "__bl", "'": "__sq", "\"": "__dq",
      "~": "__ti", "|": "__pi", "&": "__am", "@": "__at",
    ]
    var s = ""
    for ch in name { s += table[ch] ?? String(ch) }
    return String(s.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") })
  }

  /// Levenshtein distance, case changes costing nothing extra beyond one edit.
  static func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var prev = Array(0...y.count)
    var cur = prev
    for i in 1...x.count {
      cur[0] = i
      for j in 1...y.count {
        let cost = x[i - 1] == y[j - 1] ? 0 : 1
        cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      }
      swap(&prev, &cur)
    }
    return prev[y.count]
  }

  /// Up to three candidates close to `name`, best first.
  static func suggestions(for name: String, in candidates: [String]) -> [String] {
    guard name.utf8.count <= 200 else { return [] }
    let limit = Swift.max(2, name.utf8.count / 3)
    let lower = name.lowercased()
    var scored: [(Int, String)] = []
    for c in candidates where c.utf8.count <= 200 {
      if c == name { continue }
      if abs(c.utf8.count - name.utf8.count) > limit { continue }
      var d = editDistance(name, c)
      if c.lowercased() == lower { d = 0 }
      if d <= limit { scored.append((d, c)) }
    }
    scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    var seen = Set<String>()
    return scored.map(\.1).filter { seen.insert($0).inserted }.prefix(3).map { $0 }
  }

  static func didYouMean(_ names: [String]) -> [String] {
    guard !names.isEmpty else { return [] }
    return ["did you mean " + names.map { "'\($0)'" }.joined(separator: " or ") + "?"]
  }
}
