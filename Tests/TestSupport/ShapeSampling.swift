import Foundation
import Numerics

/// Draws from a normalised shape on its range by accept–reject against a grid maximum.
public func sample(_ shape: Shape, over range: FitRange, count: Int, rng: inout Xoshiro256StarStar) -> [Double] {
  var gmax = 0.0
  for i in 0...4000 { gmax = max(gmax, shape.density(at: range.lo + range.width * Double(i) / 4000, over: range)) }
  gmax *= 1.05
  var out: [Double] = []
  out.reserveCapacity(count)
  while out.count < count {
    let x = rng.uniform(range.lo, range.hi)
    if rng.uniform() * gmax < shape.density(at: x, over: range) { out.append(x) }
  }
  return out
}

/// A Poisson variate (normal approximation above 1000, inversion below).
public func poisson(_ mean: Double, rng: inout Xoshiro256StarStar) -> Int {
  if mean > 1000 { return max(0, Int((mean + mean.squareRoot() * rng.normal()).rounded())) }
  let l = exp(-mean)
  var k = 0, p = 1.0
  repeat { k += 1; p *= rng.uniform() } while p > l
  return k - 1
}
