import ArgumentParser
import ColumnStore
import Foundation
import Query
import Testing

@testable import Tools

@Suite struct QueryCommandTests {
  let table = try! MemoryTable(columns: [
    (ColumnInfo(name: "x", type: .float64), .float64([0.5, 1.5, 2.5, .nan, -1])),
    (ColumnInfo(name: "w", type: .float64), .float64([1, 2, 3, 4, 5])),
    (ColumnInfo(name: "n", type: .int32), .int32([1, 2, 3, 4, 5])),
  ], chunkRows: 2)

  func run(_ args: [String]) throws -> String {
    let c = try QueryCommand.parse(args)
    return try c.execute(source: table, arguments: args)
  }

  /// The command's `--json` output, decoded.
  func json(_ args: [String]) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(run(args + ["--json"]).utf8)) as! [String: Any]
  }

  func counts(_ args: [String]) throws -> [Double] {
    let o = try json(args)
    return [o["entries"], o["sum_w"], o["sum_w2"]].map { ($0 as! NSNumber).doubleValue }
  }

  @Test func countText() throws {
    #expect(try run(["--cut", "x > 1", "--weight", "w"]) == "entries 2\nsum_w   5\nsum_w2  13\n")
  }

  @Test func countJSON() throws {
    #expect(try counts(["--cut", "x > 1 || n == 5", "--count"]) == [3, 3, 3])
    #expect(try counts(["--cut", "x > 1", "--weight", "w * 0.5"]) == [2, 2.5, 3.25])
  }

  @Test func aliases() throws {
    #expect(try counts(["--alias", "big=x > 1", "--alias", "y = n * 2", "--cut", "big && y > 5"]) == [1, 1, 1])
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("aliases-\(UUID().uuidString).txt")
    defer { try? FileManager.default.removeItem(at: file) }
    try "# aliases\nbig = x > 1  # a comment\n\nsmall=x<0\n".write(to: file, atomically: true, encoding: .utf8)
    #expect(try counts(["--alias-file", file.path, "--cut", "big || small"])[0] == 3)
  }

  @Test func histogramTable() throws {
    let out = try run(["--hist", "x", "--bins", "2", "--range", "0,2", "--weight", "w"])
    #expect(out == """
      # histogram of x, 5 entries; NaN counts as overflow
      x.lower\tx.upper\tsum_w\tsum_w2
      -inf\t0.0\t5\t25
      0.0\t1.0\t1\t1
      1.0\t2.0\t2\t4
      2.0\tinf\t7\t25

      """)
  }

  @Test func histogramJSONMixedAxes() throws {
    let args = ["--hist", "x", "--edges", "0,1,3", "--hist", "n", "--bins", "1", "--range", "0,10", "--json"]
    let out = try run(args)
    let obj = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
    let h = obj["histogram"] as! [String: Any]
    #expect((h["sum_w"] as! [Double]).count == 4 * 3)
    #expect((h["sum_w"] as! [Double]).reduce(0, +) == 5)
    #expect(h["entries"] as! Int == 5)
  }

  @Test func explain() throws {
    let out = try run(["--cut", "x > 3", "--explain", "--threads", "2"])
    #expect(out.contains("chunks: 3 total, 3 skipped by statistics"))
  }

  /// Each bad combination is refused with a message that says what to give.
  @Test func validation() {
    func message(_ args: [String]) -> String {
      do { _ = try QueryCommand.parse(args); return "" } catch { return ErrorWording.message(for: error) }
    }
    #expect(message(["--hist", "x"]).hasPrefix(
      "error: each --hist needs either --bins N --range LO,HI or --edges e0,e1,... (got 1 --hist, 0 --bins, 0 --edges)"))
    #expect(message(["--hist", "x", "--bins", "3"]).hasPrefix("error: each --bins needs a --range (got 1 --bins and 0 --range)"))
    #expect(message(["--out", "a.h5"]).hasPrefix("error: --out needs --columns a,b,... (rows) or --hist"))
    #expect(message(["--threads", "0"]).hasPrefix("error: --threads must be at least 1"))
    #expect(throws: QueryError(.unknownName, "unknown column 'y'", range: SourceRange(0, 1), expression: "y > 1",
                               notes: ["did you mean 'n' or 'w' or 'x'?"])) { try run(["--cut", "y > 1"]) }
  }
}

@Suite struct DashValueTests {
  let table = try! MemoryTable(columns: [
    (ColumnInfo(name: "x", type: .float64), .float64([-0.9, -0.5, 0.2, 0.95, 0.99])),
  ], chunkRows: 2)

  /// Options taking expressions accept values that start with '-' (framework binnings do).
  @Test func expressionStartingWithMinus() throws {
    let args = ["--cut", "-0.8 < x < 0.9563", "--json"]
    let out = try QueryCommand.parse(args).execute(source: table, arguments: args)
    let obj = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
    #expect(obj["entries"] as? Int == 3)
    let hist = ["--hist", "-x", "--bins", "2", "--range", "-1,1", "--pass", "-x > 0", "--json"]
    let h = try QueryCommand.parse(hist).execute(source: table, arguments: hist)
    #expect(h.contains("\"efficiency\""))
  }
}
