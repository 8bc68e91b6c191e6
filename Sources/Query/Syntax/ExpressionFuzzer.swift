import Numerics
import ColumnStore
import Foundation

/// Drives random expressions and byte strings through the lexer, the parser
/// and the binder, checking that each input ends in a value or a
/// `QueryError` (never a crash) and in bounded time.
package enum ExpressionFuzzer {
  package struct Report: Sendable, CustomStringConvertible {
    public var cases = 0
    public var tokens = 0
    public var parsed = 0
    public var bound = 0
    /// Bound cases also evaluated on a small table (as a cut and as values).
    public var executed = 0
    public var errors: [QueryError.Kind: Int] = [:]
    /// The slowest case, in seconds, and its input.
    public var slowestSeconds = 0.0
    public var slowestInput = ""

    public var description: String {
      let e = errors.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }
      return "\(cases) cases: \(parsed) parsed, \(bound) bound, \(executed) executed; errors: \(e.joined(separator: ", ")); "
        + "\(tokens) tokens; slowest \(String(format: "%.3f", slowestSeconds * 1000)) ms"
    }
  }

  /// A small deterministic generator (SplitMix64).
  struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
  }

  static let columns: [ColumnInfo] = [
    ColumnInfo(name: "x", type: .float64), ColumnInfo(name: "y", type: .float32),
    ColumnInfo(name: "n", type: .int32), ColumnInfo(name: "m", type: .int64),
    ColumnInfo(name: "flag", type: .bool), ColumnInfo(name: "__event__", type: .uint32),
    ColumnInfo(name: "K_binaryPID_321_211", type: .float64),
  ]
  static let aliases = ["a": "x * 2", "b": "a + n", "loop1": "loop2 + 1", "loop2": "loop1", "cond": "x > 1"]
  static let atoms = [
    "x", "y", "n", "m", "flag", "__event__", "a", "b", "cond", "loop1", "unknown", "1", "0", "2.5", ".5", "1.",
    "1e-3", "0x1F", "nan", "inf", "infinity", "true", "False", "K_binaryPID(321, 211)", "binaryPID(321, 211)",
    "daughter(0, kaonID)", "99999999999999999999", "0x", "1e", "1e+",
  ]
  static let binary = ["+", "-", "*", "/", "%", "**", "^", "<", "<=", ">", ">=", "==", "!=", "&&", "||", "and", "or"]
  static let functions = Builtin.allCases.map(\.rawValue) + ["foo", "formula"]
  static let junk = ["(", ")", "[", "]", ",", "!", "not", "-", "+", "=", "&", "|", ":", "\"", "'", "@", "é", "\u{0}", " ", "\t", "\n"]

  /// An expression-like string of bounded size.
  static func expression(_ r: inout Random, depth: Int) -> String {
    if depth <= 0 || r.below(4) == 0 { return r.pick(atoms) }
    switch r.below(8) {
    case 0, 1, 2:
      return expression(&r, depth: depth - 1) + " " + r.pick(binary) + " " + expression(&r, depth: depth - 1)
    case 3: return r.pick(["-", "+", "!", "not ", "- -"]) + expression(&r, depth: depth - 1)
    case 4: return "(" + expression(&r, depth: depth - 1) + ")"
    case 5: return "[" + expression(&r, depth: depth - 1) + "]"
    case 6:
      let f = r.pick(functions)
      let n = r.below(4)
      return f + "(" + (0..<n).map { _ in expression(&r, depth: depth - 1) }.joined(separator: ", ") + ")"
    default:
      return expression(&r, depth: depth - 1) + " < " + expression(&r, depth: depth - 1) + " <= "
        + expression(&r, depth: depth - 1)
    }
  }

  /// Random bytes, possibly invalid UTF-8.
  static func bytes(_ r: inout Random) -> [UInt8] {
    let n = r.below(48)
    let alphabet = Array("()[]<>=!&|*^%+-/.,:0123456789eExXabnotrufl_ \t".utf8)
    return (0..<n).map { _ in r.below(3) == 0 ? UInt8(truncatingIfNeeded: r.next()) : r.pick(alphabet) }
  }

  static func mutate(_ s: String, _ r: inout Random) -> String {
    var u = Array(s.utf8)
    for _ in 0..<(1 + r.below(4)) {
      let op = r.below(3)
      let pos = u.isEmpty ? 0 : r.below(u.count + 1)
      switch op {
      case 0: u.insert(contentsOf: Array(r.pick(junk + binary).utf8), at: pos)
      case 1: if pos < u.count { u.remove(at: pos) }
      default: if pos < u.count { u[pos] = UInt8(truncatingIfNeeded: r.next()) }
      }
    }
    return String(decoding: u, as: UTF8.self)
  }

  /// A 7-row table with awkward values for every fuzz column.
  static let table: MemoryTable = {
    let f: [Double] = [0, -0.0, 1.5, -2, .nan, .infinity, -.infinity]
    // swift-format-ignore: NeverUseForceTry
    return try! MemoryTable(
      columns: [
        (columns[0], .float64(f)), (columns[1], .float32(f.map(Float.init))),
        (columns[2], .int32([0, 1, -1, .max, .min, 7, -7])), (columns[3], .int64([0, 1, -1, .max, .min, 3, -3])),
        (columns[4], .bool([true, false, true, false, true, false, true])),
        (columns[5], .uint32([0, 1, 2, .max, 4, 5, 6])), (columns[6], .float64(f.reversed())),
      ], chunkRows: 3)
  }()

  /// Runs `cases` random inputs from `seed`. Inputs that bind are also
  /// evaluated on a small table of awkward values (NaN, ±inf, ±0, extreme
  /// integers) as a cut, a weight and a collected value.
  package static func run(cases: Int, seed: UInt64) -> Report {
    var r = Random(state: seed)
    var report = Report()
    let aliases = Self.aliases
    for _ in 0..<cases {
      let raw: [UInt8]
      switch r.below(6) {
      case 0: raw = bytes(&r)
      case 1: raw = Array(mutate(expression(&r, depth: 4), &r).utf8)
      case 2:
        let d = r.below(300)
        raw = Array((String(repeating: r.pick(["(", "[", "-", "!", "not ", "2**", "abs("]), count: d) + "x").utf8)
      default: raw = Array(expression(&r, depth: 1 + r.below(5)).utf8)
      }
      let start = DispatchTime.now().uptimeNanoseconds
      report.tokens += Lexer(bytes: raw).tokenize().count
      let text = String(decoding: raw, as: UTF8.self)
      report.cases += 1
      do {
        _ = try Parser.parse(text)
        report.parsed += 1
        let binder = try Binder(columns: columns, aliases: aliases, equality: r.below(2) == 0 ? .exact : .basf2)
        _ = try binder.bindCondition(text)
        _ = try binder.bindNumber(text)
        report.bound += 1
        var q = try Query(cut: text, weight: text, aliases: aliases, source: table)
        q.blockSize = 16
        _ = try q.run(CountAggregate(), threads: 1)
        _ = try Query(aliases: aliases, source: table).run(RowCollector([text]), threads: 1)
        report.executed += 1
      } catch {
        report.errors[error.kind, default: 0] += 1
        _ = error.description
      }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      if seconds > report.slowestSeconds {
        report.slowestSeconds = seconds
        report.slowestInput = text
      }
    }
    return report
  }
}
