import ArgumentParser
import Foundation
import ColumnStore
import Query

struct FuzzCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fuzz",
    abstract: "Run the robustness fuzzers (for developers).",
    discussion: """
      Drives random expressions and byte strings through the lexer, parser,
      binder and evaluator, and truncated or bit-flipped ROOT files through
      the ROOT reader. A crash or hang is a bug; every input must be accepted
      or rejected with a located error. `make fuzz` runs 1M expressions and
      10k ROOT files.

      Example:
        syscorr fuzz --cases 1000000 --seed 7
      """,
    shouldDisplay: false)

  @Option(help: "Number of cases.")
  var cases: Int = 100_000

  @Option(help: "Random seed.")
  var seed: UInt64 = 1

  @Option(help: "What to fuzz: expressions, root or all.")
  var target: String = "all"

  @Option(help: "ROOT cases (truncated and bit-flipped files).")
  var rootCases: Int = 10_000

  @Option(help: "Directory of the ROOT test files (`make fixtures` writes them there).")
  var rootFiles: String = ".build/fixtures"

  func run() throws {
    if target == "expressions" || target == "all" {
      let start = Date()
      let report = ExpressionFuzzer.run(cases: cases, seed: seed)
      print("expressions: \(report)")
      print(String(format: "  %.1f s", Date().timeIntervalSince(start)))
    }
    if target == "root" || target == "all" {
      let fm = FileManager.default
      guard let enumerator = fm.enumerator(atPath: rootFiles) else {
        throw CommandError("no ROOT test files under \(rootFiles): run `make fixtures` or give --root-files DIR")
      }
      let files = enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".root") }.sorted()
        .map { rootFiles + "/" + $0 }
      let start = Date()
      let report = try ROOTFuzzer.run(files: files, cases: rootCases, seed: seed)
      print("root: \(report)")
      print(String(format: "  %.1f s", Date().timeIntervalSince(start)))
    }
  }
}
