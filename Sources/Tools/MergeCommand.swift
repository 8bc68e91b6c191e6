import Analysis
import ArgumentParser
import ColumnStore
import Foundation
import Query
import Workflow

/// `syscorr merge`: the shards' partials of one query or table, merged into its result.
struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Merge the partials of a sharded command (query, tables, fit, ROC curves, plot, density) into its result.",
    discussion: """
      Each shard runs as its own process (a batch job) and writes its
      partial state (`query`, `efficiency`, `weights`, `fit`, `roc`, `plot` or
      `kde fit` with --shard K/N --partial F.json; a fit's shards gather its
      sample, and merge fits, writing sWeights with --write-sweights, plots
      and JSON as `fit` does; a density's shards bin its grid, and merge
      smooths it and writes --out FILE.h5 as `kde fit` does — its shards need
      every box given by --range).
      merge checks that the partials belong to one command, version and
      input, that no chunk is counted twice and none is missing, then merges
      every chunk's partial in chunk order — the same merges a single run
      makes, so the result is identical to the last bit — and prints (or
      writes) it exactly as the command would.

      Merges can be staged in a tree: `merge --partial F.json` writes the
      given shards' partials as one file (no result), which later merges
      accept like a shard's; every chunk's partial is kept, so the final
      merge makes the same merges in the same order as a single run.

      Example:
        for k in 1 2 3 4; do
          syscorr query --mode Dst --proc proc12 --sample data --cut 'in_fit' --weight sweight \\
            --pass 'D0_K_kaonID > 0.6' --hist D0_K_p --edges 0.5,1,2,4.5 --shard $k/4 --partial part-$k.json
        done
        syscorr merge part-*.json --json
      """)

  @Argument(help: "Partial files written by `query`, `efficiency`, `weights`, `fit`, `roc`, `plot` or `kde fit` with --shard K/N --partial F.json.")
  var partials: [String] = []

  @Option(help: "The number of shards expected (default: the N the partials name).")
  var expectShards: Int?

  @Option(help: "Write the given shards' partials as one file, FILE.json, for a later merge (a stage of a merge tree); shards may be missing.")
  var partial: String?

  @Option(help: "Write the result: histograms (query, UHI layout), the table (efficiency: .csv, .json, .h5; weights: .csv, .json), the curves (roc: .csv, .json), the plot (plot: FILE.svg and .json, .h5 beside it) or the density (kde fit: FILE.h5, required).")
  var out: String?

  @Option(help: "efficiency, roc: plot the tables or curves, FILE.svg; fit: the fit's plot; kde fit: the validation plots' PREFIX.")
  var plot: String?

  @Option(help: "weights: the PIDVar/SysVar table, FILE.csv.")
  var pidvar: String?

  @Option(help: "weights: the ParticleWeighting look-up table, FILE.json.")
  var particleWeighting: String?

  @Flag(help: "fit: write the sWeights (a friend version of the set), as `fit --write-sweights`.")
  var writeSweights = false

  @Flag(help: "Replace --out or --plot if they exist.")
  var force = false

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  func validate() throws {
    if partials.isEmpty { throw ValidationError("give the partial files to merge: syscorr merge part-1.json part-2.json …") }
    if partial != nil, out != nil || plot != nil || pidvar != nil || particleWeighting != nil || writeSweights {
      throw ValidationError("--partial writes merged partials, not a result: --out, --plot, --pidvar, --particle-weighting and --write-sweights belong to the last merge")
    }
  }

  func run() throws {
    for path in [out, plot, pidvar, particleWeighting].compactMap({ $0 }) { try FileOutputOptions.checkTarget(path, force: force) }
    if let partial { try FileOutputOptions.checkTarget(partial, force: true) }
    var files: [(path: String, file: ShardFile)] = []
    for path in partials {
      guard let data = FileManager.default.contents(atPath: path) else { throw CommandError("cannot read \(path)") }
      struct Header: Decodable { var format: String? }
      if let format = (try? PartialCoding.decode(Header.self, from: data))?.format, format != ShardFile.format,
        format.hasPrefix("syscorr-query-partial-")
      {
        throw CommandError("\(path) is a partial of another format (\(format), this syscorr reads \(ShardFile.format)): rerun the shards with one version")
      }
      guard let f = try? PartialCoding.decode(ShardFile.self, from: data), f.format == ShardFile.format, !f.arguments.isEmpty,
        !f.parts.isEmpty
      else {
        throw CommandError("\(path) is not a shard's partial (written with --shard K/N --partial F.json)")
      }
      files.append((path, f))
    }
    let first = files[0].file
    for (path, f) in files.dropFirst() {
      if f.version != first.version {
        throw CommandError("\(path) was written by syscorr \(f.version), \(files[0].path) by \(first.version): rerun the shards with one version")
      }
      if f.query != first.query || f.arguments != first.arguments {
        throw CommandError("\(path) is a partial of another query or input than \(files[0].path) (\(f.arguments.joined(separator: " ")))")
      }
    }
    if first.version != SysCorr.version {
      throw CommandError("the partials were written by syscorr \(first.version), this is \(SysCorr.version)")
    }
    try checkCoverage(files, complete: partial == nil)
    if let partial {
      var merged = files[0].file
      for (_, f) in files.dropFirst() {
        merged.parts += f.parts
        merged.partials.append(f.partials)
      }
      merged.parts.sort { $0.shard < $1.shard }
      try merged.write(to: partial, json: json)
      return
    }
    let command = first.arguments[0]
    let arguments = Array(first.arguments.dropFirst())
    let options = (json ? ["--json"] : []) + (out.map { ["--out", $0] } ?? []) + (force ? ["--force"] : [])
    func entries<T>(_ key: KeyPath<ShardPartials, [T]?>) throws -> [T] {
      try files.flatMap { path, f in
        guard let e = f.partials[keyPath: key] else { throw CommandError("\(path) lacks the partials of this command") }
        return e
      }
    }
    switch command {
    case "query":
      let query = try QueryCommand.parse(arguments + options)
      var results = QueryCommand.Results()
      for kind in query.aggregates(axes: try query.axes(arguments: arguments)) {
        switch kind {
        case .efficiency(let a): results.efficiency = try ChunkPartials(a).merged(try entries(\.efficiency))
        case .count(let a): results.count = try ChunkPartials(a).merged(try entries(\.count))
        case .histogram(let a): results.histogram = try ChunkPartials(a).merged(try entries(\.histogram))
        }
      }
      print(try query.render(results, metadata: try query.metadata()), terminator: "")
    case "efficiency":
      // the plan needs the input's columns (track prefixes): the input must be reachable here too
      let efficiency = try EfficiencyCommand.parse(arguments + options + (plot.map { ["--plot", $0] } ?? []))
      let plan = try efficiency.plan(source: try efficiency.input.openSource())
      let table = plan.tables(try ChunkPartials(plan.aggregate).merged(try entries(\.tables)))[0][0]
      try efficiency.present(table)
    case "weights":
      let weights = try WeightsCommand.parse(
        arguments + options + (pidvar.map { ["--pidvar", $0] } ?? []) + (particleWeighting.map { ["--particle-weighting", $0] } ?? []))
      let p = try weights.plans()
      let data = p.data.tables(try ChunkPartials(p.data.aggregate).merged(try entries(\.tables)))[0]
      let mc = p.mc.tables(try ChunkPartials(p.mc.aggregate).merged(try entries(\.mcTables)))[0][0]
      try weights.present(data: data, mc: mc)
    case "fit":
      // the fit needs every selected mass at once: the shards gather, the merge fits (and writes sWeights)
      let fit = try FitCommand.parse(
        arguments + (json ? ["--json"] : []) + (writeSweights ? ["--write-sweights"] : []) + (plot.map { ["--plot", $0] } ?? []))
      let (job, mode) = try fit.makeJob()
      let (_, aggregate) = try job.sampleQuery()
      let gathered: FitJob.Input
      if let histogram = try job.histogramAggregate() {
        // the events come along when the shards ran with --write-sweights
        let events = files.allSatisfy { $0.file.partials.fitSample != nil }
          ? try ChunkPartials(aggregate).merged(try entries(\.fitSample)) : nil
        gathered = .histogram(try ChunkPartials(histogram).merged(try entries(\.fitHistogram)), events: events)
      } else {
        gathered = .events(try ChunkPartials(aggregate).merged(try entries(\.fitSample)))
      }
      try fit.present(try job.run(gathered: gathered), mode: mode)
    case "roc":
      let roc = try ROCCommand.parse(arguments + options + (plot.map { ["--plot", $0] } ?? []))
      let p = try roc.plans()
      try roc.present(
        signal: p.signal.tables(try ChunkPartials(p.signal.aggregate).merged(try entries(\.tables)))[0][0],
        misID: p.misID.tables(try ChunkPartials(p.misID.aggregate).merged(try entries(\.misIDTables)))[0][0])
    case "plot":
      let command = try PlotCommand.parse(arguments + options)
      let p = try command.plan()
      try command.present(p.comparison(
        data: try ChunkPartials(p.data.aggregate).merged(try entries(\.selectionHistograms)),
        mc: try p.mc.map { try ChunkPartials($0.aggregate).merged(try entries(\.mcSelectionHistograms)) }))
    case "kde fit":
      // the shards binned the grid of a given box; the merge smooths it as `kde fit` does
      let started = Date()
      let kde = try KDEFitCommand.parse(arguments + options + (plot.map { ["--plot", $0] } ?? []))
      let source = try kde.input.openSource()
      let p = try PIDDensity.plan(try kde.request(source: source).0, source: source, aliases: kde.aliases)
      let shards = "kde fit " + arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
      try kde.present(
        try p.density(try ChunkPartials(p.aggregate).merged(try entries(\.densityGrid))), started: started,
        command: Output.commandLine + " (the shards of: \(shards))")
    default:
      throw CommandError("\(files[0].path): partials of `\(command)` cannot be merged")
    }
  }

  /// Every shard once, no chunk twice; with `complete`, every shard and chunk there.
  func checkCoverage(_ files: [(path: String, file: ShardFile)], complete: Bool) throws {
    let first = files[0].file
    let shards = expectShards ?? first.shards
    var seen: [Int: String] = [:]
    for (path, f) in files {
      if f.shards != first.shards || f.chunkCount != first.chunkCount {
        throw CommandError("\(path) is a shard of \(f.shards), \(files[0].path) of \(first.shards): rerun the shards with one --shard K/N count")
      }
      for p in f.parts {
        if let other = seen[p.shard] { throw CommandError("shard \(p.shard)/\(f.shards) is given twice: \(other) and \(path)") }
        seen[p.shard] = path
      }
    }
    // (a shard of more shards than chunks may cover none)
    let covered = files.flatMap(\.file.parts).map(\.chunkRange).filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
    var next = 0
    for c in covered {
      if c.lowerBound < next { throw CommandError("two partials cover the same chunks (\(c.lowerBound)..<\(c.upperBound)): a shard was counted twice") }
      next = max(next, c.upperBound)
    }
    guard complete else { return }
    let missing = (1...max(shards, 1)).filter { seen[$0] == nil }
    let gaps = zip([0] + covered.map(\.upperBound), covered.map(\.lowerBound) + [first.chunkCount]).filter { $0 < $1 }
    if !missing.isEmpty || !gaps.isEmpty || shards != first.shards {
      let list = missing.map { "\($0)/\(shards)" }.joined(separator: ", ")
      throw CommandError(
        "missing shards: \(list.isEmpty ? "none by number, but chunks are uncovered" : list) (have \(seen.count) of \(shards)); nothing merged")
    }
  }
}
