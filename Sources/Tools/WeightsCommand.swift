import Analysis
import ArgumentParser
import ColumnStore
import Foundation
import Modes
import Query

/// `syscorr weights`: data/MC PID correction tables.
struct WeightsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "weights",
    abstract: "Data/MC PID weight tables: ParticleWeighting and PIDVar/SysVar formats.",
    discussion: """
      The efficiency tables of `syscorr efficiency` on data and on simulation,
      same track, cuts and bins, and per bin their ratio with statistical
      uncertainties (both efficiencies' errors, relative, in quadrature) and a
      systematic one: the ratio with the data's systematic weight
      (--syst-weight, by default sweight_syst when --weight is sweight: the
      alternative fit model's sWeights) minus the nominal ratio.

      Outputs: --out T.csv (HID-style: limits, variable, threshold,
      data_MC_ratio, its four uncertainties, data and MC efficiencies, flags)
      or T.json; --pidvar P.csv (exactly what PIDVar/SysVar apply);
      --particle-weighting W.json (ParticleWeightingLookUpCreator parameters,
      one table per cut). Bins are [lo, hi).

      Example:
        syscorr weights --mode Dst --proc proc12 --mc-proc MC15ri --particle K \\
          --weight sweight --select in_fit --cut 'kaonID > 0.2' --cut 'kaonID > 0.6' \\
          --bin p=0.5,1,1.5,2,3,4.5 --bin cosTheta=-0.866,0,0.5,0.9563 \\
          --out K-weights.csv --pidvar K-pidvar.csv --particle-weighting K-pw.json
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var parallelism: ThreadsOption

  @OptionGroup var simulation: SimulationOptions

  @Option(help: "The track: a role of the mode (K, pi, p, …) or a column prefix.")
  var particle: String

  @Option(parsing: .unconditionalSingleValue, help: "A PID cut VAR > T (repeatable; one table each).")
  var cut: [String] = []

  @Option(parsing: .unconditionalSingleValue, help: "An extra selection of tracks (repeatable; not in PIDVar/ParticleWeighting tables).")
  var precut: [String] = []

  @Option(parsing: .unconditionalSingleValue, help: "An axis: VARIABLE=e0,e1,... (repeatable; default: standard p × theta).")
  var bin: [String] = []

  @Option(parsing: .unconditional, help: "A selection of candidates in both samples (e.g. in_fit, selection).")
  var select: String = ""

  @Option(parsing: .unconditional, help: "The data's systematic weight (default: sweight_syst with --weight sweight; `none` for no systematic).")
  var systWeight: String?

  @Option(help: "On simulation, only tracks of this true species (K, pi, p, e, mu or a PDG code).")
  var mcTrueSpecies: String?

  @Option(help: "The full table: FILE.csv or FILE.json.")
  var out: String?

  @Option(help: "The table PIDVar/SysVar applies: FILE.csv.")
  var pidvar: String?

  @Option(help: "ParticleWeightingLookUpCreator parameters, one table per cut: FILE.json.")
  var particleWeighting: String?

  @Option(help: "Prefix of the ParticleWeighting table names (default: PID_<particle>).")
  var tableName: String?

  @Flag(help: "Replace output files that exist.")
  var force = false

  @Flag(help: "Print JSON instead of tables.")
  var json = false

  @OptionGroup var sharding: ShardOptions

  var mcProc: String? { simulation.mcProc }
  var mcInput: String? { simulation.mcInput }
  var weight: String? { simulation.weight }

  func validate() throws {
    if sharding.partial != nil, out != nil || pidvar != nil || particleWeighting != nil {
      throw ValidationError("--partial writes a shard's sums: --out, --pidvar and --particle-weighting belong to `syscorr merge` or a single run")
    }
    if cut.isEmpty { throw ValidationError("give at least one --cut, e.g. --cut 'kaonID > 0.2'") }
    if (!input.isFile) != (mcInput == nil) {
      throw ValidationError("give both samples the same way: --proc/--mc-proc (store sets) or --input/--mc-input (files)")
    }
    if !input.isFile && mcProc == nil { throw ValidationError("name the simulation: --mc-proc P (or --mc-input FILE)") }
  }

  func run() throws {
    for path in [out, pidvar, particleWeighting].compactMap({ $0 }) { try FileOutputOptions.checkTarget(path, force: force) }
    let p = try plans()
    if let (shard, partial) = try sharding.requested() {
      // the shards split the data's chunks and the simulation's, one list after the other
      try ShardFile.make(
        command: "weights", arguments: Array(CommandLine.arguments.dropFirst()), shard: shard, plans: (p.data, p.mc),
        threads: parallelism.threads
      ) { ShardPartials(tables: $0, mcTables: $1) }.write(to: partial, json: json)
      return
    }
    let data = p.data.tables(try p.data.query.run(p.data.aggregate, threads: parallelism.threads))[0]
    let mc = p.mc.tables(try p.mc.query.run(p.mc.aggregate, threads: parallelism.threads))[0][0]
    try present(data: data, mc: mc)
  }

  /// The plans of the data's tables (nominal and, if any, systematic weight: one scan) and the simulation's.
  func plans() throws -> (data: EfficiencyTable.Plan, mc: EfficiencyTable.Plan) {
    let dataOptions = SimulationOptions.data(input)
    let mcOptions = simulation.input(beside: input)
    let mode = input.mode.flatMap(CalibrationMode.builtin(named:))
    let aliases = mode.map { ["selection": $0.selection] } ?? [:]
    let axes = try EfficiencyCommand.axes(bin)
    func plan(_ options: InputOptions, weights: [String?], trueSpecies: Int?) throws -> EfficiencyTable.Plan {
      var r = EfficiencyTable.Request(axes: axes, cuts: cut)
      r.precuts = precut.isEmpty ? [""] : precut
      r.selection = select
      r.trueSpecies = trueSpecies
      r.threads = parallelism.threads
      return try EfficiencyTable.plan(
        r, particles: [particle], weights: weights, mode: mode, source: try options.openSource(), aliases: aliases)
    }
    let systW = systWeight.map { $0 == "none" ? nil : $0 } ?? (weight == "sweight" ? "sweight_syst" : nil)
    let mcW = simulation.simulationWeight
    return (
      try plan(dataOptions, weights: [weight] + (systW.map { [$0] } ?? []), trueSpecies: nil),
      try plan(mcOptions, weights: [mcW], trueSpecies: try mcTrueSpecies.map(TrackSelection.pdg))
    )
  }

  /// The weight table of the data's tables (nominal, then systematic) and the simulation's, written and printed.
  func present(data dataTables: [EfficiencyTable], mc: EfficiencyTable) throws {
    let weights = try WeightTable(data: dataTables[0], mc: mc, systematic: dataTables.count > 1 ? dataTables[1] : nil)
    // every output is made before any is written: a refusal writes nothing
    let pidvarText = try pidvar.map { _ in try weights.pidvarCSV() }
    let weighting = try particleWeighting.map { _ in try weights.particleWeighting(tableName: tableName ?? "PID_\(particle)") }
    if let out { try weights.write(to: out) }
    if let pidvar, let pidvarText { try OutputFile.write(Data(pidvarText.utf8), to: pidvar) }
    if let particleWeighting, let weighting { try OutputFile.write(try OutputFile.json(weighting), to: particleWeighting) }
    if json {
      print(try Output.json(weights))
    } else {
      print(ResultTables.weightTable(weights), terminator: "")
      for path in [out, pidvar, particleWeighting].compactMap({ $0 }) { print("wrote \(path)") }
    }
  }
}
