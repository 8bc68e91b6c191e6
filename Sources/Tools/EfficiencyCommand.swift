import Analysis
import ArgumentParser
import ColumnStore
import Foundation
import Modes
import Query
import Report

/// `syscorr efficiency`: PID efficiency and fake-rate tables of one track species.
struct EfficiencyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "efficiency",
    abstract: "PID efficiency and fake-rate tables of a track in bins of its kinematics.",
    discussion: """
      Every --cut × --precut in one pass over the data. Bare variables (kaonID,
      p, charge, binaryPID(321, 211)) in cuts, precuts and --bin refer to the
      --particle's columns; other names (selection, in_fit, M) stay as they
      are. A table on another species than the cut's (a kaon-ID cut on the
      pions of D*, or --true-species on simulation) is a fake rate.

      ε per bin is PIDCalib2's: Σw(pass)/Σw(selected) with the weighted
      binomial variance (not clipped; sWeights can take ε outside [0, 1],
      which is flagged); unweighted tables add the Clopper–Pearson 68.27 %
      interval. Bins are [lo, hi). Default bins: the Belle II standard p and
      theta bins.

      Examples:
        # kaon ID efficiency on sWeighted D* data, two thresholds x two charges
        syscorr efficiency --mode Dst --proc proc12 --sample data --particle K \\
          --weight sweight --select in_fit \\
          --cut 'kaonID > 0.2' --cut 'kaonID > 0.6' --precut 'charge > 0' --precut 'charge < 0' \\
          --bin p=0.5,1,1.5,2,3,4.5 --bin cosTheta=-0.866,0,0.5,0.9563 --out kaon-eff.csv --plot kaon-eff.svg

        # pion -> kaon fake rate on truth-matched simulation
        syscorr efficiency --mode Dst --proc MC15ri --sample mc --particle pi \\
          --true-species pi --cut 'kaonID > 0.6' --json
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var parallelism: ThreadsOption

  @Option(help: "The track: a role of the mode (K, pi, pi_slow, p, probe; `pi` on K_S0 fills both pions) or a column prefix (D0_K).")
  var particle: String

  @Option(parsing: .unconditionalSingleValue, help: "A PID cut, written for the track (repeatable; one table each).")
  var cut: [String] = []

  @Option(parsing: .unconditionalSingleValue, help: "An extra selection of tracks, e.g. 'charge > 0' (repeatable; every cut × precut).")
  var precut: [String] = []

  @Option(parsing: .unconditionalSingleValue, help: "An axis: VARIABLE=e0,e1,... ([lo, hi) bins; repeatable, one per axis).")
  var bin: [String] = []

  @Option(parsing: .unconditional, help: "A selection of candidates (e.g. selection, in_fit); `selection` is the mode's.")
  var select: String = ""

  @Option(parsing: .unconditional, help: "The weight, e.g. sweight (default: none, an unweighted table).")
  var weight: String?

  @Option(help: "Only tracks of this true species (K, pi, p, e, mu, or a PDG code; simulation).")
  var trueSpecies: String?

  @Option(help: "Subtract the background predicted by this simulation (processing of the same mode): its tracks that are not --true-species, scaled (τ 3x1 lepton ID).")
  var subtractMcProc: String?

  @Option(help: "With --subtract-mc-proc: the scale of the simulation, or `auto` (selected data tracks / selected simulated tracks).")
  var subtractScale: String = "auto"

  @Flag(help: "Floor each bin's variance with the Jeffreys/Kish term (non-zero errors at ε = 0 or 1).")
  var jeffreys = false

  @Option(help: "Write the tables: FILE.csv, FILE.json or FILE.h5 (UHI histograms, boost-histogram reads them).")
  var out: String?

  @Option(help: "Plot the efficiencies: FILE.svg (its numbers in FILE.json beside it); a 2-D table as maps with a colour bar.")
  var plot: String?

  @Flag(help: "Replace --out or --plot files that exist.")
  var force = false

  @Flag(help: "Print JSON instead of tables.")
  var json = false

  @OptionGroup var sharding: ShardOptions

  func validate() throws {
    if cut.isEmpty { throw ValidationError("give at least one --cut, e.g. --cut 'kaonID > 0.2'") }
    if subtractMcProc != nil {
      guard trueSpecies != nil else { throw ValidationError("--subtract-mc-proc needs --true-species: the species whose efficiency is measured") }
      guard input.mode != nil, !input.isFile else { throw ValidationError("--subtract-mc-proc works on store sets (--mode M --proc P --sample data)") }
    }
    if sharding.partial != nil, subtractMcProc != nil || out != nil || plot != nil {
      throw ValidationError("--partial writes a shard's sums: --out, --plot and --subtract-mc-proc belong to `syscorr merge` or a single run")
    }
  }

  /// The request the options describe (`--true-species` as the tracks' truth).
  func request() throws -> EfficiencyTable.Request {
    var request = EfficiencyTable.Request(axes: try Self.axes(bin), cuts: cut)
    request.precuts = precut.isEmpty ? [""] : precut
    request.selection = select
    request.weight = weight
    request.trueSpecies = try trueSpecies.map(TrackSelection.pdg)
    request.jeffreysFloor = jeffreys
    request.threads = parallelism.threads
    return request
  }

  var mode: CalibrationMode? { input.mode.flatMap(CalibrationMode.builtin(named:)) }
  var aliases: [String: String] { mode.map { ["selection": $0.selection] } ?? [:] }

  /// The tables' plan on `source` (without --subtract-mc-proc's second sample).
  func plan(source: any ColumnSource) throws -> EfficiencyTable.Plan {
    try EfficiencyTable.plan(try request(), particles: [particle], weights: [weight], mode: mode, source: source, aliases: aliases)
  }

  func run() throws {
    if let out { _ = try EfficiencyTable.FileFormat(path: out) }
    for path in [out, plot].compactMap({ $0 }) { try FileOutputOptions.checkTarget(path, force: force) }
    let source = try input.openSource()
    if let (shard, partial) = try sharding.requested() {
      let p = try plan(source: source)
      let file = try ShardFile.make(
        command: "efficiency", arguments: Array(CommandLine.arguments.dropFirst()), shard: shard,
        source: source
      ) { chunks in ShardPartials(tables: try p.query.partial(ChunkPartials(p.aggregate), chunks: chunks, threads: parallelism.threads)) }
      try file.write(to: partial, json: json)
      return
    }
    var request = try request()
    let species = request.trueSpecies
    // with a subtraction the data keeps every track; the simulation's other species are subtracted
    if subtractMcProc != nil { request.trueSpecies = nil }
    var table = try EfficiencyTable.compute(request, particle: particle, mode: mode, source: source, aliases: aliases)
    if let mcProc = subtractMcProc, let species {
      var mcOptions = input
      mcOptions.proc = mcProc
      mcOptions.sample = "mc"
      var b = request
      b.excludedSpecies = species
      let background = try EfficiencyTable.compute(b, particle: particle, mode: mode, source: try mcOptions.openSource(), aliases: aliases)
      let scale = try subtractScale == "auto"
        ? Double(table.entries) / Double(max(background.entries, 1))
        : QueryCommand.parseNumbers(subtractScale, option: "--subtract-scale")[0]
      table = try table.subtracting(
        background, scale: scale,
        description: "\(mcProc) mc tracks that are not |PDG| \(species), × \(String(format: "%.6g", scale))")
    }
    try present(table)
  }

  /// Writes and prints the table as a run does.
  func present(_ table: EfficiencyTable) throws {
    if let out { try table.write(to: out) }
    if let plot {
      let title = [input.mode, input.proc, input.sample, input.input ?? input.filesFrom].compactMap { $0 }.joined(separator: " ")
      try EfficiencyPlot.write(table, title: title, to: plot)
    }
    warnAboutFlags(table)
    if json {
      print(try Output.json(table))
    } else {
      print(ResultTables.efficiencyTable(table), terminator: "")
      for path in [out, plot].compactMap({ $0 }) { print("wrote \(path)") }
    }
  }

  /// The axes of `--bin VARIABLE=e0,e1,...` options; `default` (the standard ones) without any.
  static func axes(
    _ bin: [String], default standard: [(variable: String, edges: [Double])] = EfficiencyTable.standardAxes
  ) throws -> [(variable: String, edges: [Double])] {
    if bin.isEmpty { return standard }
    return try bin.map { text in
      guard let eq = text.firstIndex(of: "="), eq > text.startIndex else {
        throw ValidationError("--bin \(text): write VARIABLE=e0,e1,... (e.g. p=0.5,1,2,4.5)")
      }
      let name = text[..<eq].trimmingCharacters(in: .whitespaces)
      let edges = try QueryCommand.parseNumbers(String(text[text.index(after: eq)...]), option: "--bin \(name)")
      return (name, edges)
    }
  }

  /// Empty bins and ε outside [0, 1] are results, but worth a line on stderr.
  func warnAboutFlags(_ table: EfficiencyTable) {
    let empty = table.count("empty")
    let outside = table.count("outside_unit_interval")
    let low = table.count("low_statistics")
    if empty > 0 { Output.warning("\(empty) bin\(empty == 1 ? "" : "s") without selected tracks (ε = nan, flagged `empty`)") }
    if outside > 0 {
      Output.warning("\(outside) bin\(outside == 1 ? "" : "s") with ε outside [0, 1] (negative sWeights; flagged `outside_unit_interval`)")
    }
    if low > 0 { Output.warning("\(low) bin\(low == 1 ? "" : "s") with |Σw| < 10 (flagged `low_statistics`)") }
  }
}
