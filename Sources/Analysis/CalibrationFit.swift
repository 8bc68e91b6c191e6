import ColumnStore
import Foundation
import Modes
import Numerics
import Query

/// The mass fit of a calibration sample, as the framework runs it: gather the
/// fit variable of the selected rows (one query reading one column plus the
/// cut's), fit the nominal model and the systematic alternative, and on
/// request compute sWeights of both and add them to the set as friend columns.
public struct CalibrationFit: Sendable {
  public var model: MassModel
  /// The fit variable (default: the model's column).
  public var column: String
  public var threads: Int?
  /// Bins of a binned fit, or nil for unbinned.
  public var bins: Int?

  public init(model: MassModel, column: String? = nil, threads: Int? = nil, bins: Int? = nil) {
    self.model = model
    self.column = column ?? model.column
    self.threads = threads
    self.bins = bins
  }

  /// What the fit reads from the selected rows (a mergeable aggregate: a
  /// sharded fit gathers it shard by shard).
  public var sampleAggregate: FitSampleAggregate { FitSampleAggregate(column, lo: model.lo, hi: model.hi) }

  /// Runs the fits on the rows `query` selects (its weight, if any, weights the fit).
  /// - Throws: `MassFitError` (empty selection, nothing in range, no
  ///   convergence of either model) or the query's `QueryError`.
  public func run(_ query: Query) throws -> CalibrationFitResult {
    try fit(try query.run(sampleAggregate, threads: threads), rowCount: query.source.rowCount, cut: query.cut)
  }

  /// What a binned fit reads instead (its shards send histograms, not events); nil when unbinned.
  /// - Throws: `MassFitError.binCount` for a bin count out of bounds (before any histogram is made).
  public func histogramAggregate() throws -> FitHistogramAggregate? {
    guard let bins else { return nil }
    guard (2...MassFit.maximumBins).contains(bins) else { throw MassFitError.binCount(bins, maximum: MassFit.maximumBins) }
    return FitHistogramAggregate(column, lo: model.lo, hi: model.hi, bins: bins)
  }

  /// Runs the fits on a gathered sample (of a source of `rowCount` rows, selected by `cut`).
  /// - Throws: `MassFitError` as `run`.
  public func fit(_ sample: FitSampleAggregate.Result, rowCount: Int, cut: String) throws -> CalibrationFitResult {
    guard sample.count + sample.outside > 0 else { throw MassFitError.emptySelection(cut: cut) }
    let (nominal, systematic) = try fitBoth { try $0.fit(sample) }
    return CalibrationFitResult(sample: sample, nominal: nominal, systematic: systematic, rowCount: rowCount)
  }

  /// Runs the binned fits on the histogram of `histogramAggregate`; `sample`,
  /// when gathered too, is kept for sWeights.
  /// - Throws: `MassFitError` as `run`.
  public func fit(histogram: FitHistogramAggregate.Result, sample: FitSampleAggregate.Result? = nil, rowCount: Int, cut: String)
    throws -> CalibrationFitResult
  {
    guard histogram.entries + histogram.outside > 0 else { throw MassFitError.emptySelection(cut: cut) }
    let (nominal, systematic) = try fitBoth { try $0.fit(histogram: histogram) }
    var result = CalibrationFitResult(sample: sample, nominal: nominal, systematic: systematic, rowCount: rowCount)
    result.histogram = histogram
    return result
  }

  func fitBoth(_ body: (MassFit) throws -> MassFitOutcome) throws -> (MassFitOutcome, MassFitOutcome?) {
    var nominalModel = model
    nominalModel.column = column
    let nominal = try body(MassFit(model: nominalModel, threads: threads, bins: bins))
    let systematic = try model.alternative.map { alt -> MassFitOutcome in
      var m = alt
      m.column = column
      return try body(MassFit(model: m, threads: threads, bins: bins))
    }
    return (nominal, systematic)
  }
}

/// Both fits of a calibration sample and the sample itself.
public struct CalibrationFitResult: Sendable {
  /// The events (nil for a binned fit of a histogram alone: no sWeights then).
  public var sample: FitSampleAggregate.Result?
  /// The binned fit's histogram.
  public var histogram: FitHistogramAggregate.Result?
  public var nominal: MassFitOutcome
  public var systematic: MassFitOutcome?
  /// Rows of the source (the length of friend columns).
  public var rowCount: Int

  /// sWeights of both models.
  /// - Throws: `MassFitError.noSystematicModel` when the mode has no
  ///   alternative model, `SPlot.Failure` when V⁻¹ is singular.
  public func sWeights(threads: Int? = nil) throws -> SWeightColumns {
    guard let systematic else { throw MassFitError.noSystematicModel }
    guard let sample else { throw MassFitError.sWeightsNeedEvents }
    return try SWeightColumns(nominal: nominal.model, systematic: systematic.model, sample: sample, threads: threads)
  }

  /// The JSON of `fit_results/…`: both fits' reports and, when computed, the sPlot checks.
  public func summary(sWeights: SWeightColumns? = nil, friend: String? = nil) -> CalibrationFitSummary {
    CalibrationFitSummary(nominal: nominal.report, systematic: systematic?.report, splot: sWeights?.checks, sweights: friend)
  }
}

/// What a calibration fit leaves in `fit_results/{proc}_{mode}_{sample}.json`.
public struct CalibrationFitSummary: Sendable, Codable, Equatable {
  public var nominal: MassFitReport
  public var systematic: MassFitReport?
  public var splot: SPlotChecks?
  /// The friend set the sWeights were written to (`sweights_v2`).
  public var sweights: String?
}
