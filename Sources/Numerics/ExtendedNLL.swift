import Foundation

/// RooFit's extended unbinned negative log-likelihood (offsetting off):
/// −ln L = Σ_k N_k − Σ_e w_e ln D(x_e), D = Σ_k N_k f_k (fits-and-splot.md §2).
///
/// Events outside the range are dropped at construction. The sum runs in
/// parallel over fixed chunks combined in order with compensated sums, so the
/// value is bit-identical for any `workers`.
public struct ExtendedNLL: Sendable {
  public let range: FitRange
  /// The in-range events.
  public let data: [Double]
  /// Per-event weights of the in-range events (nil: unweighted).
  public let weights: [Double]?
  /// Events outside the range that were dropped.
  public let droppedEvents: Int
  /// Threads used by `value`; the result does not depend on it.
  public var workers: Int
  /// Events per parallel chunk; the result depends on it only at the last bit.
  public let chunkSize: Int

  /// Keeps the events of `data` (and their `weights`) inside `range`.
  public init(data: [Double], weights: [Double]? = nil, range: FitRange,
              workers: Int? = nil, chunkSize: Int = 16_384) {
    precondition(weights == nil || weights!.count == data.count, "weights and data differ in length")
    precondition(chunkSize > 0)
    var kept: [Double] = [], keptWeights: [Double] = []
    kept.reserveCapacity(data.count)
    for i in data.indices where range.contains(data[i]) {
      kept.append(data[i])
      if let w = weights { keptWeights.append(w[i]) }
    }
    self.range = range
    self.data = kept
    self.weights = weights == nil ? nil : keptWeights
    droppedEvents = data.count - kept.count
    self.workers = workers ?? ChunkedReduction.defaultWorkers
    self.chunkSize = chunkSize
  }

  /// Σ w (the number of events when unweighted).
  public var sumOfWeights: Double {
    guard let weights else { return Double(data.count) }
    var s = CompensatedSum()
    for w in weights { s.add(w) }
    return s.value
  }

  /// Value returned for a model whose normalisation is ≤ 0 or not finite.
  public static let invalidModelValue = 1e30
  /// −ln D charged for an event with D ≤ 0 (plus a slope in |D|), finite and worse than any valid event.
  static let nonPositiveDensityCost = 1000.0

  /// −ln L for `model` (its range must equal `range`).
  public func value(_ model: ExtendedModel) -> Double {
    precondition(model.range == range, "model range \(model.range) ≠ NLL range \(range)")
    let prepared = PreparedModel(model)
    guard prepared.isValid else { return Self.invalidModelValue }
    let typicalDensity = max(abs(model.totalYield), 1) / range.width
    let logSum = data.withUnsafeBufferPointer { xs in
      ChunkedReduction.sum(count: xs.count, chunkSize: chunkSize, workers: workers) { r in
        Self.sumLogDensity(prepared, UnsafeBufferPointer(rebasing: xs[r]), weights: weights.map { Array($0[r]) },
                           typicalDensity: typicalDensity)
      }
    }
    let nll = model.totalYield - logSum.value
    return nll.isFinite ? nll : Self.invalidModelValue
  }

  /// ln D, or for D ≤ 0 (or not finite) a finite penalty worse than any valid event.
  @inline(__always)
  static func logOrPenalty(_ d: Double, _ typicalDensity: Double) -> Double {
    if d >= Double.leastNormalMagnitude && d < .infinity { return fastLog(d) }
    if d > 0 && d.isFinite { return log(d) }
    return -(nonPositiveDensityCost + min(abs(d) / typicalDensity, 1e6))
  }

  /// Σ w ln D over one chunk, in blocks of 512 events.
  static func sumLogDensity(_ model: PreparedModel, _ x: UnsafeBufferPointer<Double>, weights: [Double]?,
                            typicalDensity: Double) -> CompensatedSum {
    var total = CompensatedSum()
    let block = 512
    withUnsafeTemporaryAllocation(of: Double.self, capacity: block) { d in
      var start = 0
      while start < x.count {
        let end = min(start + block, x.count)
        let out = UnsafeMutableBufferPointer(rebasing: d[0..<(end - start)])
        model.fillDensity(UnsafeBufferPointer(rebasing: x[start..<end]), into: out)
        // ln D in place: four lanes when all are normal, positive and finite
        var i = 0
        let count = out.count
        if vectorKernels, let op = out.baseAddress {
          while i + 4 <= count {
            let dv = UnsafeRawPointer(op + i).loadUnaligned(as: SIMD4<Double>.self)
            if all(dv .>= Double.leastNormalMagnitude) && all(dv .< Double.infinity) {
              UnsafeMutableRawPointer(op + i).storeBytes(of: fastLog(dv), as: SIMD4<Double>.self)
            } else {
              for j in i..<(i + 4) { out[j] = logOrPenalty(out[j], typicalDensity) }
            }
            i += 4
          }
        }
        while i < count {
          out[i] = logOrPenalty(out[i], typicalDensity)
          i += 1
        }
        var s = 0.0
        if let weights {
          for j in 0..<count { s += weights[start + j] * out[j] }
        } else {
          for j in 0..<count { s += out[j] }
        }
        total.add(s)
        start = end
      }
    }
    return total
  }
}
