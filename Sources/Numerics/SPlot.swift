import Foundation

/// sWeights (Pivk & Le Diberder) for species with fixed shapes
/// (fits-and-splot.md §4): V⁻¹ from the explicit event sum, inverted, then
/// w_n(e) = Σ_j V_nj f_j(x_e)/D(x_e). Chunked and compensated, so results do
/// not depend on the number of threads.
public enum SPlot {
  /// Why sWeights could not be computed.
  public enum Failure: Error, Equatable {
    /// V⁻¹ is not positive definite (e.g. identical shapes or an empty species).
    case singularMatrix
    /// Refitting the yields did not reach the stationary point.
    case yieldRefitFailed
  }

  /// Computes sWeights for `data` (events outside the model's range get weight 0
  /// and are ignored). With `refitYields` (RooStats' step 2), the yields are first
  /// moved to the extended-ML stationary point with shapes fixed (Newton's method
  /// on the analytic gradient and Hessian), so Σ_n w_n(e) = 1.
  ///
  /// Work runs over fixed chunks of events in blocks of `block` events (cache-sized):
  /// one pass per Newton step for the V⁻¹ sums (the density's positivity checked in
  /// the same pass), one pass writing the weights (with their sums and the unit-sum check).
  public static func compute(model: ExtendedModel, data: [Double], weights eventWeights: [Double]? = nil,
                             refitYields: Bool = true, workers: Int? = nil,
                             chunkSize: Int = 16_384) throws -> SWeights {
    precondition(eventWeights == nil || eventWeights!.count == data.count)
    let k = model.species.count
    let n = data.count
    let threads = workers ?? ChunkedReduction.defaultWorkers
    let range = model.range
    let shapes = model.species.map { NormalizedShape($0.shape, over: range) }
    guard shapes.allSatisfy(\.isValid) else { throw Failure.singularMatrix }
    // f_k(x_e) for every event, species-major, stored where the weights will go; 0 outside the range
    var columns = [Double](repeating: 0, count: k * n)
    var inRange = [Bool](repeating: false, count: n)
    data.withUnsafeBufferPointer { xs in
      columns.withUnsafeMutableBufferPointer { out in
        inRange.withUnsafeMutableBufferPointer { flags in
          let o = UncheckedSendable(out), f = UncheckedSendable(flags)
          ChunkedReduction.forEachChunk(count: n, chunkSize: chunkSize, workers: threads) { _, r in
            var all = true
            for i in r {
              let inside = range.contains(xs[i])
              f.value[i] = inside
              all = all && inside
            }
            for s in 0..<k {
              let block = UnsafeMutableBufferPointer(rebasing: o.value[(s * n + r.lowerBound)..<(s * n + r.upperBound)])
              shapes[s].accumulate(UnsafeBufferPointer(rebasing: xs[r]), scale: 1, into: block)
              if !all { for i in r where !f.value[i] { o.value[s * n + i] = 0 } }
            }
          }
        }
      }
    }
    var yields = model.species.map(\.yield)
    let sums = { (y: [Double]) in
      Self.sums(columns: columns, yields: y, inRange: inRange, weights: eventWeights, workers: threads,
                chunkSize: chunkSize)
    }
    var (matrixInverse, ruleSums, _) = sums(yields)
    if refitYields {
      var converged = false
      for _ in 0..<50 {
        // NLL(N) = Σ N − Σ w ln D: gradient 1 − Σ w f/D (= 1 − rule), Hessian = V⁻¹
        guard isWellConditioned(matrixInverse), let v = SymmetricMatrix.inverse(matrixInverse) else {
          throw Failure.singularMatrix
        }
        let gradient = ruleSums.map { 1 - $0 }
        let delta = SymmetricMatrix.multiply(v, gradient).map { -$0 }
        var trial = zip(yields, delta).map { $0 + $1 }
        var next = sums(trial)
        var halvings = 0
        while !next.positive && halvings < 30 {
          trial = zip(yields, trial).map { 0.5 * ($0 + $1) }
          next = sums(trial)
          halvings += 1
        }
        yields = trial
        (matrixInverse, ruleSums) = (next.matrix, next.rule)
        let step = zip(delta, v.indices).map { abs($0) / max(v[$1][$1], 1e-300).squareRoot() }.max() ?? 0
        if step < 1e-10 { converged = true; break }
      }
      if !converged { throw Failure.yieldRefitFailed }
    }
    guard isWellConditioned(matrixInverse), let v = SymmetricMatrix.inverse(matrixInverse) else {
      throw Failure.singularMatrix
    }
    // w_n(e) = [w_e] Σ_j V_nj f_j / D, overwriting the f columns block by block
    let yieldsNow = yields
    let flat = v.flatMap { $0 }
    let partials: [(worst: Double, sums: [CompensatedSum])] = columns.withUnsafeMutableBufferPointer { cols in
      inRange.withUnsafeBufferPointer { flags in
        let c = UncheckedSendable(cols.baseAddress!), f = UncheckedSendable(flags.baseAddress!)
        return ChunkedReduction.map(count: n, chunkSize: chunkSize, workers: threads) { r in
          writeWeights(c.value, n: n, k: k, r, inRange: f.value, weights: eventWeights, yields: yieldsNow,
                       covariance: flat)
        }
      }
    }
    var sumOfWeights = [CompensatedSum](repeating: CompensatedSum(), count: k)
    var worst = 0.0
    for p in partials {
      worst = max(worst, p.worst)
      for s in 0..<k { sumOfWeights[s].add(p.sums[s]) }
    }
    return SWeights(speciesNames: model.species.map(\.name), yields: yields, covariance: v, eventCount: n,
                    storage: columns,
                    sumOfWeights: sumOfWeights.map(\.value), maxUnitSumDeviation: worst,
                    maximumLikelihoodSums: ruleSums)
  }

  /// Events per block of the sPlot passes.
  static let block = 256

  /// Over the events `r`: replaces f_s(x_e) by [w_e]·Σ_j V_sj f_j/D; returns max |Σ_s w_s − 1| and Σ_e w_s.
  static func writeWeights(_ c: UnsafeMutablePointer<Double>, n: Int, k: Int, _ r: Range<Int>,
                           inRange: UnsafePointer<Bool>, weights: [Double]?, yields: [Double],
                           covariance v: [Double]) -> (worst: Double, sums: [CompensatedSum]) {
    var worst = 0.0
    var totals = [CompensatedSum](repeating: CompensatedSum(), count: k)
    withUnsafeTemporaryAllocation(of: Double.self, capacity: (2 + k) * block) { buffer in
      let inverse = buffer.baseAddress!, unitSum = inverse + block, out = unitSum + block
      var start = r.lowerBound
      while start < r.upperBound {
        let end = min(start + block, r.upperBound)
        let m = end - start
        // 1/D, 0 outside the range
        for i in 0..<m { inverse[i] = 0; unitSum[i] = 0 }
        for s in 0..<k {
          let f = c + s * n + start
          let y = yields[s]
          for i in 0..<m { inverse[i] += y * f[i] }
        }
        for i in 0..<m { inverse[i] = inRange[start + i] ? 1 / inverse[i] : 0 }
        for s in 0..<k {
          let o = out + s * block
          for i in 0..<m { o[i] = 0 }
          for j in 0..<k {
            let f = c + j * n + start
            let vsj = v[s * k + j]
            for i in 0..<m { o[i] += vsj * f[i] }
          }
          for i in 0..<m {
            o[i] *= inverse[i]
            unitSum[i] += o[i]
          }
        }
        for i in 0..<m where inRange[start + i] { worst = max(worst, abs(unitSum[i] - 1)) }
        for s in 0..<k {
          let o = out + s * block, dst = c + s * n + start
          if let weights {
            for i in 0..<m { dst[i] = weights[start + i] * o[i] }
          } else {
            for i in 0..<m { dst[i] = o[i] }
          }
          var t = 0.0
          for i in 0..<m { t += dst[i] }
          totals[s].add(t)
        }
        start = end
      }
    }
    return (worst, totals)
  }

  /// (V⁻¹)_nj = Σ_e w_e f_n f_j / D², the ML sum rule Σ_e w_e f_j / D, and whether D > 0 for every in-range event.
  static func sums(columns: [Double], yields: [Double], inRange: [Bool], weights: [Double]?,
                   workers: Int, chunkSize: Int) -> (matrix: [[Double]], rule: [Double], positive: Bool) {
    let k = yields.count
    let n = inRange.count
    let partials = columns.withUnsafeBufferPointer { cols in
      inRange.withUnsafeBufferPointer { flags in
        let c = UncheckedSendable(cols.baseAddress!), f = UncheckedSendable(flags.baseAddress!)
        return ChunkedReduction.map(count: n, chunkSize: chunkSize, workers: workers) { r in
          blockSums(c.value, n: n, k: k, r, inRange: f.value, weights: weights, yields: yields)
        }
      }
    }
    var total = [CompensatedSum](repeating: CompensatedSum(), count: k * k + k)
    var positive = true
    for p in partials {
      positive = positive && p.positive
      for i in p.sums.indices { total[i].add(p.sums[i]) }
    }
    var m = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    for a in 0..<k { for b in a..<k { m[a][b] = total[a * k + b].value; m[b][a] = m[a][b] } }
    return (m, (0..<k).map { total[k * k + $0].value }, positive)
  }

  /// The sums of `sums` over the events `r`, one plain block sum per `block` events added to compensated totals.
  static func blockSums(_ c: UnsafePointer<Double>, n: Int, k: Int, _ r: Range<Int>, inRange: UnsafePointer<Bool>,
                        weights: [Double]?, yields: [Double]) -> (sums: [CompensatedSum], positive: Bool) {
    var acc = [CompensatedSum](repeating: CompensatedSum(), count: k * k + k)
    var positive = true
    withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * block) { buffer in
      let d = buffer.baseAddress!, ratio = d + block
      var start = r.lowerBound
      while start < r.upperBound {
        let end = min(start + block, r.upperBound)
        let m = end - start
        for i in 0..<m { d[i] = 0 }
        for s in 0..<k {
          let f = c + s * n + start
          let y = yields[s]
          for i in 0..<m { d[i] += y * f[i] }
        }
        // d ← 1/D and ratio = w/D (both 0 outside the range)
        var bad = 0
        for i in 0..<m {
          let inside = inRange[start + i]
          if inside && !(d[i] > 0) { bad += 1 }
          d[i] = inside ? 1 / d[i] : 0
          ratio[i] = (weights?[start + i] ?? 1) * d[i]
        }
        if bad > 0 { positive = false }
        for a in 0..<k {
          let fa = c + a * n + start
          var rule = 0.0
          for i in 0..<m { rule += ratio[i] * fa[i] }
          acc[k * k + a].add(rule)
          for b in a..<k {
            let fb = c + b * n + start
            var s = 0.0
            for i in 0..<m { s += ratio[i] * fa[i] * fb[i] * d[i] }
            acc[a * k + b].add(s)
          }
        }
        start = end
      }
    }
    return (acc, positive)
  }

  /// Positive definite with the unit-diagonal (correlation) form's smallest eigenvalue above 1e-10.
  static func isWellConditioned(_ m: [[Double]]) -> Bool {
    guard m.indices.allSatisfy({ m[$0][$0] > 0 }) else { return false }
    let scaled = m.indices.map { i in m.indices.map { j in m[i][j] / (m[i][i] * m[j][j]).squareRoot() } }
    return (SymmetricMatrix.eigenvalues(scaled).min() ?? 0) > 1e-10
  }
}

/// Per-event sWeights with the checks of fits-and-splot.md §4.3.
public struct SWeights: Sendable, Codable, Equatable {
  public var speciesNames: [String]
  /// The yields that entered D and V⁻¹ (refitted if requested).
  public var yields: [Double]
  /// V: the yield covariance with shapes fixed.
  public var covariance: [[Double]]
  /// The number of events (input order, out-of-range events included with weight 0).
  public var eventCount: Int
  /// All weights, species-major: species s, event e at s·eventCount + e.
  public var storage: [Double]
  /// Check 1: Σ_e w_n(e), equal to the yields by construction.
  public var sumOfWeights: [Double]
  /// Check 2: max_e |Σ_n w_n(e) − 1|, ≈ 0 only at the yields' stationary point.
  public var maxUnitSumDeviation: Double
  /// The ML sum rule Σ_e f_j/D per species (1 at the stationary point).
  public var maximumLikelihoodSums: [Double]

  /// The weights of species `s`, aligned with the input data (0 outside the range).
  public func weights(species s: Int) -> ArraySlice<Double> {
    storage[(s * eventCount)..<((s + 1) * eventCount)]
  }

  /// The weight of species `s` for event `e`.
  public subscript(species s: Int, event e: Int) -> Double { storage[s * eventCount + e] }
}
