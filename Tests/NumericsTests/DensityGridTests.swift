import Foundation
import Testing
import TestSupport

@testable import Numerics

@Suite struct DensityGridTests {
  /// Standard normal variates (Box–Muller) from the test source.
  static func normals(_ n: Int, seed: UInt64) -> [Double] {
    var r = TestRandom(seed)
    return (0..<n).map { _ in
      let u = max(r.unit(), 1e-300), v = r.unit()
      return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
  }

  static func grid(_ xs: [[Double]], weights: [Double]? = nil, axes: [DensityGrid.Axis]) -> (DensityGrid, Double, Int) {
    var g = DensityGrid(axes: axes)
    let n = xs[0].count
    let flat = xs.flatMap { $0 }
    let w = weights ?? [Double](repeating: 1, count: n)
    let (ow, o) = flat.withUnsafeBufferPointer { f in
      w.withUnsafeBufferPointer { wp in
        g.addLinear((0..<xs.count).map { f.baseAddress! + $0 * n }, weights: wp.baseAddress, count: n)
      }
    }
    return (g, ow, o)
  }

  /// Linear binning keeps every weight inside the box (and its first
  /// moment: the mean of the cell centres weighted by the grid is the
  /// points' mean, away from the edges); outside and NaN points are counted.
  @Test func linearBinningConservesWeightAndMean() {
    var r = TestRandom(4)
    let n = 10_000
    let x = (0..<n).map { i in i % 1000 == 0 ? Double.nan : 0.2 + 0.6 * r.unit() }
    let y = (0..<n).map { i in i % 999 == 0 ? 7.0 : 1 + 2 * r.unit() }
    let w = (0..<n).map { _ in r.unit() * 2 - 0.3 }
    let axes = [DensityGrid.Axis(lower: 0, upper: 1, cells: 37), .init(lower: 1, upper: 3, cells: 11)]
    let (g, outW, out) = Self.grid([x, y], weights: w, axes: axes)
    var inside = 0.0, mean = 0.0, expectedMean = 0.0
    var count = 0
    for e in 0..<n where !x[e].isNaN && y[e] <= 3 {
      inside += w[e]
      expectedMean += w[e] * x[e]
      count += 1
    }
    #expect(out == n - count)
    #expect(abs(outW - (w.reduce(0, +) - inside)) < 1e-9)
    #expect(abs(g.values.reduce(0, +) - inside) < 1e-9)
    for (k, v) in g.values.enumerated() { mean += v * axes[0].centre(k / 11) }
    #expect(abs(mean / inside - expectedMean / inside) < 1e-9)
  }

  /// The KDE of a normal sample with Gaussian kernels of width h is, in
  /// expectation, the normal of variance 1 + h² per axis: the smoothed grid
  /// matches it inside the box, and reflection keeps the mass.
  @Test func smoothedSampleMatchesTheAnalyticConvolution() {
    let n = 400_000
    let x = Self.normals(n, seed: 1), y = Self.normals(n, seed: 2).map { 0.5 * $0 }
    let axes = [DensityGrid.Axis(lower: -5, upper: 5, cells: 100), .init(lower: -2.5, upper: 2.5, cells: 50)]
    let (g, _, _) = Self.grid([x, y], axes: axes)
    let h = [0.25, 0.15]
    let s = g.smoothed(sigmas: h, boundary: .reflection).normalised()!
    #expect(abs(s.integral - 1) < 1e-12)
    let sx = (1 + h[0] * h[0]).squareRoot(), sy = (0.25 + h[1] * h[1]).squareRoot()
    var worst = 0.0
    for i in 0..<100 {
      for j in 0..<50 {
        let (cx, cy) = (axes[0].centre(i), axes[1].centre(j))
        let truth = exp(-0.5 * (cx * cx / (sx * sx) + cy * cy / (sy * sy))) / (2 * Double.pi * sx * sy)
        guard truth > 0.05 else { continue }  // where the sample is dense: relative error ≲ 2 %
        worst = max(worst, abs(s.values[i * 50 + j] / truth - 1))
      }
    }
    #expect(worst < 0.03, "worst relative deviation \(worst)")
  }

  /// A uniform density on the box: relative and reflection corrections keep
  /// it flat up to the edges; without correction the edge cells lose about
  /// half the kernel.
  @Test func boundaryCorrections() {
    let axes = [DensityGrid.Axis(lower: 0, upper: 1, cells: 200)]
    let flat = DensityGrid(axes: axes, values: [Double](repeating: 1, count: 200))
    for b in [DensityGrid.Boundary.reflection, .relative] {
      let s = flat.smoothed(sigmas: [0.05], boundary: b)
      #expect(s.values.allSatisfy { abs($0 - 1) < 1e-12 }, "\(b)")
    }
    let cut = flat.smoothed(sigmas: [0.05], boundary: .none)
    #expect(abs(cut.values[0] - 0.5) < 0.03 && abs(cut.values[100] - 1) < 1e-9)
  }

  /// Silverman's rule per axis: h = (4/((d+2)n))^(1/(d+4)) σ for a normal sample.
  @Test func silvermanBandwidthsFollowTheSpread() {
    let n = 200_000
    let x = Self.normals(n, seed: 7).map { 2 * $0 }, y = Self.normals(n, seed: 8).map { 0.3 * $0 }
    let axes = [DensityGrid.Axis(lower: -12, upper: 12, cells: 400), .init(lower: -2, upper: 2, cells: 200)]
    let (g, _, _) = Self.grid([x, y], axes: axes)
    let h = g.silvermanBandwidths(effectiveCount: Double(n))
    let factor = pow(4 / (4 * Double(n)), 1.0 / 6)
    #expect(abs(h[0] / (factor * 2) - 1) < 0.02)
    #expect(abs(h[1] / (factor * 0.3) - 1) < 0.02)
  }

  /// The conditional sampler on a grid whose PID slice at kinematics k is
  /// uniform on [0, k]: draws follow it (mean k/2, variance k²/12), the CDF
  /// and the quantile invert each other, outside tracks give NaN.
  @Test func conditionalSamplingAndQuantiles() {
    let kAxis = DensityGrid.Axis(lower: 0.5, upper: 1, cells: 5)
    let pAxis = DensityGrid.Axis(lower: 0, upper: 1, cells: 100)
    var g = DensityGrid(axes: [kAxis, pAxis])
    for i in 0..<5 {
      let k = kAxis.centre(i)
      for j in 0..<100 where pAxis.centre(j) < k { g.values[i * 100 + j] = 1 / k }
    }
    let sampler = ConditionalSampler(g)
    let n = 200_000
    let k = [Double](repeating: kAxis.centre(2), count: n) + [2.0, .nan]
    var out = [Double](repeating: 0, count: n + 2)
    var r = TestRandom(9)
    let us = (0..<(n + 2)).map { _ in (r.unit(), r.unit()) }
    let outcome = k.withUnsafeBufferPointer { kp in
      out.withUnsafeMutableBufferPointer { o in
        sampler.sample(kinematics: [kp.baseAddress!], count: n + 2, uniforms: { us[$0] }, into: o.baseAddress!, statistics: nil)
      }
    }
    #expect(outcome.outside == 2 && out[n].isNaN && out[n + 1].isNaN)
    let xs = out.prefix(n)
    let mean = xs.reduce(0, +) / Double(n)
    let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
    let top = 0.75  // k of the middle node; its slice is cells below 0.75
    #expect(abs(mean - top / 2) < 0.003)
    #expect(abs(variance - top * top / 12) < 0.002)
    var kk = kAxis.centre(2) + 0.03  // between nodes: a mixture
    for u in stride(from: 0.01, to: 1, by: 0.07) {
      let q = sampler.quantile(kinematics: &kk, u)!
      #expect(abs(sampler.cdf(kinematics: &kk, q)! - u) < 1e-9)
    }
  }
}
