import TestSupport
import ColumnStore
import Foundation
import Testing

@testable import Query

/// An independent, scalar, tree-walking model of the language: random trees
/// are rendered to text for the engine and evaluated here per row.
indirect enum RefExpr {
  case column(String, RefType)
  case int(Int64)
  case float(Double)
  case boolean(Bool)
  case negate(RefExpr)
  case arith(String, RefExpr, RefExpr)
  case compare([RefExpr], [String])
  case and(RefExpr, RefExpr, spelling: String)
  case or(RefExpr, RefExpr, spelling: String)
  case not(RefExpr, spelling: String)
  case call(String, [RefExpr])
  case brackets(RefExpr)

  enum RefType { case bool, int, float }

  var type: RefType {
    switch self {
    case .column(_, let t): return t
    case .int: return .int
    case .float: return .float
    case .boolean, .compare, .and, .or, .not, .brackets: return .bool
    case .negate(let e): return e.type
    case .arith(let op, let a, let b):
      if op == "/" || op == "**" || op == "^" { return .float }
      return a.type == .int && b.type == .int ? .int : .float
    case .call(let f, let args):
      switch f {
      case "abs", "min", "max", "clip": return args.allSatisfy { $0.type == .int } ? .int : .float
      case "isnan", "isinf": return .bool
      case "where": return args[1].type == .int && args[2].type == .int ? .int : .float
      default: return .float
      }
    }
  }

  var text: String {
    switch self {
    case .column(let n, _): return n
    case .int(let v): return v < 0 ? "(-\(-v))" : "\(v)"
    case .float(let v):
      if v.isNaN { return "nan" }
      if v.isInfinite { return v < 0 ? "(-inf)" : "inf" }
      return v.sign == .minus ? "(-\(-v))" : "\(v)"
    case .boolean(let b): return b ? "true" : "False"
    case .negate(let e): return "(-\(e.text))"
    case .arith(let op, let a, let b): return "(\(a.text) \(op) \(b.text))"
    case .compare(let xs, let ops):
      return "(" + xs.indices.map { ($0 > 0 ? " \(ops[$0 - 1]) " : "") + xs[$0].text }.joined() + ")"
    case .and(let a, let b, let s): return "(\(a.text) \(s) \(b.text))"
    case .or(let a, let b, let s): return "(\(a.text) \(s) \(b.text))"
    case .not(let e, let s): return "(\(s) \(e.text))"
    case .call(let f, let args): return "\(f)(" + args.map(\.text).joined(separator: ", ") + ")"
    case .brackets(let e): return "[\(e.text)]"
    }
  }
}

enum RefValue {
  case b(Bool), i(Int64), d(Double)
  var double: Double {
    switch self {
    case .b(let x): return x ? 1 : 0
    case .i(let x): return Double(x)
    case .d(let x): return x
    }
  }
  var truth: Bool {
    switch self {
    case .b(let x): return x
    case .i(let x): return x != 0
    case .d(let x): return !x.isNaN && x != 0
    }
  }
}

struct Reference {
  let row: [String: RefValue]

  func eval(_ e: RefExpr) -> RefValue {
    switch e {
    case .column(let n, _): return row[n]!
    case .int(let v): return .i(v)
    case .float(let v): return .d(v)
    case .boolean(let v): return .b(v)
    case .negate(let x):
      if case .i(let v) = eval(x) { return .i(0 &- v) }
      return .d(-eval(x).double)
    case .arith(let op, let a, let b):
      let x = eval(a)
      let y = eval(b)
      if case .i(let p) = x, case .i(let q) = y, ["+", "-", "*", "%"].contains(op) {
        switch op {
        case "+": return .i(p &+ q)
        case "-": return .i(p &- q)
        case "*": return .i(p &* q)
        default:
          if q == 0 { return .i(0) }
          let r = p % q
          return .i(r != 0 && (r < 0) != (q < 0) ? r + q : r)
        }
      }
      let p = x.double
      let q = y.double
      switch op {
      case "+": return .d(p + q)
      case "-": return .d(p - q)
      case "*": return .d(p * q)
      case "/": return .d(p / q)
      case "%":
        let r = fmod(p, q)
        return .d(r != 0 && (r < 0) != (q < 0) ? r + q : r)
      default: return .d(pow(p, q))
      }
    case .compare(let xs, let ops):
      let vals = xs.map(eval)
      let allInt = vals.allSatisfy { if case .d = $0 { return false } else { return true } }
      for k in ops.indices {
        let a = vals[k]
        let b = vals[k + 1]
        let ok: Bool
        if allInt {
          let p = Int64(a.double)
          let q = Int64(b.double)
          switch ops[k] {
          case "<": ok = p < q
          case "<=": ok = p <= q
          case ">": ok = p > q
          case ">=": ok = p >= q
          case "==": ok = p == q
          default: ok = p != q
          }
        } else {
          let p = a.double
          let q = b.double
          switch ops[k] {
          case "<": ok = p < q
          case "<=": ok = p <= q
          case ">": ok = p > q
          case ">=": ok = p >= q
          case "==": ok = p == q
          default: ok = p != q
          }
        }
        if !ok { return .b(false) }
      }
      return .b(true)
    case .and(let a, let b, _): return .b(eval(a).truth && eval(b).truth)
    case .or(let a, let b, _): return .b(eval(a).truth || eval(b).truth)
    case .not(let a, _): return .b(!eval(a).truth)
    case .brackets(let a): return .b(eval(a).truth)
    case .call(let f, let args):
      let v = args.map(eval)
      let allInt = args.allSatisfy { $0.type == .int }
      // numpy's minimum/maximum: NaN propagates, ties (±0) keep the first operand.
      func nanMin(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : (a <= b ? a : b) }
      func nanMax(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : (a >= b ? a : b) }
      switch f {
      case "abs": if case .i(let x) = v[0] { return .i(x < 0 ? -x : x) }; return .d(Swift.abs(v[0].double))
      case "min": return allInt ? .i(Int64(Swift.min(v[0].double, v[1].double))) : .d(nanMin(v[0].double, v[1].double))
      case "max": return allInt ? .i(Int64(Swift.max(v[0].double, v[1].double))) : .d(nanMax(v[0].double, v[1].double))
      case "clip":
        return allInt
          ? .i(Int64(Swift.min(Swift.max(v[0].double, v[1].double), v[2].double)))
          : .d(nanMin(nanMax(v[0].double, v[1].double), v[2].double))
      case "sqrt": return .d(sqrt(v[0].double))
      case "exp": return .d(exp(v[0].double))
      case "log": return .d(log(v[0].double))
      case "sin": return .d(sin(v[0].double))
      case "atan2": return .d(atan2(v[0].double, v[1].double))
      case "floor": return .d(floor(v[0].double))
      case "ceil": return .d(ceil(v[0].double))
      case "round": return .d(v[0].double.rounded(.toNearestOrEven))
      case "pow": return .d(pow(v[0].double, v[1].double))
      case "isnan": return .b(v[0].double.isNaN)
      case "isinf": return .b(v[0].double.isInfinite)
      case "where":
        let pick = v[0].truth ? v[1] : v[2]
        return args[1].type == .int && args[2].type == .int ? pick : .d(pick.double)
      default: fatalError(f)
      }
    }
  }
}

struct Generator {
  var r: TestRandom
  let numericColumns: [(String, RefExpr.RefType)] = [
    ("f", .float), ("g", .float), ("s", .float), ("n", .int), ("m", .int), ("u", .int),
  ]

  mutating func number(_ depth: Int) -> RefExpr {
    if depth == 0 || r.below(3) == 0 {
      switch r.below(6) {
      case 0: return .int(Int64(r.below(9)) - 3)
      case 1: return .float(r.pick([0.5, -1.5, 2.0, 0.0, -0.0, 1e-3, 3.25, .nan, .infinity]))
      default:
        let (n, t) = r.pick(numericColumns)
        return .column(n, t)
      }
    }
    switch r.below(9) {
    case 0: return .negate(number(depth - 1))
    case 1, 2, 3:
      return .arith(r.pick(["+", "-", "*", "/", "%", "**", "^"]), number(depth - 1), number(depth - 1))
    case 4: return .call(r.pick(["abs", "sqrt", "floor", "ceil", "round", "exp", "log", "sin"]), [number(depth - 1)])
    case 5: return .call(r.pick(["min", "max", "atan2", "pow"]), [number(depth - 1), number(depth - 1)])
    case 6: return .call("clip", [number(depth - 1), number(depth - 1), number(depth - 1)])
    case 7: return .call("where", [condition(depth - 1), number(depth - 1), number(depth - 1)])
    default:
      let (n, t) = r.pick(numericColumns)
      return .column(n, t)
    }
  }

  mutating func condition(_ depth: Int) -> RefExpr {
    if depth == 0 || r.below(4) == 0 {
      switch r.below(5) {
      case 0: return .column("b", .bool)
      case 1: return number(0)  // a number as a condition
      default: return compare(depth)
      }
    }
    switch r.below(7) {
    case 0, 1: return .and(condition(depth - 1), condition(depth - 1), spelling: r.pick(["&&", "and"]))
    case 2: return .or(condition(depth - 1), condition(depth - 1), spelling: r.pick(["||", "or"]))
    case 3: return .not(condition(depth - 1), spelling: r.pick(["!", "not"]))
    case 4: return .brackets(condition(depth - 1))
    case 5: return .call(r.pick(["isnan", "isinf"]), [number(depth - 1)])
    default: return compare(depth)
    }
  }

  mutating func compare(_ depth: Int) -> RefExpr {
    let ops = ["<", "<=", ">", ">=", "==", "!="]
    let k = r.below(3) == 0 ? 3 : 2
    return .compare((0..<k).map { _ in number(Swift.max(0, depth - 1)) }, (1..<k).map { _ in r.pick(ops) })
  }
}

@Suite struct ReferenceEvaluatorTests {
  static let rows = 1200

  func referenceRows(_ t: MemoryTable) -> [[String: RefValue]] {
    (0..<t.rowCount).map { i in
      var row: [String: RefValue] = [:]
      for c in t.columns {
        let buf = t.buffer(c.name)!
        switch buf {
        case .bool(let a): row[c.name] = .b(a[i])
        case .float64, .float32: row[c.name] = .d(buf.double(at: i))
        default: row[c.name] = .i(Int64(buf.double(at: i)))
        }
      }
      return row
    }
  }

  @Test(arguments: [1 as UInt64, 2, 3, 4])
  func randomCutsMatchReference(seed: UInt64) throws {
    let table = try randomTable(rows: Self.rows, seed: seed)
    let rows = referenceRows(table)
    var gen = Generator(r: TestRandom(seed &* 7919))
    for _ in 0..<60 {
      let e = gen.condition(3)
      let expected = rows.indices.filter { Reference(row: rows[$0]).eval(e).truth }.map(Int64.init)
      var q = try Query(cut: e.text, source: table)
      let got = try q.run(RowCollector([], includeRowNumbers: true), threads: 2)
      #expect(got.rowNumbers == expected, "cut: \(e.text)")
      // Tiny blocks: many blocks per chunk, so adaptive conjunct reordering kicks in.
      q.blockSize = 16
      let small = try q.run(RowCollector([], includeRowNumbers: true), threads: 1)
      #expect(small.rowNumbers == expected, "cut with 16-row blocks: \(e.text)")
    }
  }

  @Test(arguments: [11 as UInt64, 12, 13])
  func randomValuesMatchReference(seed: UInt64) throws {
    let table = try randomTable(rows: 400, seed: seed)
    let rows = referenceRows(table)
    var gen = Generator(r: TestRandom(seed &* 104_729))
    for _ in 0..<60 {
      let e = gen.number(3)
      let q = try Query(source: table)
      let got = try q.run(RowCollector([e.text]), threads: 1)
      let col = got.columns[0]
      if case .column(let name, _) = e {
        #expect(col.type == table.column(named: name)!.type, "a bare column keeps its stored type")
      } else {
        #expect(col.type == (e.type == .int ? .int64 : .float64), "type of \(e.text)")
      }
      var mismatches = 0
      for i in rows.indices {
        let want = Reference(row: rows[i]).eval(e).double
        if !col.double(at: i).same(want) {
          mismatches += 1
          if mismatches < 3 { Issue.record("row \(i): \(e.text) = \(col.double(at: i)), reference \(want)") }
        }
      }
      #expect(mismatches == 0, "\(e.text)")
    }
  }

  @Test func statisticsOfHugeIntegersAreNotTrusted() throws {
    let big: Int64 = 1 << 60
    let t = try MemoryTable(columns: [
      (ColumnInfo(name: "m", type: .int64), .int64([big + 1, big + 3])),
      (ColumnInfo(name: "u", type: .uint64), .uint64([UInt64.max, 1])),
    ])
    for cut in ["m > 1152921504606846978", "m == 1152921504606846977", "u < 0", "u > 5", "m >= 1152921504606846979"] {
      let q = try Query(cut: cut, source: t)
      #expect(try q.count().entries == q.run(CountAggregate(), useStatistics: false).entries, "\(cut)")
    }
    #expect(try Query(cut: "m > 1152921504606846978", source: t).count().entries == 1)
    #expect(try Query(cut: "u < 0", source: t).count().entries == 0)  // uint64 never wraps (UInt64Tests)
    #expect(try Query(cut: "u > 5", source: t).count().entries == 1)
  }

  @Test func statisticsNeverChangeResults() throws {
    let table = try randomTable(rows: 3000, seed: 99, chunkRows: 200)
    var gen = Generator(r: TestRandom(5))
    var skippedSomewhere = false
    for k in 0..<80 {
      let cut = k < 10 ? ["f > 20", "f < -3", "m >= 1010", "f == 12.5", "n != 0", "3 < f < 5", "f", "b", "u > 2", "-1 > s"][k] : gen.condition(2).text
      let q = try Query(cut: cut, weight: "g", source: table)
      let with = try q.run(CountAggregate(), threads: 2, useStatistics: true)
      let without = try q.run(CountAggregate(), threads: 2, useStatistics: false)
      #expect(with.entries == without.entries, "\(cut)")
      #expect(with.sumW.same(without.sumW), "\(cut)")
      if q.explain.contains("skipped by statistics"), !q.explain.contains(" 0 skipped by statistics") {
        skippedSomewhere = true
      }
    }
    #expect(skippedSomewhere)
  }
}
