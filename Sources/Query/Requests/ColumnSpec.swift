import Foundation
import Modes

/// One output column of a row export: a name and the expression it holds
/// (`pt=D0_K_p*sqrt(1-D0_K_cosTheta**2)`, or a plain column name).
public struct ColumnSpec: Sendable, Equatable {
  public var name: String
  public var expression: String

  public init(name: String, expression: String) {
    self.name = name
    self.expression = expression
  }

  /// Parses `a,b,name=expr`: commas inside parentheses or brackets belong
  /// to the expression (`m=max(a, b)`); `==`, `<=`, `>=`, `!=` are not
  /// assignments. An unnamed expression is named as basf2 names such a
  /// column (`min(D0_K_p, 2)` → `min__boD0_K_p__cm__sp2__bc`,
  /// `VariableNames.makeROOTCompatible`). Names must be unique.
  /// - Throws: `QueryError(.invalidArgument)` naming the empty or repeated entry.
  public static func parseList(_ text: String) throws(QueryError) -> [ColumnSpec] {
    let parts = ExpressionList.split(text)
    var seen = Set<String>()
    var specs: [ColumnSpec] = []
    for part in parts {
      let p = part.trimmingCharacters(in: .whitespaces)
      var spec = ColumnSpec(name: isPlainName(p) ? p : VariableNames.makeROOTCompatible(p), expression: p)
      if let eq = p.firstIndex(of: "="), !p[p.index(after: eq)...].hasPrefix("="),
        eq > p.startIndex, !"<>!=".contains(p[p.index(before: eq)])
      {
        spec = ColumnSpec(
          name: p[..<eq].trimmingCharacters(in: .whitespaces),
          expression: p[p.index(after: eq)...].trimmingCharacters(in: .whitespaces))
      }
      guard !spec.name.isEmpty, !spec.expression.isEmpty else {
        throw QueryError(.invalidArgument, "columns: empty entry in '\(text)'")
      }
      guard seen.insert(spec.name).inserted else {
        throw QueryError(.invalidArgument, "columns: '\(spec.name)' appears twice")
      }
      specs.append(spec)
    }
    return specs
  }

  /// A name usable as is: letters, digits and `_`, not starting with a digit.
  static func isPlainName(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
    return text.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
  }
}

/// Comma-separated lists of expressions or basf2 variables (`a,b,max(c, d)`,
/// `binaryPID(321, 211),p`): commas inside parentheses or brackets do not split.
public enum ExpressionList {
  /// The parts, untrimmed, empty ones kept (callers decide what an empty part means).
  public static func split(_ text: String) -> [String] {
    var parts: [String] = []
    var depth = 0
    var current = ""
    for c in text {
      if c == "(" || c == "[" { depth += 1 }
      if c == ")" || c == "]" { depth -= 1 }
      if c == "," && depth == 0 {
        parts.append(current)
        current = ""
      } else {
        current.append(c)
      }
    }
    parts.append(current)
    return parts
  }
}
