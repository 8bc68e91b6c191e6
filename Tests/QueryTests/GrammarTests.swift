import TestSupport
import ColumnStore
import Modes
import Testing

@testable import Query

@Suite struct GrammarTests {
  @Test(arguments: [
    // power: right-associative, tighter than unary minus
    "-2**2 == -4", "2**3**2 == 512", "2^3^2 == 512", "2**-1 == 0.5", "-2^2 == -4", "(-2)**2 == 4",
    "2 ** 3 * 2 == 16",
    // arithmetic precedence and associativity
    "1 + 2 * 3 == 7", "(1 + 2) * 3 == 9", "10 - 4 - 3 == 3", "12 / 3 / 2 == 2", "3 / 2 == 1.5",
    "7 % 3 == 1", "-7 % 3 == 2", "7 % -3 == -2", "7.5 % 2 == 1.5", "-7.5 % 2 == 0.5", "5 % 0 == 0",
    "- -3 == 3", "+3 == 3", "2 * -3 == -6",
    // literals
    "0x1F == 31", "0X10 == 16", "1. == 1", ".5 == 0.5", "1e-3 == 0.001", "1.5E+2 == 150", "true", "True",
    "not false", "not False", "infinity == inf", "inf > 1e308", "-inf < -1e308", "nan != nan",
    "not nan == nan", "99999999999999999999 > 1e19",
    // logic: and binds tighter than or; not tighter than and
    "true or false and false", "not false and true", "!(1 > 2)", "not 1 > 2", "!false && !false",
    "false || true && true", "1 > 0 and 2 > 1 or 1 > 5",
    // chained comparisons
    "1 < 2 < 3", "not 1 < 3 < 2", "3 > 2 > 1", "1 < 2 != 3", "not 1 < 3 != 3", "1 <= 1 <= 1", "0.1439 < Dst_Q < 0.1469",
    // typed brackets: [ ] around conditions, ( ) accepted around conditions too
    "[1 < 2] and [2 < 3]", "(1 < 2) && (2 < 3)", "[[x > 1] or [x < 0]]", "((x > 1))", "[x]", "[-1]",
    // numbers as conditions: non-zero and not NaN
    "x", "i", "not 0", "not 0.0", "not nan", "not -0.0", "1e-300",
    // int/float mixing, bool compared as int
    "i / 2 == 3.5", "i % 4 == 3", "i * 2 == 14", "true == 1", "false == 0", "true != 1.2", "(x > 1) == true",
    // functions
    "abs(-3) == 3", "abs(-2.5) == 2.5", "sqrt(16) == 4", "min(3, x) == 2.5", "max(i, 9) == 9", "pow(2, 10) == 1024",
    "floor(-2.5) == -3", "ceil(-2.5) == -2", "round(2.5) == 2", "round(3.5) == 4", "isnan(nan)", "isinf(-inf)",
    "not isnan(x)", "clip(x, 0, 1) == 1", "clip(i, 0, 5) == 5", "where(x > 2, 10, 20) == 10",
    "atan2(1, 1) > 0.78", "log10(1000) == 3", "exp(0) == 1", "where(x < 0, sqrt(-1), 1) == 1",
    "isnan(max(nan, 1))", "isnan(min(1, nan))", "__event__ == 0 or true",
  ])
  func expressionHolds(_ cut: String) throws {
    let table = try MemoryTable(columns: [
      (ColumnInfo(name: "x", type: .float64), .float64([2.5])),
      (ColumnInfo(name: "i", type: .int32), .int32([7])),
      (ColumnInfo(name: "Dst_Q", type: .float64), .float64([0.145])),
      (ColumnInfo(name: "__event__", type: .uint32), .uint32([0])),
    ])
    #expect(try Query(cut: cut, source: table).count(threads: 1).entries == 1, "\(cut)")
  }

  @Test(arguments: ["1 > 2", "2**3**2 == 64", "nan == nan", "1 < 3 < 2", "nan", "0", "-0.0", "false", "x < nan", "x >= nan"])
  func expressionFails(_ cut: String) throws {
    #expect(try holds(cut) == false, "\(cut)")
  }

  @Test func valueTypes() throws {
    let r = try Query(source: oneRow()).run(RowCollector(["i + 1", "i / 7", "i % 4", "i ** 2", "x > 1", "-i", "abs(i)", "min(i, 2.5)"]))
    #expect(r.columns.map(\.type) == [.int64, .float64, .int64, .float64, .bool, .int64, .int64, .float64])
  }

  @Test func basf2Equality() throws {
    // 0.1 + 0.2 differs from 0.3 by one ULP.
    #expect(try holds("0.1 + 0.2 == 0.3") == false)
    #expect(try holds("0.1 + 0.2 == 0.3", equality: .basf2))
    #expect(try holds("0.1 + 0.2 != 0.3"))
    #expect(try holds("0.1 + 0.2 != 0.3", equality: .basf2) == false)
    #expect(try holds("x * 3 == 7.5000000000000018", equality: .basf2))
    #expect(try holds("1.0 == 1.0000001", equality: .basf2) == false)
    #expect(try holds("nan == nan", equality: .basf2) == false)
    #expect(try holds("0.0 == -0.0", equality: .basf2))
    #expect(try holds("x - 2.5 == 0.0", equality: .basf2))
  }

  @Test func tokens() {
    let kinds = Lexer("a>=1.5e3&&!b||0x1F**.5 [c] , not x2 __w__ 1e 1.").tokenize().map(\.kind)
    #expect(kinds == [
      .identifier, .greaterEqual, .float(1500), .and, .not, .identifier, .or, .integer(31), .power, .float(0.5),
      .leftBracket, .identifier, .rightBracket, .comma, .not, .identifier, .identifier, .integer(1), .identifier,
      .float(1), .end,
    ])
  }

  @Test func parseTree() throws {
    #expect(try Parser.parse("a + b * c ** d ** e")!.description == "(a + (b * (c ** (d ** e))))")
    #expect(try Parser.parse("-a ** 2")!.description == "(-(a ** 2))")
    #expect(try Parser.parse("not a < b and c or d")!.description == "(((!(a < b)) && c) || d)")
    #expect(try Parser.parse("a < b <= c")!.description == "(a < b <= c)")
    #expect(try Parser.parse("f(1, g(2, 3))")!.description == "f(1, g(2, 3))")
    #expect(try Parser.parse("   ") == nil)
    #expect(try Parser.parse("") == nil)
  }

  @Test func rawMetavariableArguments() throws {
    guard case .rawCall(let name, let args, let text, _)? = try Parser.parse("daughter(0, daughter(1, p)) > 1")
      .flatMap({ if case .comparison(let xs, _, _) = $0 { xs[0] } else { nil } })
    else {
      Issue.record("not a raw call")
      return
    }
    #expect(name == "daughter")
    #expect(args == ["0", "daughter(1, p)"])
    #expect(text == "daughter(0, daughter(1, p))")
    #expect(VariableNames.sanitize("binaryPID(321, 211)") == "binaryPID_321_211")
    #expect(VariableNames.sanitize("matchedMC(useLabFrame(px))") == "matchedMC_useLabFrame_px")
    #expect(VariableNames.sanitize("binaryPID(11, -211)") == "binaryPID_11_211")
    #expect(VariableNames.makeROOTCompatible("massDifference(0)") == "massDifference__bo0__bc")
    #expect(VariableNames.makeROOTCompatible("daughter(0, kaonID)") == "daughter__bo0__cm__spkaonID__bc")
  }

  @Test func emptyCutPassesEverything() throws {
    let t = try randomTable(rows: 100, seed: 1)
    #expect(try Query(cut: "", source: t).count().entries == 100)
    #expect(try Query(cut: "  ", source: t).count().entries == 100)
  }
}
