import Analysis
import ArgumentParser
import ColumnStore
import Foundation
import Modes

/// `syscorr multitrack`: per-event PID weights of several tracks from a weight table.
struct MultiTrackCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "multitrack",
    abstract: "Per-event PID weights (product over tracks, correlated uncertainties) from a weight table.",
    discussion: """
      For every row: the product of the table's data/MC ratios of the named
      tracks, its statistical uncertainty (tracks sharing a bin fully
      correlated) and its systematic one (fully correlated across bins), up
      and down: columns NAME, NAME_stat_up, NAME_stat_dn, NAME_sys_up,
      NAME_sys_dn and NAME_valid. A row with a track outside the table or in
      a bin without a ratio gets NaN and NAME_valid = false, and is counted.

      The table is the JSON of `syscorr weights --out W.json`; with several
      cuts, --cut names the one to apply. A store set gets the columns as a
      friend version NAME_vN; a file (--input) a row-aligned HDF5 file (--out).

      Examples:
        syscorr weights --mode Dst --proc proc12 --mc-proc MC15ri --particle K --weight sweight \\
          --select in_fit --cut 'kaonID > 0.6' --bin p=0.5,1,2,4.5 --out K-weights.json
        syscorr multitrack --input my-analysis.root:tree --track B_K_0 --track B_K_1 \\
          --table K-weights.json --out my-analysis-pid-weights.h5
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var parallelism: ThreadsOption

  @Option(help: "The weight table: the JSON of `syscorr weights --out W.json`.")
  var table: String

  @Option(help: "A track: a column prefix (B_K_0) or a role of the mode (repeatable).")
  var track: [String] = []

  @Option(parsing: .unconditional, help: "Which of the table's cuts to apply (its text, e.g. 'kaonID > 0.6').")
  var cut: String?

  @Option(parsing: .unconditional, help: "Which of the table's precuts (default: none).")
  var precut: String = ""

  @Option(help: "Name of the derived columns (and of the friend version).")
  var name: String = "pid_weight"

  @Option(help: "With --input: the HDF5 file of the derived columns (row-aligned with the input).")
  var out: String?

  @Flag(help: "Replace --out if it exists.")
  var force = false

  @OptionGroup var sharding: RowShardOption

  @Flag(help: "Print JSON instead of a summary.")
  var json = false

  func validate() throws {
    if track.isEmpty { throw ValidationError("give the tracks to weight: --track PREFIX (repeatable)") }
    try RowShardOption.checkOutput(out: out, input: input, sharded: sharding.shard != nil)
  }

  func run() throws {
    if let out { try FileOutputOptions.checkTarget(out, force: force) }
    guard let data = FileManager.default.contents(atPath: table) else { throw CommandError("cannot read the table \(table)") }
    let weights: WeightTable
    do { weights = try OutputFile.decodeJSON(WeightTable.self, from: data) } catch {
      throw CommandError("\(table) is not a weight table (the JSON of `syscorr weights --out W.json`)")
    }
    let entry = try MultiTrackWeights.entry(in: weights, cut: cut, precut: precut)
    let source = try sharding.rows(of: try input.openSource())
    let mode = input.mode.flatMap(CalibrationMode.builtin(named:))
    let names = source.columns.map(\.name)
    let prefixes = try track.flatMap { try TrackSelection.prefixes(for: $0, mode: mode, columns: names) }
    let weighting = MultiTrackWeights(table: weights, entry: entry, tracks: prefixes, name: name)
    let infos = weighting.columnNames.map { ColumnInfo(name: $0, type: $0.hasSuffix("_valid") ? .bool : .float64) }
    var summary: MultiTrackWeights.Summary?
    let friend = try DerivedColumnsOutput(input: input, out: out, name: name).write(source: source, infos: infos) { sink in
      summary = try weighting.run(source: source, threads: parallelism.threads, sink: sink)
    }
    guard let summary else { return }
    if json {
      print(try Output.json(summary))
      return
    }
    let t = weights.tables[entry]
    print("weights of \(prefixes.joined(separator: ", ")) from \(table): \(t.precut.isEmpty ? "" : t.precut + ", ")\(t.cut)")
    print("rows \(Output.grouped(summary.rows)), valid \(Output.grouped(summary.valid)), mean weight over valid rows \(Output.compact(summary.meanWeight))")
    for p in prefixes where summary.outside[p, default: 0] + summary.noRatio[p, default: 0] > 0 {
      print("  \(p): \(Output.grouped(summary.outside[p, default: 0])) outside the table, \(Output.grouped(summary.noRatio[p, default: 0])) in bins without a ratio")
    }
    if let out { print("wrote \(out) (\(summary.columns.joined(separator: ", ")))") }
    if let friend { print("added friend \(friend) (\(summary.columns.joined(separator: ", ")))") }
  }
}
