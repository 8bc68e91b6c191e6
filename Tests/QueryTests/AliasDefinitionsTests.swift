import Foundation
import Query
import Testing

@Suite struct AliasDefinitionsTests {
  @Test func linesFilesAndPredefinedSelection() throws {
    var d = AliasDefinitions()
    d.predefine("selection", "x > 0")
    try d.add(line: "selection = x > 1", origin: "--alias")
    try d.add(fileText: "# aliases\npid = K_binaryPID(321, 211)  # comment\n\n", path: "a.txt")
    #expect(d.expressions == ["selection": "x > 1", "pid": "K_binaryPID(321, 211)"])
  }

  @Test func errorsSayWhere() throws {
    var d = AliasDefinitions()
    try d.add(line: "a = 1", origin: "--alias")
    #expect(throws: QueryError(.alias, "f.txt:2: alias 'a' is defined twice")) {
      try d.add(fileText: "b = 2\na = 3\n", path: "f.txt")
    }
    #expect(throws: QueryError(.alias, "--alias: alias 'oops' is not name=expr")) {
      try d.add(line: "oops", origin: "--alias")
    }
    #expect(throws: QueryError(.alias, "cannot read alias file '/': a directory")) {
      try d.add(filePath: "/")
    }
    #expect(throws: QueryError(.alias, "cannot read alias file '/nonexistent-\(#line)': no such file")) {
      try d.add(filePath: "/nonexistent-\(#line)")
    }
  }
}
