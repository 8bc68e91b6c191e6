/// Rows of a block that are still in play: explicit ascending indices, or
/// (when `indices` is nil) all rows `0..<count`.
public struct Selection {
  public var indices: UnsafeMutablePointer<Int32>?
  public var count: Int

  @inline(__always) init(_ indices: UnsafeMutablePointer<Int32>?, _ count: Int) {
    self.indices = indices
    self.count = count
  }

  @inline(__always) static func all(_ count: Int) -> Selection { Selection(nil, count) }

  /// Calls `body` with each selected row index, in order.
  @inline(__always) func forEach(_ body: (Int) -> Void) {
    if let idx = indices {
      for j in 0..<count { body(Int(idx[j])) }
    } else {
      for i in 0..<count { body(i) }
    }
  }

  /// Writes the rows passing `predicate` to `out` and returns how many.
  /// `out` may be `indices` itself (writes never overtake reads).
  @inline(__always) func filter(into out: UnsafeMutablePointer<Int32>, _ predicate: (Int) -> Bool) -> Int {
    var k = 0
    if let idx = indices {
      for j in 0..<count {
        let i = idx[j]
        out[k] = i
        k &+= Int(unsafeBitCast(predicate(Int(i)), to: UInt8.self))
      }
    } else {
      for i in 0..<count {
        out[k] = Int32(truncatingIfNeeded: i)
        k &+= Int(unsafeBitCast(predicate(i), to: UInt8.self))
      }
    }
    return k
  }

  /// `self` minus the ascending subset `subset` (of length `n`), written to `out`
  /// (which may alias `indices`).
  func subtracting(_ subset: UnsafePointer<Int32>, _ n: Int, into out: UnsafeMutablePointer<Int32>) -> Int {
    var k = 0
    var s = 0
    forEach { i in
      if s < n, Int(subset[s]) == i {
        s += 1
      } else {
        out[k] = Int32(truncatingIfNeeded: i)
        k += 1
      }
    }
    return k
  }
}

/// A scratch vector of one block, owned by one node of one worker.
final class Scratch<T> {
  let pointer: UnsafeMutablePointer<T>
  let capacity: Int
  init(_ capacity: Int, initial: T) {
    pointer = .allocate(capacity: capacity)
    pointer.initialize(repeating: initial, count: capacity)
    self.capacity = capacity
  }
  deinit { pointer.deallocate() }
}

/// Merges two ascending index lists into `out`.
func mergeAscending(
  _ a: UnsafePointer<Int32>, _ na: Int, _ b: UnsafePointer<Int32>, _ nb: Int, into out: UnsafeMutablePointer<Int32>
) -> Int {
  var i = 0
  var j = 0
  var k = 0
  while i < na, j < nb {
    if a[i] < b[j] { out[k] = a[i]; i += 1 } else { out[k] = b[j]; j += 1 }
    k += 1
  }
  while i < na { out[k] = a[i]; i += 1; k += 1 }
  while j < nb { out[k] = b[j]; j += 1; k += 1 }
  return k
}
