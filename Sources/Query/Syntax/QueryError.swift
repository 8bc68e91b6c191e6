/// An error in a cut, weight, alias or histogram expression, or in running a
/// query: what went wrong, where in which expression, and what was expected.
///
/// `description` renders the expression with a caret line under the
/// offending span:
///
///     error: unknown column 'K_kaonId'
///       K_kaonId > 0.2
///       ^~~~~~~~
///     did you mean 'K_kaonID'?
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: String, Sendable, Codable {
    /// A character or token that does not fit the grammar.
    case syntax
    /// A name that is neither a column, an alias nor a builtin function.
    case unknownName
    /// Operand types that an operator or function does not accept.
    case type
    /// A function called with the wrong number of arguments.
    case arity
    /// Aliases that refer to each other in a loop, or a bad alias definition.
    case alias
    /// Query parameters that are not acceptable (bins, ranges, threads...).
    case invalidArgument
    /// A failure of the column source while reading.
    case source
    /// An aggregate or its sink failed (e.g. an export could not write).
    case aggregate
  }

  public var kind: Kind
  /// The offending span, in UTF-8 byte offsets into `expression`.
  public var range: SourceRange?
  /// A one-line message.
  public var message: String
  /// The text the range points into (a cut, a weight, an alias body...).
  public var expression: String
  /// Further lines: what was expected, did-you-mean suggestions.
  public var notes: [String]

  public init(
    _ kind: Kind, _ message: String, range: SourceRange? = nil, expression: String = "",
    notes: [String] = []
  ) {
    self.kind = kind
    self.message = message
    self.range = range
    self.expression = expression
    self.notes = notes
  }

  /// `error` itself when it is a `QueryError`, else an `.aggregate` error
  /// carrying its description.
  static func wrapping(_ error: any Error) -> QueryError {
    (error as? QueryError) ?? QueryError(.aggregate, String(describing: error))
  }

  /// The message, the expression, a caret line and the notes, one per line.
  public var description: String {
    var lines = ["error: \(message)"]
    if let range, !expression.isEmpty || range.lowerBound == 0 {
      let bytes = Array(expression.utf8)
      let lo = Swift.min(Swift.max(range.lowerBound, 0), bytes.count)
      let hi = Swift.min(Swift.max(range.upperBound, lo), bytes.count)
      // Columns are counted in characters as printed (invalid bytes print as one U+FFFD each).
      let shown = Self.printable(bytes)
      let col = Self.printable(Array(bytes[0..<lo])).count
      let width = Swift.max(1, Self.printable(Array(bytes[lo..<hi])).count)
      lines.append("  " + shown)
      lines.append("  " + String(repeating: " ", count: col) + "^" + String(repeating: "~", count: width - 1))
    }
    lines.append(contentsOf: notes)
    return lines.joined(separator: "\n")
  }

  /// Bytes as one printable line: control characters (tabs, newlines) become spaces.
  static func printable(_ bytes: [UInt8]) -> String {
    let s = String(decoding: bytes, as: UTF8.self)
    return String(s.map { $0.isNewline || ($0.asciiValue.map { $0 < 32 || $0 == 127 } ?? false) ? " " : $0 })
  }
}
