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
  public static func compute(model: ExtendedModel, data: [Double], weights eventWeights: [Double]? = nil,
                             refitYields: Bool = true, workers: Int? = nil,
                             chunkSize: Int = 16_384) throws -> SWeights {
    precondition(eventWeights == nil || eventWeights!.count == data.count)
    let k = model.species.count
    let n = data.count
    let threads = workers ?? ChunkedReduction.defaultWorkers
    let range = model.range
    let shapes = model.species.map { NormalizedShape($0.shape, over: range) }
    // f_k(x_e) for every event, species-major, stored where the weights will go
    var columns = [Double](repeating: 0, count: k * n)
    if let bad = shapes.firstIndex(where: { !$0.isValid }) { _ = bad; throw Failure.singularMatrix }
    data.withUnsafeBufferPointer { xs in
      columns.withUnsafeMutableBufferPointer { out in
        let o = UncheckedSendable(out)
        ChunkedReduction.forEachChunk(count: n, chunkSize: chunkSize, workers: threads) { _, r in
          for s in 0..<k {
            let block = UnsafeMutableBufferPointer(rebasing: o.value[(s * n + r.lowerBound)..<(s * n + r.upperBound)])
            block.update(repeating: 0)
            shapes[s].accumulate(UnsafeBufferPointer(rebasing: xs[r]), scale: 1, into: block)
            for i in r where !range.contains(xs[i]) { o.value[s * n + i] = 0 }
          }
        }
      }
    }
    let inRange = data.map { range.contains($0) }
    var yields = model.species.map(\.yield)
    let sums = { (y: [Double]) in
      Self.sums(columns: columns, yields: y, inRange: inRange, weights: eventWeights, workers: threads,
                chunkSize: chunkSize)
    }
    var (matrixInverse, ruleSums) = sums(yields)
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
        var halvings = 0
        while !densityIsPositive(columns: columns, yields: trial, inRange: inRange) && halvings < 30 {
          trial = zip(yields, trial).map { 0.5 * ($0 + $1) }
          halvings += 1
        }
        yields = trial
        (matrixInverse, ruleSums) = sums(yields)
        let step = zip(delta, v.indices).map { abs($0) / max(v[$1][$1], 1e-300).squareRoot() }.max() ?? 0
        if step < 1e-10 { converged = true; break }
      }
      if !converged { throw Failure.yieldRefitFailed }
    }
    guard isWellConditioned(matrixInverse), let v = SymmetricMatrix.inverse(matrixInverse) else {
      throw Failure.singularMatrix
    }
    // w_n(e) = [w_e] Σ_j V_nj f_j / D, overwriting the f columns event by event
    let yieldsNow = yields
    let deviations: [Double] = columns.withUnsafeMutableBufferPointer { cols in
      let c = UncheckedSendable(cols)
      return ChunkedReduction.map(count: n, chunkSize: chunkSize, workers: threads) { r in
        var worst = 0.0
        var f = [Double](repeating: 0, count: k)
        for e in r {
          guard inRange[e] else { continue }
          var d = 0.0
          for s in 0..<k { f[s] = c.value[s * n + e]; d += yieldsNow[s] * f[s] }
          let we = eventWeights?[e] ?? 1
          var total = 0.0
          for s in 0..<k {
            var w = 0.0
            for j in 0..<k { w += v[s][j] * f[j] }
            w = w / d
            total += w
            c.value[s * n + e] = we * w
          }
          worst = max(worst, abs(total - 1))
        }
        return worst
      }
    }
    let sumOfWeights = (0..<k).map { s in
      var t = CompensatedSum()
      for e in 0..<n { t.add(columns[s * n + e]) }
      return t.value
    }
    return SWeights(speciesNames: model.species.map(\.name), yields: yields, covariance: v, eventCount: n,
                    storage: columns,
                    sumOfWeights: sumOfWeights, maxUnitSumDeviation: deviations.max() ?? 0,
                    maximumLikelihoodSums: ruleSums)
  }

  /// (V⁻¹)_nj = Σ_e w_e f_n f_j / D² and the ML sum rule Σ_e w_e f_j / D.
  static func sums(columns: [Double], yields: [Double], inRange: [Bool], weights: [Double]?,
                   workers: Int, chunkSize: Int) -> ([[Double]], [Double]) {
    let k = yields.count
    let n = inRange.count
    let partials = ChunkedReduction.map(count: n, chunkSize: chunkSize, workers: workers) { r -> [CompensatedSum] in
      var acc = [CompensatedSum](repeating: CompensatedSum(), count: k * k + k)
      var block = [Double](repeating: 0, count: k * k + k)
      var f = [Double](repeating: 0, count: k)
      var count = 0
      for e in r where inRange[e] {
        var d = 0.0
        for s in 0..<k { f[s] = columns[s * n + e]; d += yields[s] * f[s] }
        let we = weights?[e] ?? 1
        let inv = 1 / d
        for a in 0..<k {
          let fa = f[a] * inv
          block[k * k + a] += we * fa
          for b in a..<k { block[a * k + b] += we * fa * f[b] * inv }
        }
        count += 1
        if count == 256 {
          for i in block.indices { acc[i].add(block[i]); block[i] = 0 }
          count = 0
        }
      }
      for i in block.indices { acc[i].add(block[i]) }
      return acc
    }
    var total = [CompensatedSum](repeating: CompensatedSum(), count: k * k + k)
    for p in partials { for i in p.indices { total[i].add(p[i]) } }
    var m = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    for a in 0..<k { for b in a..<k { m[a][b] = total[a * k + b].value; m[b][a] = m[a][b] } }
    return (m, (0..<k).map { total[k * k + $0].value })
  }

  /// Positive definite with the unit-diagonal (correlation) form's smallest eigenvalue above 1e-10.
  static func isWellConditioned(_ m: [[Double]]) -> Bool {
    guard m.indices.allSatisfy({ m[$0][$0] > 0 }) else { return false }
    let scaled = m.indices.map { i in m.indices.map { j in m[i][j] / (m[i][i] * m[j][j]).squareRoot() } }
    return (SymmetricMatrix.eigenvalues(scaled).min() ?? 0) > 1e-10
  }

  static func densityIsPositive(columns: [Double], yields: [Double], inRange: [Bool]) -> Bool {
    let n = inRange.count
    for e in inRange.indices where inRange[e] {
      var d = 0.0
      for s in yields.indices { d += yields[s] * columns[s * n + e] }
      if !(d > 0) { return false }
    }
    return true
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
