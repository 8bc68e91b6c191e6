import ArgumentParser
import Foundation
import Query

struct FuzzCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fuzz",
    abstract: "Run the robustness fuzzers (for developers).",
    discussion: """
      Drives random expressions and byte strings through the lexer, parser,
      binder and evaluator. A crash or hang is a bug; every input must be
      accepted or rejected with a located error. `make fuzz` runs 1M cases.

      Example:
        syscorr fuzz --cases 1000000 --seed 7
      """,
    shouldDisplay: false)

  @Option(help: "Number of cases.")
  var cases: Int = 100_000

  @Option(help: "Random seed.")
  var seed: UInt64 = 1

  func run() throws {
    let start = Date()
    let report = ExpressionFuzzer.run(cases: cases, seed: seed)
    print("expressions: \(report)")
    print(String(format: "%.1f s", Date().timeIntervalSince(start)))
  }
}
