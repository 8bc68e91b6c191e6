import Analysis
import ColumnStore
import Foundation
import Modes
import Numerics
import Query
import Report

/// Everything `syscorr fit` (and each task of the `ntuples` workflow) does
/// for one calibration sample: the nominal and systematic fits, sWeights as
/// a friend-column version of the set, `fit_results/*.json`, the plot with
/// its data, and `validation/*.json` (sum rules; on simulation, the
/// sWeighted PID efficiency against the truth-matched one in bins of p).
///
/// Nothing is written unless both fits are valid.
public struct FitJob: Sendable {
  /// Where the rows come from: a set of the store (outputs go to the store)
  /// or a file (outputs only where `plotPath` says).
  public enum Target: Sendable {
    case set(Store, proc: String, sample: String)
    case file(String)
  }

  public var target: Target
  public var mode: CalibrationMode
  public var model: MassModel
  /// The cut; `selection` is the mode's default selection.
  public var cut: String
  public var weight: String?
  public var threads: Int?
  public var bins: Int?
  public var writeSWeights = false
  /// Where the plot goes (default for a set: `plots/{proc}_{mode}_{sample}.svg`).
  public var plotPath: String?
  /// The command line, for the friend set's provenance.
  public var command = ""
  /// Appended to the output file names (`_v2` for a refit), so that earlier outputs stay.
  public var outputSuffix = ""

  public init(target: Target, mode: CalibrationMode, model: MassModel, cut: String = "selection") {
    self.target = target
    self.mode = mode
    self.model = model
    self.cut = cut
  }

  /// The output file stem: `{proc}_{mode}_{sample}`, or the input file's name.
  public var stem: String {
    switch target {
    case .set(_, let proc, let sample): "\(proc)_\(mode.name)_\(sample)\(outputSuffix)"
    case .file(let path): URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }
  }

  /// The query that selects the fit's rows, and what the fit reads from
  /// them: a sharded fit runs the aggregate shard by shard and hands the
  /// gathered sample to `run(sample:)`.
  public func sampleQuery() throws -> (query: Query, aggregate: FitSampleAggregate) {
    let source: any ColumnSource
    switch target {
    case .set(let store, let proc, let sample): source = try store.open(proc: proc, mode: mode.name, sample: sample)
    case .file(let path): source = try InputFile.open(path)
    }
    let query = try Query(cut: cut, weight: weight, aliases: ["selection": mode.selection], source: source)
    return (query, CalibrationFit(model: model, threads: threads, bins: bins).sampleAggregate)
  }

  /// What a fit reads from its rows: every event (unbinned), or a histogram
  /// (binned; its shards send no events).
  public enum Input: Sendable {
    case events(FitSampleAggregate.Result)
    /// A binned fit's histogram, with the events when sWeights are to be written.
    case histogram(FitHistogramAggregate.Result, events: FitSampleAggregate.Result?)
  }

  /// What the fit's shards gather: the histogram of a binned fit, else nil (the events of `sampleQuery`).
  public func histogramAggregate() throws -> FitHistogramAggregate? {
    try CalibrationFit(model: model, threads: threads, bins: bins).histogramAggregate()
  }

  /// Fits, and writes what the job writes. `gathered`: the input gathered
  /// elsewhere (the shards of a sharded fit); nil: read it now. A binned fit
  /// reads its histogram, and its events too when it writes sWeights.
  /// - Throws: `MassFitError.sWeightsNeedEvents` when sWeights are asked of a gathered histogram.
  public func run(gathered: Input? = nil) throws -> FitJobResult {
    let (query, aggregate) = try sampleQuery()
    let calibration = CalibrationFit(model: model, threads: threads, bins: bins)
    let fit: CalibrationFitResult
    if let histogramAggregate = try calibration.histogramAggregate() {
      var events: FitSampleAggregate.Result?
      let histogram: FitHistogramAggregate.Result
      switch gathered {
      case .histogram(let h, let e):
        (histogram, events) = (h, e)
        if writeSWeights && e == nil { throw MassFitError.sWeightsNeedEvents }
      case .events: preconditionFailure("a binned fit gathers a histogram")
      case nil:
        histogram = try query.run(histogramAggregate, threads: threads)
        // sWeights need the events too: a second scan (summing the histogram from them would change its bits)
        if writeSWeights { events = try query.run(aggregate, threads: threads) }
      }
      fit = try calibration.fit(histogram: histogram, sample: events, rowCount: query.source.rowCount, cut: query.cut)
    } else {
      let sample: FitSampleAggregate.Result
      switch gathered {
      case .events(let e): sample = e
      case .histogram: preconditionFailure("an unbinned fit gathers events")
      case nil: sample = try query.run(aggregate, threads: threads)
      }
      fit = try calibration.fit(sample, rowCount: query.source.rowCount, cut: query.cut)
    }
    var result = FitJobResult(fit: fit)
    var sWeights: SWeightColumns?
    if writeSWeights {
      guard case .set(let store, let proc, let sample) = target else { throw FitJobError.sWeightsNeedASet }
      let w = try fit.sWeights(threads: threads)
      var friends = FriendColumns(store: store, proc: proc, mode: mode.name, sample: sample)
      friends.command = command
      result.friend = try friends.add(name: SWeightColumns.friendName, table: try w.table(rowCount: fit.rowCount, sample: fit.sample!))
      sWeights = w
    }
    result.summary = fit.summary(sWeights: sWeights, friend: result.friend)
    let plot = fit.histogram.map {
      FitPlot(outcome: fit.nominal, histogram: $0, variable: model.column, unit: model.unit, title: title)
    } ?? FitPlot(outcome: fit.nominal, sample: fit.sample!, variable: model.column, unit: model.unit, title: title)
    result.plot = plot.data
    switch target {
    case .set(let store, let proc, let sample):
      result.files.append(try store.writeOutput(try OutputFile.json(result.summary), to: .fitResults, named: stem + ".json"))
      if let plotPath {
        result.files += try PlotFile.write(svg: plot.svg, data: plot.data, to: plotPath)
      } else {
        result.files.append(try store.writeOutput(Data(plot.svg.utf8), to: .plots, named: stem + ".svg"))
        result.files.append(try store.writeOutput(try OutputFile.json(plot.data), to: .plots, named: stem + ".json"))
      }
      if let friend = result.friend {
        let validation = try SWeightValidation(
          store: store, proc: proc, sample: sample, mode: mode, friend: friend, checks: sWeights!.checks, threads: threads)
        result.validation = validation
        result.files.append(try store.writeOutput(try OutputFile.json(validation), to: .validation, named: stem + ".json"))
      }
    case .file:
      if let plotPath { result.files += try PlotFile.write(svg: plot.svg, data: plot.data, to: plotPath) }
    }
    return result
  }

  var title: String {
    switch target {
    case .set(_, let proc, let sample): "\(mode.name) \(proc) \(sample)"
    case .file(let path): "\(mode.name) \(URL(fileURLWithPath: path).lastPathComponent)"
    }
  }

}

/// What a fit job did.
public struct FitJobResult: Sendable {
  public var fit: CalibrationFitResult
  public var summary: CalibrationFitSummary?
  public var friend: String?
  public var plot: FitPlotData?
  public var validation: SWeightValidation?
  /// Files written, in order.
  public var files: [String] = []

  init(fit: CalibrationFitResult) { self.fit = fit }
}

public enum FitJobError: Error, Sendable {
  /// sWeights are friend columns of a store set; a file has no set.
  case sWeightsNeedASet
}
