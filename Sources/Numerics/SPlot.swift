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
    // f_k(x_e) for every event, species-major, stored where the weights will go; 0 outside the range.
    // The first V⁻¹ sums are taken in the same pass, while each chunk's columns are in cache.
    var yields = model.species.map(\.yield)
    let startYields = yields
    // 1 for events inside the range, 0 outside; not needed (empty) when every event is inside
    let allInside = data.allSatisfy { range.contains($0) }
    var inRange: [Double] = []
    var firstPartials: [(sums: [CompensatedSum], positive: Bool)] = []
    var columns = [Double](unsafeUninitializedCapacity: k * n) { out, initialized in
      data.withUnsafeBufferPointer { xs in
        // (both arrays uninitialised: every chunk writes its own part)
        inRange = [Double](unsafeUninitializedCapacity: allInside ? 0 : n) { flags, flagsInitialized in
          let o = UncheckedSendable(out), f = UncheckedSendable(allInside ? nil : flags.baseAddress)
          defer { flagsInitialized = allInside ? 0 : n }
          firstPartials = ChunkedReduction.map(count: n, chunkSize: chunkSize, workers: threads) { r in
            var all = true
            if let mask = f.value {
              for i in r {
                let inside = range.contains(xs[i])
                mask[i] = inside ? 1 : 0
                all = all && inside
              }
            }
            for s in 0..<k {
              let block = UnsafeMutableBufferPointer(rebasing: o.value[(s * n + r.lowerBound)..<(s * n + r.upperBound)])
              block.update(repeating: 0)
              shapes[s].accumulate(UnsafeBufferPointer(rebasing: xs[r]), scale: 1, into: block)
              if !all, let mask = f.value { for i in r where mask[i] == 0 { o.value[s * n + i] = 0 } }
            }
            return blockSums(o.value.baseAddress!, n: n, k: k, r, inRange: f.value.map { UnsafePointer($0) },
                             weights: eventWeights,
                             yields: startYields)
          }
        }
      }
      initialized = k * n
    }
    let sums = { (y: [Double]) in
      Self.sums(columns: columns, n: n, yields: y, inRange: inRange, weights: eventWeights, workers: threads,
                chunkSize: chunkSize)
    }
    var (matrixInverse, ruleSums, _) = combine(firstPartials, k: k)
    if refitYields {
      var converged = false
      for _ in 0..<50 {
        // NLL(N) = Σ N − Σ w ln D: gradient 1 − Σ w f/D (= 1 − rule), Hessian = V⁻¹
        guard isWellConditioned(matrixInverse), let v = SymmetricMatrix.inverse(matrixInverse) else {
          throw Failure.singularMatrix
        }
        let gradient = ruleSums.map { 1 - $0 }
        let delta = SymmetricMatrix.multiply(v, gradient).map { -$0 }
        // a Newton step below 1e-10 σ: the yields are at the stationary point (keep them and their sums)
        let step = zip(delta, v.indices).map { abs($0) / max(v[$1][$1], 1e-300).squareRoot() }.max() ?? 0
        if step < 1e-10 { converged = true; break }
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
        let c = UncheckedSendable(cols.baseAddress!), f = UncheckedSendable(flags.isEmpty ? nil : flags.baseAddress)
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
                           inRange: UnsafePointer<Double>?, weights: [Double]?, yields: [Double],
                           covariance v: [Double]) -> (worst: Double, sums: [CompensatedSum]) {
    withOptionalPointer(weights) { weights in
      var worst = SIMD4<Double>(repeating: 0)
      var worstTail = 0.0
      var totals = [CompensatedSum](repeating: CompensatedSum(), count: k)
      withUnsafeTemporaryAllocation(of: Double.self, capacity: (3 + k) * block) { buffer in
        let inverse = buffer.baseAddress!, ratio = inverse + block, unitSum = ratio + block, out = unitSum + block
        var start = r.lowerBound
        while start < r.upperBound {
          let end = min(start + block, r.upperBound)
          let m = end - start
          _ = densities(c, n: n, k: k, start: start, count: m, inside: inRange, weights: nil, yields: yields,
                        inverse: inverse, ratio: ratio)
          for i in 0..<m { unitSum[i] = 0 }
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
          // |Σ_s w_s − 1| inside the range (outside, Σ = 0 and the mask 0)
          let mask = inRange.map { $0 + start }
          var i = 0
          while i + 4 <= m {
            var u = UnsafeRawPointer(unitSum + i).loadUnaligned(as: SIMD4<Double>.self) - 1
            u.replace(with: -u, where: u .< 0)
            if let mask { u *= UnsafeRawPointer(mask + i).loadUnaligned(as: SIMD4<Double>.self) }
            worst = pointwiseMax(worst, u)
            i += 4
          }
          while i < m {
            worstTail = max(worstTail, abs(unitSum[i] - 1) * (mask?[i] ?? 1))
            i += 1
          }
          for s in 0..<k {
            let o = out + s * block, dst = c + s * n + start
            if let weights {
              for i in 0..<m { dst[i] = weights[start + i] * o[i] }
            } else {
              for i in 0..<m { dst[i] = o[i] }
            }
            totals[s].add(ExtendedNLL.laneSum(dst, m))
          }
          start = end
        }
      }
      return (max(worst.max(), worstTail), totals)
    }
  }

  /// D = Σ_s N_s f_s for `count` events from `start`: inverse = 1/D and ratio = w/D inside
  /// the range, 0 outside (`inside`: the 0/1 mask, nil when every event is inside).
  /// Returns whether D > 0 for every event inside.
  @inline(__always)
  static func densities(_ c: UnsafePointer<Double>, n: Int, k: Int, start: Int, count m: Int,
                        inside: UnsafePointer<Double>?, weights: UnsafePointer<Double>?, yields: [Double],
                        inverse: UnsafeMutablePointer<Double>, ratio: UnsafeMutablePointer<Double>) -> Bool {
    let first = c + start, y0 = yields[0]
    for i in 0..<m { inverse[i] = y0 * first[i] }
    for s in 1..<max(k, 1) {
      let f = c + s * n + start
      let y = yields[s]
      for i in 0..<m { inverse[i] += y * f[i] }
    }
    var positive = true
    var i = 0
    guard let inside else {
      while i + 4 <= m {
        let d = UnsafeRawPointer(inverse + i).loadUnaligned(as: SIMD4<Double>.self)
        if any(.!(d .> 0)) { positive = false }
        let inv = 1 / d
        UnsafeMutableRawPointer(inverse + i).storeBytes(of: inv, as: SIMD4<Double>.self)
        let w = weights.map { UnsafeRawPointer($0 + start + i).loadUnaligned(as: SIMD4<Double>.self) }
          ?? SIMD4<Double>(repeating: 1)
        UnsafeMutableRawPointer(ratio + i).storeBytes(of: w * inv, as: SIMD4<Double>.self)
        i += 4
      }
      while i < m {
        if !(inverse[i] > 0) { positive = false }
        inverse[i] = 1 / inverse[i]
        ratio[i] = (weights?[start + i] ?? 1) * inverse[i]
        i += 1
      }
      return positive
    }
    let mask = inside + start
    while i + 4 <= m {
      let d = UnsafeRawPointer(inverse + i).loadUnaligned(as: SIMD4<Double>.self)
      let q = UnsafeRawPointer(mask + i).loadUnaligned(as: SIMD4<Double>.self)
      if any((q .> 0) .& .!(d .> 0)) { positive = false }
      // outside: D = 0 and the mask 0, so 0/(0 + 1)
      let inv = q / (d + (1 - q))
      UnsafeMutableRawPointer(inverse + i).storeBytes(of: inv, as: SIMD4<Double>.self)
      let w = weights.map { UnsafeRawPointer($0 + start + i).loadUnaligned(as: SIMD4<Double>.self) }
        ?? SIMD4<Double>(repeating: 1)
      UnsafeMutableRawPointer(ratio + i).storeBytes(of: w * inv, as: SIMD4<Double>.self)
      i += 4
    }
    while i < m {
      let d = inverse[i], q = mask[i]
      if q > 0 && !(d > 0) { positive = false }
      inverse[i] = q / (d + (1 - q))
      ratio[i] = (weights?[start + i] ?? 1) * inverse[i]
      i += 1
    }
    return positive
  }

  /// (V⁻¹)_nj = Σ_e w_e f_n f_j / D², the ML sum rule Σ_e w_e f_j / D, and whether D > 0 for every in-range event.
  static func sums(columns: [Double], n: Int, yields: [Double], inRange: [Double], weights: [Double]?,
                   workers: Int, chunkSize: Int) -> (matrix: [[Double]], rule: [Double], positive: Bool) {
    let k = yields.count
    let partials = columns.withUnsafeBufferPointer { cols in
      inRange.withUnsafeBufferPointer { flags in
        let c = UncheckedSendable(cols.baseAddress!), f = UncheckedSendable(flags.isEmpty ? nil : flags.baseAddress)
        return ChunkedReduction.map(count: n, chunkSize: chunkSize, workers: workers) { r in
          blockSums(c.value, n: n, k: k, r, inRange: f.value, weights: weights, yields: yields)
        }
      }
    }
    return combine(partials, k: k)
  }

  /// Per-chunk sums combined in chunk order.
  static func combine(_ partials: [(sums: [CompensatedSum], positive: Bool)], k: Int)
    -> (matrix: [[Double]], rule: [Double], positive: Bool)
  {
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

  /// The sums of `sums` over the events `r`: per block of `block` events, lane-parallel
  /// dot products added to compensated totals.
  static func blockSums(_ c: UnsafePointer<Double>, n: Int, k: Int, _ r: Range<Int>, inRange: UnsafePointer<Double>?,
                        weights: [Double]?, yields: [Double]) -> (sums: [CompensatedSum], positive: Bool) {
    withOptionalPointer(weights) { weights in
      var acc = [CompensatedSum](repeating: CompensatedSum(), count: k * k + k)
      var positive = true
      withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * block) { buffer in
        let inverse = buffer.baseAddress!, ratio = inverse + block, g = ratio + block
        var start = r.lowerBound
        while start < r.upperBound {
          let end = min(start + block, r.upperBound)
          let m = end - start
          if !densities(c, n: n, k: k, start: start, count: m, inside: inRange, weights: weights, yields: yields,
                        inverse: inverse, ratio: ratio) { positive = false }
          for a in 0..<k {
            let fa = c + a * n + start
            acc[k * k + a].add(ExtendedNLL.dot(ratio, fa, m))
            for i in 0..<m { g[i] = ratio[i] * inverse[i] * fa[i] }
            for b in a..<k { acc[a * k + b].add(ExtendedNLL.dot(g, c + b * n + start, m)) }
          }
          start = end
        }
      }
      return (acc, positive)
    }
  }

  /// body(pointer to the array's elements, or nil).
  @inline(__always)
  static func withOptionalPointer<R>(_ a: [Double]?, _ body: (UnsafePointer<Double>?) -> R) -> R {
    guard let a else { return body(nil) }
    return a.withUnsafeBufferPointer { body($0.baseAddress) }
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
