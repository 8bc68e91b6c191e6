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
  /// Each species' normalised density at every event, kept while its shape
  /// parameters do not change: MINUIT's numerical gradient moves one
  /// parameter at a time, so most calls recompute one species or none.
  let cache = SpeciesDensityCache()

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
    let yields = prepared.yields
    let logSum = data.isEmpty ? CompensatedSum() : cache.withColumns(
      for: model, prepared: prepared, data: data, chunkSize: chunkSize, workers: workers
    ) { columns in
      ChunkedReduction.sum(count: data.count, chunkSize: chunkSize, workers: workers) { r in
        Self.sumLogDensity(columns, yields, r, weights: weights, typicalDensity: typicalDensity)
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

  /// Σ w ln D over the events `r`, D = Σ_k N_k f_k from the cached columns, in blocks of 512 events.
  static func sumLogDensity(_ columns: [UnsafePointer<Double>], _ yields: [Double], _ r: Range<Int>, weights: [Double]?,
                            typicalDensity: Double) -> CompensatedSum {
    var total = CompensatedSum()
    let block = 512
    withUnsafeTemporaryAllocation(of: Double.self, capacity: block) { d in
      var start = r.lowerBound
      while start < r.upperBound {
        let end = min(start + block, r.upperBound)
        let count = end - start
        let out = UnsafeMutableBufferPointer(rebasing: d[0..<count])
        // D = Σ_k N_k f_k, species in model order (the same sum for any chunking)
        let first = columns[0] + start
        for j in 0..<count { out[j] = yields[0] * first[j] }
        for k in 1..<columns.count {
          let f = columns[k] + start
          let n = yields[k]
          for j in 0..<count { out[j] += n * f[j] }
        }
        // ln D in place: four lanes when all are normal, positive and finite
        var i = 0
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
        // four independent lanes (a serial sum would wait on each add)
        let s: Double
        if let weights {
          s = weights.withUnsafeBufferPointer { dot($0.baseAddress! + start, out.baseAddress!, count) }
        } else {
          s = laneSum(out.baseAddress!, count)
        }
        total.add(s)
        start = end
      }
    }
    return total
  }
}

/// The normalised density of each species at every event, recomputed only
/// for species whose shape (kind and parameter values) changed since the
/// last call. Values do not depend on the call history: a column is always
/// computed the same way from its shape.
final class SpeciesDensityCache: @unchecked Sendable {
  private let lock = NSLock()
  private var shapes: [Shape] = []
  private var storage: [[Double]] = []

  /// Calls `body` with one column per species (data must not be empty), under the cache's lock.
  func withColumns<R>(for model: ExtendedModel, prepared: PreparedModel, data: [Double], chunkSize: Int, workers: Int,
                      _ body: ([UnsafePointer<Double>]) -> R) -> R
  {
    lock.lock()
    defer { lock.unlock() }
    let k = model.species.count
    if shapes.count != k || storage.count != k || storage.first?.count != data.count {
      shapes = []
      storage = Array(repeating: [Double](repeating: 0, count: data.count), count: k)
    }
    for s in 0..<k where s >= shapes.count || shapes[s] != model.species[s].shape {
      let shape = prepared.shapes[s]
      data.withUnsafeBufferPointer { xs in
        storage[s].withUnsafeMutableBufferPointer { out in
          let o = UncheckedSendable(out)
          ChunkedReduction.forEachChunk(count: xs.count, chunkSize: chunkSize, workers: workers) { _, r in
            let block = UnsafeMutableBufferPointer(rebasing: o.value[r])
            block.update(repeating: 0)
            shape.accumulate(UnsafeBufferPointer(rebasing: xs[r]), scale: 1, into: block)
          }
        }
      }
    }
    shapes = model.species.map(\.shape)
    func go(_ i: Int, _ acc: [UnsafePointer<Double>]) -> R {
      if i == storage.count { return body(acc) }
      return storage[i].withUnsafeBufferPointer { go(i + 1, acc + [$0.baseAddress!]) }
    }
    return go(0, [])
  }
}

// MARK: - Analytic gradient

extension ExtendedNLL {
  /// Whether every shape of `model` has analytic derivatives (then `valueAndGradient` is available).
  public func hasAnalyticGradient(_ model: ExtendedModel) -> Bool {
    model.species.allSatisfy { $0.shape.hasAnalyticDerivatives }
  }

  /// −ln L and its gradient with respect to every model parameter, in the order
  /// yield, shape parameters… per species (`ExtendedModelFit.parameters`), in one
  /// pass over the events: ∂/∂N_k = 1 − Σ_e w_e f_k/D, ∂/∂θ = −N_k Σ_e w_e (∂f_k/∂θ)/D,
  /// with ∂f_k/∂θ including the derivative of f_k's normalisation over the range.
  /// Chunked and compensated like `value`, so the result does not depend on `workers`.
  /// nil when a shape has no analytic derivatives.
  public func valueAndGradient(_ model: ExtendedModel) -> (value: Double, gradient: [Double])? {
    precondition(model.range == range, "model range \(model.range) ≠ NLL range \(range)")
    var shapes: [any DifferentiableShape] = []
    for s in model.species {
      guard let d = s.shape.differentiable(over: range) else { return nil }
      shapes.append(d)
    }
    let yields = model.species.map(\.yield)
    let counts = shapes.map(\.parameterCount)
    // gradient layout: per species, yield then its shape parameters
    var offsets: [Int] = []
    var total = 0
    for c in counts {
      offsets.append(total)
      total += 1 + c
    }
    guard shapes.allSatisfy(\.isValid), yields.allSatisfy(\.isFinite) else {
      return (Self.invalidModelValue, [Double](repeating: 0, count: total))
    }
    let typicalDensity = max(abs(model.totalYield), 1) / range.width
    // accumulators: [0] Σ w ln D, then per gradient slot Σ w·(∂ ln D/∂D)·(f_k or ∂f_k/∂θ)
    let partials: [[CompensatedSum]] = data.isEmpty ? [] : data.withUnsafeBufferPointer { xs in
      let x = UncheckedSendable(xs)
      return ChunkedReduction.map(count: data.count, chunkSize: chunkSize, workers: workers) { r in
        Self.gradientSums(x.value, r, weights: weights, shapes: shapes, yields: yields, offsets: offsets,
                          slots: total, typicalDensity: typicalDensity)
      }
    }
    var sums = [CompensatedSum](repeating: CompensatedSum(), count: total + 1)
    for p in partials { for i in p.indices { sums[i].add(p[i]) } }
    let nll = model.totalYield - sums[0].value
    guard nll.isFinite else { return (Self.invalidModelValue, [Double](repeating: 0, count: total)) }
    var gradient = [Double](repeating: 0, count: total)
    for k in shapes.indices {
      let o = offsets[k]
      gradient[o] = 1 - sums[1 + o].value
      for j in 0..<counts[k] { gradient[o + 1 + j] = -yields[k] * sums[2 + o + j].value }
    }
    return (nll, gradient)
  }

  /// The sums of `valueAndGradient` over the events `r`, in blocks of 256 events.
  static func gradientSums(_ xs: UnsafeBufferPointer<Double>, _ r: Range<Int>, weights: [Double]?,
                           shapes: [any DifferentiableShape], yields: [Double], offsets: [Int], slots: Int,
                           typicalDensity: Double) -> [CompensatedSum] {
    guard let weights else {
      return gradientSums(xs, r, weights: nil as UnsafePointer<Double>?, shapes: shapes, yields: yields,
                          offsets: offsets, slots: slots, typicalDensity: typicalDensity)
    }
    return weights.withUnsafeBufferPointer { w in
      gradientSums(xs, r, weights: w.baseAddress, shapes: shapes, yields: yields, offsets: offsets, slots: slots,
                   typicalDensity: typicalDensity)
    }
  }

  static func gradientSums(_ xs: UnsafeBufferPointer<Double>, _ r: Range<Int>, weights: UnsafePointer<Double>?,
                           shapes: [any DifferentiableShape], yields: [Double], offsets: [Int], slots: Int,
                           typicalDensity: Double) -> [CompensatedSum] {
    let block = 256
    let k = shapes.count
    // per species: density column then its derivative columns; then D, r = w·∂lnD/∂D, and scratch
    let scratchColumns = shapes.map(\.scratchColumns).max() ?? 0
    let columns = slots + 2 + scratchColumns
    var totals = [CompensatedSum](repeating: CompensatedSum(), count: slots + 1)
    withUnsafeTemporaryAllocation(of: Double.self, capacity: columns * block) { buffer in
      let base = buffer.baseAddress!
      let d = base + slots * block, ratio = d + block, scratch = ratio + block
      var start = r.lowerBound
      while start < r.upperBound {
        let end = min(start + block, r.upperBound)
        let n = end - start
        let x = xs.baseAddress! + start
        for s in 0..<k {
          let column = base + offsets[s] * block
          shapes[s].evaluate(x, count: n, density: column, derivatives: column + block, stride: block,
                             scratch: scratch)
        }
        // D = Σ_k N_k f_k in model order
        let first = base + offsets[0] * block
        let y0 = yields[0]
        for i in 0..<n { d[i] = y0 * first[i] }
        for s in 1..<max(k, 1) {
          let f = base + offsets[s] * block
          let y = yields[s]
          for i in 0..<n { d[i] += y * f[i] }
        }
        totals[0].add(logSumAndRatio(d, ratio, n, weights: weights.map { $0 + start }, typicalDensity: typicalDensity))
        for slot in 0..<slots { totals[1 + slot].add(dot(ratio, base + slot * block, n)) }
        start = end
      }
    }
    return totals
  }

  /// Σ w ln D over `n` densities (the penalty of `value` for D ≤ 0), writing ratio = w·∂(ln D)/∂D.
  /// Four independent lanes, combined at the end: the result depends only on n.
  @inline(__always)
  static func logSumAndRatio(_ d: UnsafeMutablePointer<Double>, _ ratio: UnsafeMutablePointer<Double>, _ n: Int,
                             weights: UnsafePointer<Double>?, typicalDensity: Double) -> Double {
    @inline(__always) func scalar(_ i: Int) -> Double {
      let w = weights?[i] ?? 1
      let di = d[i]
      if di >= Double.leastNormalMagnitude && di < .infinity {
        ratio[i] = w / di
        return w * fastLog(di)
      }
      if di > 0 && di.isFinite {
        ratio[i] = w / di
        return w * log(di)
      }
      // penalty −(1000 + min(|D|/typical, 1e6)): slope −sign(D)/typical below the cap
      ratio[i] = di < 0 && -di / typicalDensity < 1e6 ? w / typicalDensity : 0
      return w * logOrPenalty(di, typicalDensity)
    }
    var lanes = SIMD4<Double>(repeating: 0)
    var i = 0
    if vectorKernels {
      while i + 4 <= n {
        let dv = UnsafeRawPointer(d + i).loadUnaligned(as: SIMD4<Double>.self)
        let wv = weights.map { UnsafeRawPointer($0 + i).loadUnaligned(as: SIMD4<Double>.self) }
          ?? SIMD4<Double>(repeating: 1)
        if all(dv .>= Double.leastNormalMagnitude) && all(dv .< Double.infinity) {
          lanes += wv * fastLog(dv)
          UnsafeMutableRawPointer(ratio + i).storeBytes(of: wv / dv, as: SIMD4<Double>.self)
        } else {
          lanes += SIMD4(scalar(i), scalar(i + 1), scalar(i + 2), scalar(i + 3))
        }
        i += 4
      }
    }
    var tail = 0.0
    while i < n {
      tail += scalar(i)
      i += 1
    }
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + tail
  }

  /// Σ a[i] in four independent lanes (the result depends only on n).
  @inline(__always)
  static func laneSum(_ a: UnsafePointer<Double>, _ n: Int) -> Double {
    var lanes = SIMD4<Double>(repeating: 0)
    var i = 0
    while i + 4 <= n {
      lanes += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD4<Double>.self)
      i += 4
    }
    var tail = 0.0
    while i < n {
      tail += a[i]
      i += 1
    }
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + tail
  }

  /// Σ a[i]·b[i] in eight independent lanes (two four-lane accumulators, so the adds
  /// overlap; the result depends only on n).
  @inline(__always)
  static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var lanes = SIMD4<Double>(repeating: 0), more = SIMD4<Double>(repeating: 0)
    var i = 0
    while i + 8 <= n {
      lanes += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD4<Double>.self)
        * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD4<Double>.self)
      more += UnsafeRawPointer(a + i + 4).loadUnaligned(as: SIMD4<Double>.self)
        * UnsafeRawPointer(b + i + 4).loadUnaligned(as: SIMD4<Double>.self)
      i += 8
    }
    var tail = 0.0
    while i < n {
      tail += a[i] * b[i]
      i += 1
    }
    lanes += more
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + tail
  }
}
