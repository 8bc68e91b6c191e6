import ColumnStore
import Testing

@testable import Query

@Suite struct ErrorTests {
  let table = try! MemoryTable(columns: [
    (ColumnInfo(name: "K_kaonID", type: .float64), .float64([0.5])),
    (ColumnInfo(name: "K_charge", type: .int32), .int32([1])),
    (ColumnInfo(name: "K_binaryPID_321_211", type: .float64), .float64([0.9])),
    (ColumnInfo(name: "isSignal", type: .bool), .bool([true])),
    (ColumnInfo(name: "massDifference__bo0__bc", type: .float64), .float64([0.145])),
  ])

  func error(_ cut: String, aliases: [String: String] = [:]) -> String {
    do {
      _ = try Query(cut: cut, aliases: aliases, source: table)
      return "no error"
    } catch {
      return error.description
    }
  }

  @Test func unknownColumn() {
    #expect(error("K_kaonId > 0.2 && K_charge > 0") == """
      error: unknown column 'K_kaonId'
        K_kaonId > 0.2 && K_charge > 0
        ^~~~~~~~
      did you mean 'K_kaonID'?
      """)
  }

  @Test func unexpectedToken() {
    #expect(error("K_kaonID > > 0.2") == """
      error: unexpected '>'
        K_kaonID > > 0.2
                   ^
      expected a number, a name, '(' or '['
      """)
    #expect(error("K_kaonID = 0.2") == """
      error: unexpected character '='
        K_kaonID = 0.2
                 ^
      use '==' to compare
      """)
    #expect(error("K_kaonID > 0.2 &") == """
      error: unexpected character '&'
        K_kaonID > 0.2 &
                       ^
      use '&&' or 'and'
      """)
    #expect(error("(K_kaonID > 0.2") == """
      error: unexpected end of expression
        (K_kaonID > 0.2
                       ^
      expected ')'
      """)
    #expect(error("K_kaonID > 0.2)") == """
      error: unexpected ')'
        K_kaonID > 0.2)
                      ^
      expected an operator or the end of the expression
      """)
    #expect(error("[K_kaonID > 0.2)") == """
      error: mismatched ')'
        [K_kaonID > 0.2)
                       ^
      expected ']' to close the '[' at offset 0
      """)
  }

  @Test func typeErrors() {
    #expect(error("isSignal + 1 > 0") == """
      error: operator '+' cannot take bool and int64
        isSignal + 1 > 0
        ^~~~~~~~~~~~
      arithmetic needs numbers; basf2 rejects bool operands (use where(cond, 1, 0))
      """)
    #expect(error("-isSignal") == """
      error: unary '-' cannot take bool
        -isSignal
        ^~~~~~~~~
      basf2 rejects bool in arithmetic; use where(cond, 1, 0) for a number
      """)
    #expect(error("abs(K_charge > 0)").hasPrefix("error: argument 1 of 'abs' must be a number, got bool\n  abs(K_charge > 0)\n      ^~~~~~~~~~~~"))
  }

  @Test func bracketsHoldOnlyConditions() {
    #expect(error("[K_kaonID + 1] > 2") == """
      error: square brackets group only conditions
        [K_kaonID + 1] > 2
        ^~~~~~~~~~~~~~
      use '( )' around arithmetic, e.g. '(x + 1) > 2'
      """)
  }

  @Test func chains() {
    #expect(error("0 < K_kaonID < 1 < 2") == """
      error: too many chained comparisons
        0 < K_kaonID < 1 < 2
                         ^
      a chain compares at most 3 operands, as in 'lo < x < hi'; join longer chains with '&&'
      """)
  }

  @Test func arity() {
    #expect(error("abs(K_kaonID, 1) > 0") == """
      error: function 'abs' takes 1 argument, got 2
        abs(K_kaonID, 1) > 0
        ^~~~~~~~~~~~~~~~
      usage: abs(x)
      """)
    #expect(error("clip(K_kaonID) > 0").hasPrefix("error: function 'clip' takes 3 arguments, got 1"))
  }

  @Test func metavariables() {
    #expect(error("K_binaryPID(321, 211) > 0.5") == "no error")
    #expect(error("massDifference(0) < 0.16") == "no error")
    #expect(error("K_binaryPID(321, 2111) > 0.5") == """
      error: unknown function or column 'K_binaryPID(321, 2111)'
        K_binaryPID(321, 2111) > 0.5
        ^~~~~~~~~~~~~~~~~~~~~~
      not a builtin function, and no column 'K_binaryPID_321_2111' (the sanitised call)
      did you mean 'K_binaryPID_321_211'?
      """)
    #expect(error("sqr(K_kaonID) > 0").contains("did you mean 'sqrt'"))
  }

  @Test func aliases() {
    #expect(error("a > 1", aliases: ["a": "b + 1", "b": "c * 2", "c": "a"]) == """
      error: alias 'a' refers to itself: a → b → c → a
        a
        ^
      aliases may use other aliases, but not in a loop
      in alias 'c' = a
      in alias 'b' = c * 2
      in alias 'a' = b + 1
      """)
    #expect(error("p > 1", aliases: ["p": "K_kaonId * 2"]) == """
      error: unknown column 'K_kaonId'
        K_kaonId * 2
        ^~~~~~~~
      did you mean 'K_kaonID'?
      in alias 'p' = K_kaonId * 2
      """)
    #expect(error("x", aliases: ["2x": "1"]).hasPrefix("error: invalid alias name '2x'"))
    // Exponential expansion and deep chains are errors, not hangs or stack overflows.
    var doubling: [String: String] = [:]
    for k in 0..<25 { doubling["a\(k)"] = "a\(k + 1) + a\(k + 1)" }
    doubling["a25"] = "K_kaonID"
    #expect(error("a0 > 1", aliases: doubling).hasPrefix("error: expression too large after alias expansion"))
    var chain: [String: String] = [:]
    for k in 0..<1000 { chain["c\(k)"] = "c\(k + 1) + 1" }
    chain["c1000"] = "K_kaonID"
    #expect(error("c0 > 1", aliases: chain).hasPrefix("error: aliases nested too deeply"))
    var fine: [String: String] = [:]
    for k in 0..<10 { fine["b\(k)"] = "b\(k + 1) * 2" }
    fine["b10"] = "K_kaonID"
    #expect(error("b0 > 1", aliases: fine) == "no error")
  }

  @Test func neverCrashesOnOddText() {
    for text in ["", "(", ")", "[]", "((((", "é > 1", "\u{0}", "1e", "0x", "..", "a(((", "not", "1 <", "**2", ",", "\"x\""] {
      _ = error(text)
    }
    let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
    #expect(error(deep).hasPrefix("error: expression nested too deeply"))
    let long = (0..<5000).map { _ in "K_kaonID" }.joined(separator: " + ") + " > 0"
    #expect(error(long).hasPrefix("error: expression nested too deeply"))
  }
}
