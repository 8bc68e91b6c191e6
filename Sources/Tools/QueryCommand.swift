import ArgumentParser
import ColumnStore
import Modes
import Foundation
import Query

/// `syscorr query`: count or histogram the rows passing a cut.
struct QueryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "query",
    abstract: "Count or histogram the rows passing a cut.",
    discussion: """
      The cut uses the basf2 cut grammar with C spellings added (&&, ||, !), \
      arithmetic, functions (abs, sqrt, min, max, where, ...) and chained \
      comparisons. See docs/expression-language.md.

      Examples:
        # Q1: count kaon candidates passing PID and track cuts
        syscorr query --mode Dst --proc proc12 --sample data --count \\
          --cut 'K_kaonID > 0.2 && K_charge > 0 && abs(K_dz) < 4'

        # weighted 2-D histogram (variable p edges x 10 cosTheta bins)
        syscorr query --input ntuple.h5 --weight sWeight \\
          --cut '0.1439 < Dst_Q < 0.1469' \\
          --hist K_p --edges 0.5,1,1.5,2,3,4.5 \\
          --hist K_cosTheta --bins 10 --range=-0.866,0.9563 --json

        # an alias for a basf2 metavariable column
        syscorr query --input ntuple.h5 --cut 'pid > 0.5' \\
          --alias 'pid=K_binaryPID(321, 211)' \\
          --hist D0_M --bins 100 --range 1.8,1.93

      With --mode, the alias `selection` is the mode's default selection
      (schemas/modes/), e.g. --cut 'selection && D0_K_kaonID > 0.2'.

      Options taking expressions or numbers accept values starting with '-':
        --cut '-0.8 < D0_K_cosTheta < 0.9563' --range -1,1
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var parallelism: ThreadsOption
  @OptionGroup var output: FileOutputOptions

  var threads: Int? { parallelism.threads }
  var codec: String { output.codec }
  var sync: Bool { output.sync }

  @Option(parsing: .unconditional, help: "The cut: rows for which it is true are selected (default: all rows).")
  var cut: String = ""

  @Option(parsing: .unconditional, help: "A weight expression (default: 1 per row).")
  var weight: String?

  @Option(name: .customLong("alias"), parsing: .unconditionalSingleValue, help: "An alias name=expr, usable in expressions (repeatable).")
  var aliases: [String] = []

  @Option(help: "A file of aliases, one name=expr per line; '#' starts a comment.")
  var aliasFile: String?


  @Flag(help: "Print the number of passing rows, Σw and Σw² (the default).")
  var count = false

  @Option(parsing: .unconditionalSingleValue, help: "A histogram axis expression (repeatable: one per axis, N-D).")
  var hist: [String] = []

  @Option(help: "Regular bins of the next axis (with --range).")
  var bins: [Int] = []

  @Option(parsing: .unconditionalSingleValue, help: "LO,HI of the next regular axis (with --bins).")
  var range: [String] = []

  @Option(parsing: .unconditionalSingleValue, help: "Bin edges e0,e1,... of the next variable axis.")
  var edges: [String] = []

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  @Flag(help: "Print the query plan (columns read, chunks skipped, threads, expression tree) and stop.")
  var explain = false

  @Flag(help: "Compare floats with == and != within 2 ULPs, as basf2 does (default: exact IEEE).")
  var basf2Equality = false

  @Option(parsing: .unconditionalSingleValue, help: "A cut defining passing rows among the selected ones: prints the efficiency per --hist bin (repeatable).")
  var pass: [String] = []

  @Flag(help: "With --pass: floor each bin's variance with the Jeffreys/Kish term (non-zero errors at ε = 0 or 1).")
  var jeffreys = false

  @Option(help: "Write to this HDF5 file: the passing rows (with --columns) or the histograms (with --hist; UHI layout).")
  var out: String?

  @Option(parsing: .unconditional, help: "Columns to print, or to write with --out: names or name=expr, comma-separated.")
  var columns: String?

  @Option(help: "With --columns and no --out: how many passing rows to print (default 10).")
  var limit: Int?

  @OptionGroup var sharding: ShardOptions



  func validate() throws {
    if let limit {
      guard columns != nil, out == nil else { throw ValidationError("--limit goes with --columns and no --out (it limits the printed rows)") }
      guard limit >= 0 && limit <= Self.maximumPrintedRows else {
        throw ValidationError("--limit \(limit): print between 0 and \(Output.grouped(Self.maximumPrintedRows)) rows; write more with --out FILE.h5")
      }
    }
    if out != nil && columns == nil && hist.isEmpty {
      throw ValidationError("--out needs --columns a,b,... (rows) or --hist (a histogram in the UHI layout)")
    }
    if columns != nil && !hist.isEmpty {
      throw ValidationError("--columns writes rows and --hist a histogram; give one of them with --out")
    }
    if !pass.isEmpty && hist.isEmpty {
      throw ValidationError("--pass needs at least one --hist axis to bin the efficiency in")
    }
    if bins.count != range.count {
      throw ValidationError("each --bins needs a --range (got \(bins.count) --bins and \(range.count) --range)")
    }
    if hist.count != bins.count + edges.count {
      throw ValidationError(
        "each --hist needs either --bins N --range LO,HI or --edges e0,e1,... "
          + "(got \(hist.count) --hist, \(bins.count) --bins, \(edges.count) --edges)")
    }
    if hist.isEmpty, !bins.isEmpty || !edges.isEmpty {
      throw ValidationError("--bins, --range and --edges need --hist")
    }
    if sharding.partial != nil, columns != nil || explain || out != nil {
      throw ValidationError("--partial works with --count, --hist and --pass; --columns, --explain and --out belong to a single run or to `syscorr merge`")
    }
  }

  func run() throws {
    if let out { try output.checkTarget(out) }
    var source = try input.openSource()
    if let shard = sharding.shard, sharding.partial == nil, columns != nil, out != nil {
      // the rows of shard K into its own --out (as `export --shard`)
      source = try RowShardOption(shard: shard).rows(of: source)
      print(try execute(source: source, arguments: CommandLine.arguments), terminator: "")
      return
    }
    if let (shard, partial) = try sharding.requested() {
      try runShard(source: source, shard: shard, arguments: Array(CommandLine.arguments.dropFirst()))
        .write(to: partial, json: json)
      return
    }
    print(try execute(source: source, arguments: CommandLine.arguments), terminator: "")
  }

  /// Rows `--columns` prints at most without `--out` (they are held in memory).
  static let maximumPrintedRows = 100_000

  // MARK: - Implementation (testable without a store)

  static func parseNumbers(_ text: String, option: String) throws -> [Double] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    var values: [Double] = []
    for p in parts {
      guard let v = Double(p) else { throw ValidationError("\(option): '\(p)' in '\(text)' is not a number") }
      values.append(v)
    }
    return values
  }

  /// Aliases from --alias and --alias-file; with --mode, `selection` is the mode's default selection.
  func allAliases() throws -> [String: String] {
    var definitions = AliasDefinitions()
    if let name = input.mode, let mode = CalibrationMode.builtin(named: name) {
      definitions.predefine("selection", mode.selection)
    }
    for line in aliases { try definitions.add(line: line, origin: "--alias") }
    if let aliasFile { try definitions.add(filePath: aliasFile) }
    return definitions.expressions
  }

  /// The axes in command-line order. With both --bins and --edges, the order
  /// of those options in `arguments` decides which axis gets which.
  func axes(arguments: [String]) throws -> [(String, HistogramAxis)] {
    var kinds: [Bool] = []  // true: regular
    if edges.isEmpty {
      kinds = Array(repeating: true, count: bins.count)
    } else if bins.isEmpty {
      kinds = Array(repeating: false, count: edges.count)
    } else {
      for a in arguments {
        if a == "--bins" || a.hasPrefix("--bins=") { kinds.append(true) }
        if a == "--edges" || a.hasPrefix("--edges=") { kinds.append(false) }
      }
      guard kinds.count == hist.count else {
        throw ValidationError("cannot tell which --hist each --bins/--edges belongs to")
      }
    }
    var b = 0
    var e = 0
    var result: [(String, HistogramAxis)] = []
    for (k, regular) in kinds.enumerated() {
      if regular {
        let r = try Self.parseNumbers(range[b], option: "--range")
        guard r.count == 2 else { throw ValidationError("--range needs LO,HI, got '\(range[b])'") }
        result.append((hist[k], try HistogramAxis.regular(bins: bins[b], lower: r[0], upper: r[1])))
        b += 1
      } else {
        result.append((hist[k], try HistogramAxis.variable(try Self.parseNumbers(edges[e], option: "--edges"))))
        e += 1
      }
    }
    return result
  }

  /// Runs the query on `source` and returns the text to print.
  func execute(source: any ColumnSource, arguments: [String]) throws -> String {
    let query = try Query(
      cut: cut, weight: weight, aliases: try allAliases(), source: source,
      equality: basf2Equality ? .basf2 : .exact)
    let axes = try axes(arguments: arguments)
    // the aliases (with --mode: the expanded `selection`) are recorded with the cut
    let aliasText = try Output.compactJSON(try allAliases())
    let metadata = try self.metadata()
    if let columns, out == nil {
      let specs = try ColumnSpec.parseList(columns)
      let preview = try RowPreview(columns: specs, limit: limit ?? 10).run(query, threads: threads ?? Query.defaultThreads)
      let table = RowTable(columns: specs.map(\.name), values: preview.columns, more: preview.more)
      return json ? try Output.json(table) + "\n" : ResultTables.rows(table)
    }
    if let out, let columns {
      let export = RowExport(
        columns: try ColumnSpec.parseList(columns), codec: try Codec(parsing: codec),
        threads: threads ?? Query.defaultThreads, durable: sync,
        provenance: try Output.compactJSON(["command": Output.commandLine, "cut": cut, "weight": weight ?? "", "aliases": aliasText]))
      let n = try export.write(query, to: out)
      return json
        ? try Output.json(RowsWritten(entries: n, columns: export.columns.map(\.name), out: out)) + "\n"
        : "wrote \(Output.grouped(n)) rows × \(export.columns.count) columns to \(out)\n"
    }
    if explain {
      let histogram = axes.isEmpty ? nil : HistogramAggregate(axes)
      if let histogram { return query.explain(histogram, threads: threads) + "\n" }
      return query.explain(threads: threads) + "\n"
    }
    var results = Results()
    for kind in aggregates(axes: axes) {
      switch kind {
      case .efficiency(let a): results.efficiency = try query.run(a, threads: threads)
      case .count(let a): results.count = try query.run(a, threads: threads)
      case .histogram(let a): results.histogram = try query.run(a, threads: threads)
      }
    }
    return try render(results, metadata: metadata)
  }

  /// The aggregates a counting, histogramming or efficiency query runs.
  enum Kind {
    case efficiency(EfficiencyAggregate)
    case count(CountAggregate)
    case histogram(HistogramAggregate)
  }

  func aggregates(axes: [(String, HistogramAxis)]) -> [Kind] {
    if !pass.isEmpty { return [.efficiency(EfficiencyAggregate(axes, pass: pass, jeffreysFloor: jeffreys))] }
    var kinds: [Kind] = []
    if count || axes.isEmpty { kinds.append(.count(CountAggregate())) }
    if !axes.isEmpty { kinds.append(.histogram(HistogramAggregate(axes))) }
    return kinds
  }

  /// What the aggregates found (from one run, or merged from shards).
  struct Results {
    var efficiency: EfficiencyAggregate.Result?
    var count: CountAggregate.Result?
    var histogram: HistogramAggregate.Result?
  }

  /// Prints (and with --out writes) the results as a single run does.
  func render(_ results: Results, metadata: [String: String]) throws -> String {
    if let e = results.efficiency {
      if let out {
        var hists = [("total", e.total.uhi(metadata: metadata.merging(["content": "all selected rows"]) { $1 }))]
        for (i, c) in e.cuts.enumerated() {
          hists.append(("pass_\(i + 1)", c.pass.uhi(metadata: metadata.merging(["content": "passing " + c.cut]) { $1 })))
        }
        try UHIHistogramFile.write(hists, to: out, durable: sync)
      }
      warnIfWeightIsNaN(e.total.sumW.reduce(0, +))
      if json { return try Output.json(EfficiencyOutput(efficiencies: EfficiencyReport(e), out: out)) + "\n" }
      return ResultTables.efficiency(e) + wroteHistograms(e.cuts.count + 1)
    }
    var report = QueryReport()
    report.count = results.count
    if let h = results.histogram {
      if let path = self.out { try UHIHistogramFile.write([("histogram", h.uhi(metadata: metadata))], to: path, durable: sync) }
      report.histogram = HistogramReport(h)
      report.out = out
      warnIfWeightIsNaN(h.sumW.reduce(0, +))
    }
    if let c = report.count { warnIfWeightIsNaN(c.sumW) }
    if json { return try Output.json(report) + "\n" }
    var text = report.count.map(ResultTables.count) ?? ""
    if let h = report.histogram { text += (text.isEmpty ? "" : "\n") + ResultTables.histogram(h) + wroteHistograms(1) }
    return text
  }

  /// The metadata recorded with written histograms.
  func metadata() throws -> [String: String] {
    ["cut": cut, "weight": weight ?? "", "aliases": try Output.compactJSON(try allAliases()), "writer": "syscorr"]
  }

  /// The line saying what `--hist --out` wrote (empty without --out).
  func wroteHistograms(_ n: Int) -> String {
    guard let out else { return "" }
    return "wrote \(n == 1 ? "the histogram" : "\(n) histograms (total, pass_1…)") to \(out) (UHI layout)\n"
  }

  /// Σw is NaN when the weight is NaN on some selected row: say so and how to drop those rows.
  func warnIfWeightIsNaN(_ sumW: Double) {
    guard let weight, sumW.isNaN else { return }
    let keep = cut.isEmpty ? "!isnan(\(weight))" : "(\(cut)) && !isnan(\(weight))"
    Output.warning(
      "Σw is NaN: the weight '\(weight)' is NaN on some selected rows; leave them out with --cut '\(keep)'")
  }
}
