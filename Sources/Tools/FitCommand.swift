import Analysis
import ArgumentParser
import ColumnStore
import Foundation
import Modes
import Query
import Numerics
import Workflow

/// `syscorr fit`: the mass fit of a calibration sample, and its sWeights.
struct FitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fit",
    abstract: "Fit the mass of a calibration sample (nominal and systematic model) and write sWeights.",
    discussion: """
      An extended unbinned maximum-likelihood fit of the mode's mass model
      (schemas/modes/, `fit` section) to the selected candidates, with MIGRAD
      and HESSE; then the same for the mode's systematic alternative. With
      --write-sweights, both fits' sWeights become a new friend version of
      the set (sweights_vN: sweight, sweight_bkg, sweight_syst, in_fit), and
      every query can use them: --weight sweight (the newest version) or
      --weight sweight_v2.

      For a store set it writes fit_results/{proc}_{mode}_{sample}.json,
      plots/{proc}_{mode}_{sample}.svg (with its data as .json beside it)
      and, with sWeights, validation/{proc}_{mode}_{sample}.json.
      Nothing is written unless both fits converge.

      Examples:
        syscorr fit --mode Dst --proc proc12 --sample data --write-sweights
        syscorr fit --input dst.root --mode Dst --cut 'selection && D0_K_p > 1' --plot dst-fit.svg --json
        syscorr fit --mode KS --proc proc12 --sample data --model my-ks-model.yaml --range 0.46,0.54
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var parallelism: ThreadsOption

  @Option(help: "A custom mode definition (YAML, see schemas/modes/).")
  var modeFile: String?

  @Option(help: "A mass model file (the `fit` section of a mode file) instead of the mode's.")
  var model: String?

  @Option(help: "The fit variable (default: the model's column, e.g. D0_M).")
  var mass: String?

  @Option(parsing: .unconditional, help: "LO,HI of the fit (default: the model's range).")
  var range: String?

  @Option(parsing: .unconditional, help: "The selection; `selection` is the mode's default selection.")
  var cut: String = "selection"

  @Option(parsing: .unconditional, help: "A per-candidate weight expression for a weighted fit.")
  var weight: String?

  @Option(help: "Fit a histogram of N bins (binned extended likelihood) instead of the events.")
  var binned: Int?

  @Flag(help: "Add both fits' sWeights to the set as a new friend version sweights_vN. On a shard of a binned fit: send the events too, so that `merge --write-sweights` can compute them.")
  var writeSweights = false

  @Option(help: "Write the plot here (SVG; its data as .json beside it) instead of the store's plots/.")
  var plot: String?


  @Flag(help: "Print JSON (keys: status, edm, nll, range, parameters, yields, covariance, systematic, splot, files).")
  var json = false

  @OptionGroup var sharding: ShardOptions

  func validate() throws {
    if input.mode == nil { throw ValidationError("give the calibration mode: --mode Dst|Lambda0|KS (with a store set or --input)") }
    if let binned, binned < 2 { throw ValidationError("--binned needs at least 2 bins") }
    if input.filesFrom != nil {
      throw ValidationError("fit reads a store set or one --input file (ingest the listed files into a set to fit them together)")
    }
    if writeSweights && input.input != nil {
      throw ValidationError("--write-sweights adds columns to a store set; ingest the file first (syscorr ingest)")
    }
  }

  func run() throws {
    let (job, mode) = try makeJob()
    if let (shard, partial) = try sharding.requested() {
      let (query, aggregate) = try job.sampleQuery()
      try ShardFile.make(
        command: "fit", arguments: Array(CommandLine.arguments.dropFirst()), shard: shard,
        source: query.source
      ) { chunks in
        // a binned fit's shards send its histogram (and the events, for sWeights), an unbinned fit's its events
        if let histogram = try job.histogramAggregate() {
          return ShardPartials(
            fitSample: writeSweights ? try query.partial(ChunkPartials(aggregate), chunks: chunks, threads: parallelism.threads) : nil,
            fitHistogram: try query.partial(ChunkPartials(histogram), chunks: chunks, threads: parallelism.threads))
        }
        return ShardPartials(fitSample: try query.partial(ChunkPartials(aggregate), chunks: chunks, threads: parallelism.threads))
      }
        .write(to: partial, json: json)
      return
    }
    try present(try job.run(), mode: mode)
  }

  /// Prints the result as `fit` does.
  func present(_ result: FitJobResult, mode: CalibrationMode) throws {
    print(json ? try Output.json(FitReport(result)) : FitTables.text(result, mode: mode))
  }

  /// The fit job the options describe.
  func makeJob() throws -> (FitJob, CalibrationMode) {
    let mode = try ModeLookup.resolve(name: input.mode!, file: modeFile)
    var massModel: MassModel
    if let model {
      massModel = try MassModel.load(contentsOf: model)
    } else if let fit = mode.fit {
      massModel = fit
    } else {
      throw CommandError("mode \(mode.name) has no mass peak to fit (no `fit` section); give --model FILE.yaml")
    }
    if let mass { massModel.column = mass }
    if let range {
      let r = try QueryCommand.parseNumbers(range, option: "--range")
      guard r.count == 2, r[0] < r[1] else { throw CommandError("--range needs LO,HI with LO < HI, got '\(range)'") }
      massModel.range = r
    }
    let target: FitJob.Target
    if let file = input.input {
      target = .file(file)
    } else {
      let store = input.store.resolved
      let r = try store.resolve(mode: mode.name, proc: input.proc, sample: input.sample)
      target = .set(store, proc: r.proc, sample: r.sample)
    }
    var job = FitJob(target: target, mode: mode, model: massModel, cut: cut)
    job.weight = weight
    job.threads = parallelism.threads
    job.bins = binned
    job.writeSWeights = writeSweights
    job.plotPath = plot
    job.command = Output.commandLine
    return (job, mode)
  }
}

/// `syscorr fit --json`: the nominal fit's report at the top level, then the
/// systematic fit, the sPlot checks, the friend set and the files written.
struct FitReport: Encodable {
  var result: FitJobResult

  init(_ result: FitJobResult) { self.result = result }

  enum Keys: String, CodingKey { case systematic, splot, sweights, validation, files }

  func encode(to encoder: Encoder) throws {
    try result.fit.nominal.report.encode(to: encoder)
    var c = encoder.container(keyedBy: Keys.self)
    try c.encodeIfPresent(result.fit.systematic?.report, forKey: .systematic)
    try c.encodeIfPresent(result.summary?.splot, forKey: .splot)
    try c.encodeIfPresent(result.friend, forKey: .sweights)
    try c.encodeIfPresent(result.validation, forKey: .validation)
    try c.encode(result.files, forKey: .files)
  }
}
