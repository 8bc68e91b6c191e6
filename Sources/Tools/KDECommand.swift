import Analysis
import ArgumentParser
import ColumnStore
import Foundation
import Modes
import Numerics
import Query
import Report

/// `syscorr kde`: a kernel density estimate of a PID variable with track
/// kinematics, and data-like PID values for simulated tracks from it.
struct KDECommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kde",
    abstract: "Kernel density estimate of PID × kinematics; resample or transform simulated PID.",
    discussion: """
      Examples:
        # the kaon ID density of sWeighted D* data in p and cos(theta)
        syscorr kde fit --mode Dst --proc proc12 --sample data --particle K \\
          --pid kaonID --vars p,cosTheta --weight sweight --cut in_fit --pid-transform logit \\
          --systematics --replicas 5 --out kaon-kde.h5

        # data-like kaon ID for the simulation's kaons (a friend column version)
        syscorr kde resample --mode Dst --proc MC15ri --sample mc --particle K \\
          --kde kaon-kde.h5 --column K_kaonID_resampled

        # the quantile map from simulation to data (keeps correlations)
        syscorr kde fit --mode Dst --proc MC15ri --sample mc --particle K --pid kaonID --vars p,cosTheta \\
          --weight sweight --cut in_fit --pid-transform logit --out kaon-kde-mc.h5
        syscorr kde transform --mode Dst --proc MC15ri --sample mc --particle K \\
          --kde kaon-kde.h5 --kde-mc kaon-kde-mc.h5 --column K_kaonID_transformed
      """,
    subcommands: [KDEFitCommand.self, KDEResampleCommand.self, KDETransformCommand.self])
}

/// Options naming the track (`--particle`): bare variables become its columns.
struct TrackRewriting {
  var particle: String?
  var mode: CalibrationMode?
  var columns: [String]

  /// The track's column prefix (the first track of a role).
  func prefix() throws -> String? {
    guard let particle else { return nil }
    return try TrackSelection.prefixes(for: particle, mode: mode, columns: columns)[0]
  }

  func rewrite(_ expressions: [String]) throws -> [String] {
    guard let p = try prefix() else { return expressions }
    let set = Set(columns)
    return expressions.map { TrackExpressions.rewrite($0, prefix: p, columns: set) }
  }
}

struct KDEFitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fit",
    abstract: "Estimate the density of a PID variable and track kinematics on a grid (HDF5 output).",
    discussion: """
      The selected rows' points (PID, kinematics), weighted (sWeights may be
      negative), are linearly binned on a grid and smoothed by a product of
      Gaussians, one bandwidth per axis (Silverman's rule per axis from the
      weighted marginals and Kish's effective count, or --bandwidth). Edges:
      reflection (default; no mass lost), relative (Meerkat: divided by the
      kernel's in-box fraction) or none. --pid-transform logit estimates the
      density of logit(PID), which turns the peaks at 0 and 1 into smooth tails.

      The file holds `density` (kinematic axes, then PID), the variants
      (`density_bw_down`, `density_bw_up`, `density_stat_<i>`), `node_weight`,
      the axes' centres and the settings (JSON attribute): h5py reads it.

      With --shard K/N --partial F.json a job bins its part of the chunks (the
      bootstrap replicas depend on row numbers only); `syscorr merge --out
      FILE.h5` smooths the grid and writes the density exactly as a single
      run. Every shard bins the same box, so each axis needs its --range
      (a single run finds missing ones from the data, in a scan of its own).

      Example:
        syscorr kde fit --mode Dst --proc proc12 --sample data --particle K --pid kaonID \\
          --vars p,cosTheta --weight sweight --cut in_fit --grid 200,64,32 --out kaon-kde.h5
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var parallelism: ThreadsOption

  @Option(help: "The track whose bare variables --pid and --vars name (a role of the mode: K, pi, p, …, or a column prefix).")
  var particle: String?

  @Option(parsing: .unconditional, help: "The PID variable (an expression).")
  var pid: String

  @Option(parsing: .unconditional, help: "Kinematic variables, comma-separated (expressions without commas).")
  var vars: String

  @Option(parsing: .unconditional, help: "A selection (e.g. in_fit; `selection` is the mode's).")
  var cut: String = ""

  @Option(parsing: .unconditional, help: "The weight, e.g. sweight.")
  var weight: String?

  @Option(help: "Cells per axis, PID first: e.g. 200,64,32 (default 200 for PID, 64 per kinematic variable).")
  var grid: String?

  @Option(parsing: .unconditionalSingleValue, help: "The box of a variable: VAR=lo,hi (repeatable; default: the data's extent, PID [0, 1] when it lies there).")
  var range: [String] = []

  @Option(help: "auto (Silverman per axis) or one bandwidth per axis, PID first, in the (transformed) variables' units.")
  var bandwidth: String = "auto"

  @Option(help: "Edge correction: reflection, relative or none.")
  var boundary: String = "reflection"

  @Option(help: "PID transform before the estimate: none or logit.")
  var pidTransform: String = "none"

  @Flag(help: "Also the bandwidth variations × 0.5 and × 2 (systematics).")
  var systematics = false

  @Flag(help: "Adaptive bandwidths: narrower where the density is high, wider in the tails (Abramson, pilot: the fixed estimate).")
  var adaptive = false

  @Option(help: "Poisson(1) bootstrap replicas (statistical variants).")
  var replicas: Int = 0

  @Option(help: "Seed of the bootstrap replicas.")
  var seed: UInt64 = 1

  @Option(help: "The density file to write: FILE.h5 (required but with --partial).")
  var out: String?

  @Option(help: "Validation plots: PREFIX_<axis>.svg per axis (data against the estimate's projection; numbers in .json beside).")
  var plot: String?

  @Flag(help: "Replace --out if it exists.")
  var force = false

  @Flag(help: "Print JSON instead of a summary.")
  var json = false

  @OptionGroup var sharding: ShardOptions

  func validate() throws {
    if sharding.partial != nil, out != nil || plot != nil {
      throw ValidationError("--partial writes a shard's grid: --out and --plot belong to `syscorr merge` or a single run")
    }
    if sharding.partial == nil && out == nil { throw ValidationError("give the density file to write: --out FILE.h5") }
    if replicas < 0 || replicas > 1000 { throw ValidationError("--replicas takes 0 to 1000") }
    if DensityGrid.Boundary(rawValue: boundary) == nil {
      throw ValidationError("--boundary \(boundary): use " + DensityGrid.Boundary.allCases.map(\.rawValue).joined(separator: ", "))
    }
    if PIDTransform(rawValue: pidTransform) == nil {
      throw ValidationError("--pid-transform \(pidTransform): use " + PIDTransform.allCases.map(\.rawValue).joined(separator: ", "))
    }
  }

  static func numbers(_ text: String, option: String) throws -> [Double] {
    try text.split(separator: ",", omittingEmptySubsequences: false).map {
      guard let x = Double($0.trimmingCharacters(in: .whitespaces)) else {
        throw ValidationError("--\(option) \(text): '\($0)' is not a number")
      }
      return x
    }
  }

  func run() throws {
    if let out { try FileOutputOptions.checkTarget(out, force: force) }
    let source = try input.openSource()
    let (request, missing) = try request(source: source)
    if let (shard, partial) = try sharding.requested() {
      // every shard bins the same grid: its box cannot come from the data
      if !missing.isEmpty {
        let options = missing.map { "--range \($0)=lo,hi" }
        throw CommandError(
          "--shard: every shard bins the same box, which must be known before the scan; give "
            + (options.count > 1 ? options.dropLast().joined(separator: ", ") + " and " : "") + options.last!)
      }
      let p = try PIDDensity.plan(request, source: source, aliases: aliases)
      try ShardFile.make(
        command: "kde fit", arguments: Array(CommandLine.arguments.dropFirst(3)), shard: shard, source: source
      ) { chunks in
        ShardPartials(densityGrid: try p.query.partial(ChunkPartials(p.aggregate), chunks: chunks, threads: parallelism.threads))
      }.write(to: partial, json: json)
      return
    }
    let started = Date()
    let p = try PIDDensity.plan(try PIDDensity.boxed(request, source: source, aliases: aliases), source: source, aliases: aliases)
    try present(try p.density(try p.query.run(p.aggregate, threads: parallelism.threads)), started: started)
  }

  var aliases: [String: String] { input.mode.flatMap(CalibrationMode.builtin(named:)).map { ["selection": $0.selection] } ?? [:] }

  /// The request the options describe on `source` (bare variables as the
  /// track's columns), and the variables without --range, as named (their
  /// box is found from the data).
  func request(source: any ColumnSource) throws -> (PIDDensity.Request, missing: [String]) {
    let mode = input.mode.flatMap(CalibrationMode.builtin(named:))
    let rewriting = TrackRewriting(particle: particle, mode: mode, columns: source.columns.map(\.name))
    let kinematics = try rewriting.rewrite(vars.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    let pidExpression = try rewriting.rewrite([pid])[0]
    var request = PIDDensity.Request(pid: pidExpression, kinematics: kinematics)
    request.selection = cut
    request.weight = weight
    request.cells = try grid.map { text in
      try Self.numbers(text, option: "grid").map { x in
        guard x == x.rounded(), x >= 2, x <= 100_000 else { throw ValidationError("--grid \(text): cells are whole numbers from 2 to 100000") }
        return Int(x)
      }
    }
    if bandwidth != "auto" { request.bandwidths = try Self.numbers(bandwidth, option: "bandwidth") }
    request.boundary = DensityGrid.Boundary(rawValue: boundary)!
    request.transform = PIDTransform(rawValue: pidTransform)!
    request.replicas = replicas
    request.seed = seed
    request.bandwidthVariations = systematics
    request.adaptive = adaptive
    request.threads = parallelism.threads
    var ranges: [(Double, Double)?] = kinematics.map { _ in nil }
    let names = vars.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    for r in range {
      guard let eq = r.firstIndex(of: "=") else { throw ValidationError("--range \(r): write VAR=lo,hi") }
      let name = String(r[..<eq]).trimmingCharacters(in: .whitespaces)
      let v = try Self.numbers(String(r[r.index(after: eq)...]), option: "range")
      guard v.count == 2, v[0] < v[1], v.allSatisfy(\.isFinite) else { throw ValidationError("--range \(r): give lo,hi with lo < hi") }
      if name == pid || name == pidExpression {
        request.pidRange = (v[0], v[1])
      } else if let j = names.firstIndex(of: name) ?? kinematics.firstIndex(of: name) {
        ranges[j] = (v[0], v[1])
      } else {
        throw ValidationError("--range \(r): \(name) is neither --pid nor one of --vars (\(names.joined(separator: ", ")))")
      }
    }
    request.ranges = ranges
    let missing = zip(names, ranges).filter { $0.1 == nil }.map(\.0) + (request.pidRange == nil ? [pid] : [])
    return (request, missing)
  }

  /// Writes the density (--out, --plot) and prints what was estimated, as a run does.
  /// - Parameter command: the provenance written into the file (default: this process's command line).
  func present(_ fitted: PIDDensity, started: Date, command: String = Output.commandLine) throws {
    guard let out else { return }
    var density = fitted
    density.settings.source = input.input ?? input.filesFrom ?? [input.mode, input.proc, input.sample].compactMap { $0 }.joined(separator: "/")
    density.settings.command = command
    try density.write(to: out)
    var plots: [String] = []
    if let plot {
      let names = density.settings.kinematics + [density.settings.pid]
      for j in names.indices {
        let safe = String(names[j].map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        let path = "\(plot)_\(j)_\(safe).svg"
        try FileOutputOptions.checkTarget(path, force: true)
        let p = DensityProjectionPlot(density, axis: j, title: "\(density.settings.pid): projection on \(names[j])")
        plots += try PlotFile.write(svg: p.svg, data: p.data, to: path)
      }
    }
    if json {
      struct Report: Encodable {
        var out: String
        var plots: [String]
        var settings: PIDDensity.Settings
        var variants: [String]
        var seconds: Double
      }
      print(try Output.json(Report(
        out: out, plots: plots, settings: density.settings, variants: density.variants.keys.sorted(), seconds: Date().timeIntervalSince(started))))
      return
    }
    let s = density.settings
    print("density of \(s.pid) in \(s.kinematics.joined(separator: ", ")) (transform \(s.transform.rawValue), boundary \(s.boundary.rawValue)\(s.adaptive ? ", adaptive" : ""))")
    print("rows inside the box \(Output.grouped(s.entries)), Σw \(Output.compact(s.sumW)), effective count \(Output.compact(s.effectiveCount)); outside \(Output.grouped(s.outside))")
    for (a, (name, h)) in zip(s.axes, zip(s.kinematics + [s.pid], s.bandwidths)) {
      print("  \(name): [\(Output.compact(a.lower)), \(Output.compact(a.upper))] in \(a.cells) cells, bandwidth \(Output.compact(h)) (\(s.bandwidthRule))")
    }
    if !density.variants.isEmpty { print("variants: \(density.variants.keys.sorted().joined(separator: ", "))") }
    print("wrote \(out)")
    for p in plots where p.hasSuffix(".svg") { print("wrote \(p)") }
  }
}

/// Options shared by `kde resample` and `kde transform`.
struct KDEApplyOptions: ParsableArguments {
  @OptionGroup var input: InputOptions
  @OptionGroup var parallelism: ThreadsOption

  @Option(help: "The data's density (written by `syscorr kde fit`).")
  var kde: String

  @Option(help: "The track whose bare variables --vars name (a role of the mode or a column prefix).")
  var particle: String?

  @Option(parsing: .unconditional, help: "The tracks' kinematic variables, comma-separated (default: those of the density).")
  var vars: String?

  @Option(help: "The new column's name.")
  var column: String

  @Flag(help: "Also a column per variant of the density (bandwidth × 0.5 and × 2, bootstrap replicas).")
  var systematics = false

  @Option(help: "With --input: the file for the derived columns, FILE.h5 (a store set gets a friend version).")
  var out: String?

  @Flag(help: "Replace --out if it exists.")
  var force = false

  @Flag(help: "Print JSON instead of a summary.")
  var json = false

  @OptionGroup var sharding: RowShardOption

  func validate() throws {
    try RowShardOption.checkOutput(out: out, input: input, sharded: sharding.shard != nil)
  }

  func run(method: (PIDDensity, TrackRewriting) throws -> PIDResampling.Method) throws {
    if let out { try FileOutputOptions.checkTarget(out, force: force) }
    let data = try PIDDensity.read(kde)
    let source = try sharding.rows(of: try input.openSource())
    let mode = input.mode.flatMap(CalibrationMode.builtin(named:))
    let rewriting = TrackRewriting(particle: particle, mode: mode, columns: source.columns.map(\.name))
    let kinematics = try vars.map { try rewriting.rewrite($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
    var resampling = PIDResampling(
      data: data, method: try method(data, rewriting), kinematics: kinematics, column: column,
      variants: systematics ? data.variants.keys.sorted { a, b in
        // bandwidth variants first, replicas in number order
        let ka = a.hasPrefix("stat_") ? (1, Int(a.dropFirst(5)) ?? 0) : (0, a == "bw_down" ? 0 : 1)
        let kb = b.hasPrefix("stat_") ? (1, Int(b.dropFirst(5)) ?? 0) : (0, b == "bw_down" ? 0 : 1)
        return ka < kb
      } : [])
    resampling.firstRow = RowShardOption.firstRow(source)
    let infos = resampling.columnNames.map { ColumnInfo(name: $0, type: $0.hasSuffix("_valid") ? .bool : .float64) }
    let aliases = mode.map { ["selection": $0.selection] } ?? [:]
    var summary: PIDResampling.Summary?
    let friend = try DerivedColumnsOutput(input: input, out: out, name: column).write(source: source, infos: infos) { sink in
      summary = try resampling.run(source: source, aliases: aliases, threads: parallelism.threads, sink: sink)
    }
    guard let summary else { return }
    if json {
      struct Report: Encodable {
        var summary: PIDResampling.Summary
        var friend: String?
        var out: String?
      }
      print(try Output.json(Report(summary: summary, friend: friend, out: out)))
      return
    }
    print("rows \(Output.grouped(summary.rows)), valid \(Output.grouped(summary.valid)); outside the density's kinematic box \(Output.grouped(summary.outside))"
      + (summary.missingPID > 0 ? ", PID missing \(Output.grouped(summary.missingPID))" : ""))
    if let out { print("wrote \(out) (\(summary.columns.joined(separator: ", ")))") }
    if let friend { print("added friend \(friend) (\(summary.columns.joined(separator: ", ")))") }
  }
}

struct KDEResampleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resample",
    abstract: "Draw a data-like PID value for every track from the density at its kinematics.",
    discussion: """
      Inverse-CDF sampling of the density's PID slice at each track's
      kinematics (multilinear between grid nodes), seeded per row: the same
      --seed gives the same values for any thread count. Tracks outside the
      density's kinematic box get NaN and <column>_valid false, and are
      counted; <column>_pidstat is the calibration weight near the track.

      Example:
        syscorr kde resample --mode Dst --proc MC15ri --sample mc --particle K \\
          --kde kaon-kde.h5 --column K_kaonID_resampled --systematics
      """)

  @OptionGroup var options: KDEApplyOptions

  @Option(help: "Seed of the draws.")
  var seed: UInt64 = 1

  func run() throws {
    try options.run { _, _ in .resample(seed: seed) }
  }
}

struct KDETransformCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "transform",
    abstract: "Map simulated PID onto data: x' = F_data⁻¹(F_MC(x | kinematics) | kinematics).",
    discussion: """
      Needs two densities of the same variables: the data's (--kde) and the
      simulation's (--kde-mc). Each track's PID value keeps its quantile, so
      correlations with other variables survive.

      Example:
        syscorr kde transform --mode Dst --proc MC15ri --sample mc --particle K \\
          --kde kaon-kde.h5 --kde-mc kaon-kde-mc.h5 --column K_kaonID_transformed
      """)

  @OptionGroup var options: KDEApplyOptions

  @Option(help: "The simulation's density (written by `syscorr kde fit` on simulated calibration tracks).")
  var kdeMc: String

  @Option(parsing: .unconditional, help: "The tracks' PID variable (default: the density's).")
  var pid: String?

  func run() throws {
    try options.run { data, rewriting in
      let sim = try PIDDensity.read(kdeMc)
      let expression = try pid.map { try rewriting.rewrite([$0])[0] } ?? sim.settings.pid
      return .transform(simulation: sim, pid: expression)
    }
  }
}
