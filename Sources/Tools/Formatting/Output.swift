import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Plain-text tables and number formats for terminal output.
enum Output {
  /// Left-aligned text columns, right-aligned numeric ones.
  static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = []) -> String {
    let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { i, c in
        let pad = String(repeating: " ", count: widths[i] - c.count)
        return numeric.contains(i) ? pad + c : c + pad
      }.joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression)
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n")
  }

  /// 1234567 → "1,234,567".
  static func grouped(_ n: Int) -> String {
    let s = String(n.magnitude)
    var out = ""
    for (i, c) in s.enumerated() {
      if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return (n < 0 ? "-" : "") + out
  }

  /// Bytes as "12.3 MB" (decimal units, as `ls -h --si`).
  static func bytes(_ n: Int) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var v = Double(n)
    var u = 0
    while v >= 1000 && u < units.count - 1 {
      v /= 1000
      u += 1
    }
    return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
  }

  /// Six significant digits, for tables meant to be read.
  static func compact(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return String(format: "%.6g", x)
  }

  /// Pretty, key-sorted JSON of an Encodable value.
  static func json<T: Encodable>(_ value: T) throws -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try e.encode(value), as: UTF8.self)
  }

  /// One-line, key-sorted JSON (for provenance strings stored in files).
  static func compactJSON<T: Encodable>(_ value: T) throws -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try e.encode(value), as: UTF8.self)
  }

  /// `warning: …` on stderr: the result is printed, but probably not what was meant.
  static func warning(_ text: String) {
    FileHandle.standardError.write(Data("warning: \(text)\n".utf8))
  }

  /// Whether standard error is a terminal (progress is shown only then).
  static var stderrIsTerminal: Bool { isatty(2) == 1 }

  /// Writes a progress line to stderr when it is a terminal.
  static func progress(_ label: String, _ done: Int, _ total: Int) {
    guard stderrIsTerminal else { return }
    let pct = total > 0 ? 100 * done / total : 100
    FileHandle.standardError.write(Data("\r\(label): \(grouped(done)) / \(grouped(total)) rows (\(pct)%)\u{1B}[K".utf8))
    if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
  }

  /// The command line as typed, for provenance.
  static var commandLine: String {
    CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
  }
}

/// A failure of the command line itself (conflicting options, a file it
/// cannot find), reported as `error: message` by `ErrorWording`, without the
/// usage text that swift-argument-parser adds to `ValidationError`.
struct CommandError: Error, CustomStringConvertible {
  var description: String
  init(_ message: String) { description = message }
}

