import Analysis
import ArgumentParser
import ColumnStore
import Foundation
import Modes
import Query
import Report

/// `syscorr roc`: ID efficiency against mis-ID rate over a threshold scan.
struct ROCCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "roc",
    abstract: "ID efficiency against mis-ID rate over a threshold scan of PID variables (ROC curves, AUC).",
    discussion: """
      Signal tracks are the --particle of the sample; mis-identified ones the
      --misid-particle of the same sample, or of another (--misid-mode,
      --misid-proc, --misid-sample or --misid-input). For each --var and
      threshold t the cut `VAR > t` (NaN fails) gives the efficiency of both,
      with the efficiency tables' arithmetic (docs/tables.md), one pass per
      sample; --bin makes one curve per kinematic bin. The AUC integrates the
      curve from (0, 0) to (1, 1) by trapezoids; its error is the delta-method
      one from the per-interval Σw² (docs/tables.md).

      With --shard K/N --partial F.json a job fills the tables of its part of
      both samples' chunks (one list after the other); `syscorr merge` writes
      and prints the curves exactly as a single run.

      Example (kaon ID vs pion mis-ID on sWeighted D* data, two variables):
        syscorr roc --mode Dst --proc proc12 --sample data --particle K --misid-particle pi \\
          --weight sweight --select in_fit --var kaonID --var 'binaryPID(321, 211)' \\
          --bin p=0.5,2,4.5 --out roc.csv --plot roc.svg
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var parallelism: ThreadsOption

  @Option(help: "The signal track: a role of the mode (K, pi, p, …) or a column prefix.")
  var particle: String

  @Option(help: "The mis-identified track (default: of the same sample).")
  var misidParticle: String

  @Option(help: "The mis-ID sample's mode (default: the signal's).")
  var misidMode: String?

  @Option(help: "The mis-ID sample's processing (default: the signal's).")
  var misidProc: String?

  @Option(help: "The mis-ID sample (data or mc; default: the signal's).")
  var misidSample: String?

  @Option(help: "The mis-ID sample as a file (with --input for the signal).")
  var misidInput: String?

  @Option(parsing: .unconditionalSingleValue, help: "A PID variable of the track (repeatable; one curve each).")
  var `var`: [String] = []

  @Option(help: "Thresholds t0,t1,... (increasing; default: 0 to 1 in steps of 0.01).")
  var thresholds: String?

  @Option(parsing: .unconditionalSingleValue, help: "An axis: VARIABLE=e0,e1,... (repeatable; default: the whole sample).")
  var bin: [String] = []

  @Option(parsing: .unconditional, help: "A selection of candidates in both samples (e.g. in_fit).")
  var select: String = ""

  @Option(parsing: .unconditional, help: "The weight of both samples (e.g. sweight; default: unweighted).")
  var weight: String?

  @Option(help: "Only signal tracks of this true species (simulation).")
  var trueSpecies: String?

  @Option(help: "Only mis-ID tracks of this true species (simulation).")
  var misidTrueSpecies: String?

  @Option(help: "The curves: FILE.csv or FILE.json.")
  var out: String?

  @Option(help: "Plot the curves: FILE.svg.")
  var plot: String?

  @Flag(help: "Replace --out or --plot files that exist.")
  var force = false

  @Flag(help: "Print JSON instead of a summary.")
  var json = false

  @OptionGroup var sharding: ShardOptions

  func validate() throws {
    if self.var.isEmpty { throw ValidationError("give at least one --var, e.g. --var kaonID") }
    if sharding.partial != nil, out != nil || plot != nil {
      throw ValidationError("--partial writes a shard's sums: --out and --plot belong to `syscorr merge` or a single run")
    }
    if let out, !["csv", "json"].contains(URL(fileURLWithPath: out).pathExtension.lowercased()) {
      throw ValidationError("--out \(out): write the curves as .csv or .json")
    }
  }

  func run() throws {
    for path in [out, plot].compactMap({ $0 }) { try FileOutputOptions.checkTarget(path, force: force) }
    let p = try plans()
    if let (shard, partial) = try sharding.requested() {
      // the shards split the signal sample's chunks and the mis-ID sample's, one list after the other
      try ShardFile.make(
        command: "roc", arguments: Array(CommandLine.arguments.dropFirst()), shard: shard, plans: (p.signal, p.misID),
        threads: parallelism.threads
      ) { ShardPartials(tables: $0, misIDTables: $1) }.write(to: partial, json: json)
      return
    }
    try present(
      signal: p.signal.tables(try p.signal.query.run(p.signal.aggregate, threads: parallelism.threads))[0][0],
      misID: p.misID.tables(try p.misID.query.run(p.misID.aggregate, threads: parallelism.threads))[0][0])
  }

  /// The plans of the signal sample's tables and the mis-ID sample's: one cut per variable and threshold each.
  func plans() throws -> (signal: EfficiencyTable.Plan, misID: EfficiencyTable.Plan) {
    var misOptions = input
    if let misidInput { misOptions.input = misidInput }
    if let misidMode { misOptions.mode = misidMode }
    if let misidProc { misOptions.proc = misidProc }
    if let misidSample { misOptions.sample = misidSample }
    let cuts = ROCCurve.cuts(variables: self.var, thresholds: try thresholdValues())
    func plan(_ options: InputOptions, particle: String, species: String?) throws -> EfficiencyTable.Plan {
      let mode = options.mode.flatMap(CalibrationMode.builtin(named:))
      var r = EfficiencyTable.Request(axes: try EfficiencyCommand.axes(bin, default: []), cuts: cuts)
      r.selection = select
      r.weight = weight
      r.trueSpecies = try species.map(TrackSelection.pdg)
      r.threads = parallelism.threads
      return try EfficiencyTable.plan(
        r, particles: [particle], weights: [weight], mode: mode, source: try options.openSource(),
        aliases: mode.map { ["selection": $0.selection] } ?? [:])
    }
    return (
      try plan(input, particle: particle, species: trueSpecies),
      try plan(misOptions, particle: misidParticle, species: misidTrueSpecies)
    )
  }

  /// The curves of the signal's and the mis-ID sample's tables, written and printed.
  func present(signal: EfficiencyTable, misID: EfficiencyTable) throws {
    let roc = try ROCCurve(signal: signal, misID: misID, variables: self.var, thresholds: try thresholdValues())
    if let out {
      let data = out.lowercased().hasSuffix(".json") ? try OutputFile.json(roc) : Data(roc.csv().utf8)
      try OutputFile.write(data, to: out)
    }
    if let plot {
      let title = [input.mode, input.proc, input.sample, input.input ?? input.filesFrom].compactMap { $0 }.joined(separator: " ")
      try OutputFile.write(Data(ROCPlot(roc, title: title).svg.utf8), to: plot)
      try OutputFile.write(try OutputFile.json(roc), to: (plot.hasSuffix(".svg") ? String(plot.dropLast(4)) : plot) + ".json")
    }
    if json {
      print(try Output.json(roc))
    } else {
      print(ResultTables.roc(roc), terminator: "")
      for path in [out, plot].compactMap({ $0 }) { print("wrote \(path)") }
    }
  }

  func thresholdValues() throws -> [Double] {
    guard let thresholds else { return (0...100).map { Double($0) / 100 } }
    let t = try QueryCommand.parseNumbers(thresholds, option: "--thresholds")
    guard !t.isEmpty, zip(t, t.dropFirst()).allSatisfy({ $0 < $1 }), t.allSatisfy(\.isFinite) else {
      throw ValidationError("--thresholds \(thresholds): give finite, increasing values")
    }
    return t
  }
}
