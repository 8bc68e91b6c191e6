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
      10k ROOT files. --target cli runs random argument vectors through every
      subcommand in this process, against a small store it builds: each must
      succeed or fail with `error: …` and a non-zero exit code (`make test`
      runs 10,000).

      Example:
        syscorr fuzz --cases 1000000 --seed 7
      """,
    shouldDisplay: false)

  @Option(help: "Number of cases.")
  var cases: Int = 100_000

  @Option(help: "Random seed.")
  var seed: UInt64 = 1

  @Option(help: "Command-line cases (random argument vectors over every subcommand).")
  var cliCases: Int = 10_000

  @Option(help: "With --target cli: write each argument vector to this file before running it (to find a crashing one).")
  var log: String?

  @Option(name: .customLong("directory"), help: "With --target cli: the directory of its store and files, kept afterwards (default: a temporary one, removed).")
  var workDirectory: String?

  @Option(help: "What to fuzz: expressions, root, cli or all.")
  var target: String = "all"

  @Option(help: "ROOT cases (truncated and bit-flipped files).")
  var rootCases: Int = 10_000

  @Option(help: "Directory of the ROOT test files (`make fixtures` writes them there).")
  var rootFiles: String = ".build/fixtures"

  func run() throws {
    if target == "cli" || target == "all" {
      // absolute: the fuzzer works inside it
      let directory = URL(fileURLWithPath: workDirectory ?? NSTemporaryDirectory() + "syscorr-cli-fuzz-\(getpid())").standardizedFileURL.path
      defer { if workDirectory == nil { try? FileManager.default.removeItem(atPath: directory) } }
      let start = Date()
      var fuzzer = CLIFuzzer(directory: directory, seed: seed)
      let report = try fuzzer.run(cases: cliCases, log: log)
      print("cli: \(report)")
      print(String(format: "  %.1f s", Date().timeIntervalSince(start)))
      for (m, n) in report.messages.sorted(by: { $0.value > $1.value }).prefix(12) { print("  \(n)× \(m)") }
      for b in report.badFailures.prefix(20) { print("  bad: \(b)") }
      if !report.badFailures.isEmpty { throw CommandError("\(report.badFailures.count) failures not worded `error: …`") }
    }
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
