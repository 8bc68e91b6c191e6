import Analysis
import ArgumentParser
import ColumnStore
import Foundation
import Modes
import Query
import Report

/// `syscorr plot`: data against simulation of any expression.
struct PlotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plot",
    abstract: "Data against simulation of any expression: weighted histograms, overlaid selections, ratio panel.",
    discussion: """
      One pass per sample fills one weighted histogram (Σw, Σw²) of --expr per
      selection: all selected rows, or each --overlay. Data are drawn as
      points with √Σw² error bars, the simulation (--mc-proc or --mc-input) as
      a filled histogram with its ±σ band, scaled to the data's Σw in range
      (or both to unit area with --density); a panel under it shows data /
      simulation with both errors in quadrature. Without a simulation the
      data alone are drawn. With --particle, bare variables (kaonID, p) in
      --expr, --select and --overlay mean that track's columns, as in
      `syscorr efficiency`. Bins are [lo, hi); rows outside go to the
      under/overflow counts (in the JSON, not drawn).

      --out F.svg writes the plot, F.json (every number drawn) and F.h5 (the
      histograms, UHI: boost-histogram / hist read them).

      With --shard K/N --partial F.json a job fills the histograms of its part
      of the data's and the simulation's chunks (one list after the other);
      `syscorr merge` writes and prints the plot exactly as a single run.

      Example (kaon ID of the D* kaon, sWeighted data vs simulation, two charges):
        syscorr plot --mode Dst --proc proc12 --sample data --mc-proc MC15ri \\
          --particle K --expr kaonID --bins 50 --range 0,1 --log \\
          --weight sweight --select in_fit \\
          --overlay 'charge > 0' --overlay 'charge < 0' --out kaonID.svg
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var parallelism: ThreadsOption

  @OptionGroup var simulation: SimulationOptions

  @Option(parsing: .unconditional, help: "The expression to histogram, e.g. D0_M or 'log10(K_p)'.")
  var expr: String

  @Option(help: "Regular bins (with --range).")
  var bins: Int?

  @Option(parsing: .unconditional, help: "LO,HI of the regular bins (with --bins).")
  var range: String?

  @Option(parsing: .unconditional, help: "Bin edges e0,e1,... (instead of --bins and --range).")
  var edges: String?

  @Option(parsing: .unconditional, help: "A selection of rows (candidates; with --particle, bare variables are the track's).")
  var select: String = ""

  @Option(parsing: .unconditionalSingleValue, help: "A selection drawn overlaid (repeatable; one histogram each).")
  var overlay: [String] = []

  @Option(help: "The track: a role of the mode (K, pi, p, …) or a column prefix; bare variables refer to its columns.")
  var particle: String?

  @Flag(help: "Normalise every histogram to unit area.")
  var density = false

  @Flag(help: "A logarithmic y axis.")
  var log = false

  @Option(help: "A line above the plot (default: the samples).")
  var title: String?

  @Option(help: "The x axis title (default: the expression).")
  var xlabel: String?

  @Option(help: "Write the plot: FILE.svg (and FILE.json, FILE.h5 beside it).")
  var out: String?

  @Flag(help: "Replace output files that exist.")
  var force = false

  @Flag(help: "Print JSON instead of a summary.")
  var json = false

  @OptionGroup var sharding: ShardOptions

  var mcProc: String? { simulation.mcProc }
  var mcInput: String? { simulation.mcInput }
  var weight: String? { simulation.weight }

  func validate() throws {
    if sharding.partial != nil, out != nil {
      throw ValidationError("--partial writes a shard's sums: --out belongs to `syscorr merge` or a single run")
    }
    if (bins == nil) != (range == nil) { throw ValidationError("give --bins N with --range LO,HI (or --edges e0,e1,...)") }
    if bins == nil && edges == nil { throw ValidationError("give the bins: --bins N --range LO,HI or --edges e0,e1,...") }
    if bins != nil && edges != nil { throw ValidationError("give either --bins/--range or --edges, not both") }
    if input.isFile && mcProc != nil { throw ValidationError("--mc-proc names a store set; with --input give the simulation as --mc-input FILE") }
    if !input.isFile && mcInput != nil { throw ValidationError("--mc-input goes with --input (files); for a store set use --mc-proc P") }
    if expr.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--expr is empty: give an expression, e.g. --expr D0_M") }
    if let out, URL(fileURLWithPath: out).pathExtension.lowercased() != "svg" {
      throw ValidationError("--out \(out): write the plot as FILE.svg")
    }
    _ = try axis()
  }

  /// The binning of --bins/--range or --edges.
  /// - Throws: `ValidationError` naming the option.
  func axis() throws -> HistogramAxis {
    if let edges {
      let e = try QueryCommand.parseNumbers(edges, option: "--edges")
      do { return try HistogramAxis.variable(e) } catch { throw ValidationError("--edges \(edges): \(error.message)") }
    }
    let r = try QueryCommand.parseNumbers(range ?? "", option: "--range")
    guard r.count == 2 else { throw ValidationError("--range needs LO,HI, got '\(range ?? "")'") }
    guard r[0].isFinite, r[1].isFinite, r[0] < r[1] else {
      throw ValidationError("--range \(range ?? ""): give finite LO < HI")
    }
    do { return try HistogramAxis.regular(bins: bins ?? 0, lower: r[0], upper: r[1]) } catch {
      throw ValidationError("--bins \(bins ?? 0): \(error.message)")
    }
  }

  /// The paths written beside FILE.svg.
  static func companions(_ svg: String) -> (json: String, uhi: String) {
    let stem = svg.lowercased().hasSuffix(".svg") ? String(svg.dropLast(4)) : svg
    return (stem + ".json", stem + ".h5")
  }

  func run() throws {
    for path in outputs { try FileOutputOptions.checkTarget(path, force: force) }
    let p = try plan()
    if let (shard, partial) = try sharding.requested() {
      // the shards split the data's chunks and the simulation's, one list after the other
      try ShardFile.make(
        command: "plot", arguments: Array(CommandLine.arguments.dropFirst()), shard: shard,
        sources: [p.data.query.source] + (p.mc.map { [$0.query.source] } ?? [])
      ) { chunks in
        ShardPartials(
          selectionHistograms: try p.data.query.partial(ChunkPartials(p.data.aggregate), chunks: chunks[0], threads: parallelism.threads),
          mcSelectionHistograms: try p.mc.map { try $0.query.partial(ChunkPartials($0.aggregate), chunks: chunks[1], threads: parallelism.threads) })
      }.write(to: partial, json: json)
      return
    }
    try present(p.comparison(
      data: try p.data.query.run(p.data.aggregate, threads: parallelism.threads),
      mc: try p.mc.map { try $0.query.run($0.aggregate, threads: parallelism.threads) }))
  }

  /// The files --out writes: FILE.svg, FILE.json, FILE.h5.
  var outputs: [String] { out.map { [$0, Self.companions($0).json, Self.companions($0).uhi] } ?? [] }

  /// The data sample's options (`--sample data` unless a sample or a file is given).
  var dataOptions: InputOptions { SimulationOptions.data(input) }

  /// The simulation's options (nil without --mc-proc or --mc-input).
  var mcOptions: InputOptions? { simulation.isGiven ? simulation.input(beside: input) : nil }

  /// The scans of the data and of the simulation, if any.
  func plan() throws -> DistributionComparison.Plan {
    var request = DistributionComparison.Request(expression: expr, axis: try axis())
    request.selection = select
    request.overlays = overlay
    request.weight = weight
    request.mcWeight = simulation.simulationWeight
    request.density = density
    request.threads = parallelism.threads
    let mode = input.mode.flatMap(CalibrationMode.builtin(named:))
    return try DistributionComparison.plan(
      request, particle: particle, mode: mode, data: try dataOptions.openSource(), mc: try mcOptions?.openSource(),
      aliases: mode.map { ["selection": $0.selection] } ?? [:])
  }

  /// Writes (--out) and prints the comparison as a run does.
  func present(_ comparison: DistributionComparison) throws {
    if let out {
      // everything is computed before anything is written
      let dataOptions = dataOptions, mcOptions = mcOptions
      let defaultTitle = [input.mode, dataOptions.proc, dataOptions.sample, input.input].compactMap { $0 }.joined(separator: " ")
        + (mcOptions.map { o in " vs " + [o.proc, o.sample, o.input].compactMap { $0 }.joined(separator: " ") } ?? "")
      // the first sample is named as selected (`--sample mc` alone is simulation)
      let names = dataOptions.sample?.lowercased() == "mc"
        ? (["simulation", dataOptions.proc].compactMap { $0 }.joined(separator: " "),
           ["simulation", mcOptions?.proc].compactMap { $0 }.joined(separator: " "))
        : ("data", "simulation")
      let plot = DistributionPlot(comparison, title: title ?? defaultTitle, log: log, xTitle: xlabel, names: names)
      let c = Self.companions(out)
      try OutputFile.write(Data(plot.svg.utf8), to: out)
      try OutputFile.write(try OutputFile.json(comparison), to: c.json)
      try UHIHistogramFile.write(comparison.uhi(), to: c.uhi)
    }
    if json {
      print(try Output.json(comparison))
    } else {
      print(Self.summary(comparison), terminator: "")
      for path in outputs { print("wrote \(path)") }
    }
  }

  /// Per sample and selection: rows, Σw in range, under/overflow, mean; per selection the χ²/ndf of the ratio.
  static func summary(_ c: DistributionComparison) -> String {
    var rows: [[String]] = [["sample", "selection", "entries", "Σw in range", "underflow", "overflow", "mean"]]
    let centers = zip(c.edges, c.edges.dropFirst()).map { 0.5 * ($0 + $1) }
    for (sample, hs) in [("data", c.data), ("mc", c.mc)] {
      for h in hs {
        let total = h.sumW.reduce(0, +)
        let mean = zip(centers, h.sumW).map { $0 * $1 }.reduce(0, +) / total
        rows.append([sample, h.selection.isEmpty ? "all" : h.selection, "\(h.entries)", String(format: "%.6g", total),
                     String(format: "%.6g", h.underflow), String(format: "%.6g", h.overflow), String(format: "%.6g", mean)])
      }
    }
    var text = "\(c.expressions.joined(separator: ", ")): \(c.edges.count - 1) bins in [\(c.edges[0]), \(c.edges[c.edges.count - 1]))"
      + (c.density ? ", normalised to unit area" : c.mc.isEmpty ? "" : ", simulation scaled to the data") + "\n"
    let widths = rows[0].indices.map { j in rows.map { $0[j].count }.max() ?? 0 }
    for r in rows {
      text += zip(r, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        .trimmingCharacters(in: .whitespaces) + "\n"
    }
    for r in c.ratios {
      var terms: [Double] = []
      for (v, e) in zip(r.values, r.errors) where v.isFinite && e > 0 {
        let pull = (v - 1) / e
        terms.append(pull * pull)
      }
      text += "data/sim. \(r.selection.isEmpty ? "all" : r.selection): χ²/ndf = \(String(format: "%.2f", terms.reduce(0, +)))/\(terms.count)\n"
    }
    return text
  }
}
