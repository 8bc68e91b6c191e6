import Dispatch
import Foundation

/// Parallel work over FIXED-size chunks of an index range. Which thread runs a
/// chunk never changes what the chunk computes, and per-chunk results are
/// combined in chunk order, so results are bit-identical for any worker count.
enum ChunkedReduction {
  /// Events per chunk: large enough to amortise dispatch, small enough to balance 2–16 cores.
  static let defaultChunkSize = 16_384

  /// The number of active processors.
  static var defaultWorkers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

  /// The chunk ranges of 0..<count.
  static func chunks(count: Int, chunkSize: Int) -> [Range<Int>] {
    stride(from: 0, to: count, by: chunkSize).map { $0..<min($0 + chunkSize, count) }
  }

  /// body(chunkIndex, range) for every chunk, spread over `workers` threads
  /// (worker w takes chunks w, w + workers, …).
  static func forEachChunk(count: Int, chunkSize: Int, workers: Int,
                           _ body: (Int, Range<Int>) -> Void) {
    let ranges = chunks(count: count, chunkSize: chunkSize)
    let w = max(1, min(workers, ranges.count))
    if w == 1 {
      for (i, r) in ranges.enumerated() { body(i, r) }
      return
    }
    withoutActuallyEscaping(body) { body in
      let box = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: w) { worker in
        var i = worker
        while i < ranges.count {
          box.value(i, ranges[i])
          i += w
        }
      }
    }
  }

  /// One result per chunk, in chunk order.
  static func map<T>(count: Int, chunkSize: Int, workers: Int, _ body: (Range<Int>) -> T) -> [T] {
    let n = (count + chunkSize - 1) / chunkSize
    var results = [T?](repeating: nil, count: n)
    results.withUnsafeMutableBufferPointer { out in
      let slots = UncheckedSendable(out)
      forEachChunk(count: count, chunkSize: chunkSize, workers: workers) { i, r in
        slots.value[i] = body(r)
      }
    }
    return results.map { $0! }
  }

  /// The compensated sum of per-chunk compensated sums, combined in chunk order.
  static func sum(count: Int, chunkSize: Int, workers: Int, _ body: (Range<Int>) -> CompensatedSum) -> CompensatedSum {
    var total = CompensatedSum()
    for s in map(count: count, chunkSize: chunkSize, workers: workers, body) { total.add(s) }
    return total
  }
}

/// Carries a value across the concurrentPerform boundary; callers guarantee
/// disjoint access (each chunk writes only its own slot).
struct UncheckedSendable<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
