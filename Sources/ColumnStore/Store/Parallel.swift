import Dispatch
import Foundation

/// Runs `body(i)` for `i` in `0..<count` on up to `threads` threads and
/// returns the results in index order (so the result never depends on the
/// thread count). The first error thrown is rethrown after all finish.
public func parallelMap<T>(
  _ count: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
  _ body: (Int) throws -> T
) throws -> [T] {
  if count == 0 { return [] }
  if threads <= 1 || count == 1 { return try (0..<count).map(body) }
  let slots = UnsafeMutableBufferPointer<Result<T, Error>?>.allocate(capacity: count)
  slots.initialize(repeating: nil)
  defer {
    slots.deinitialize()
    slots.deallocate()
  }
  nonisolated(unsafe) let shared = slots
  let workers = min(threads, count)
  let next = NextIndex()
  withoutActuallyEscaping(body) { body in
    nonisolated(unsafe) let work = body
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      while let i = next.take(below: count) {
        shared[i] = Result { try work(i) }
      }
    }
  }
  return try slots.map { try $0!.get() }
}

/// A shared counter handing out indices in increasing order.
private final class NextIndex: @unchecked Sendable {
  private var value = 0
  private let lock = NSLock()

  func take(below limit: Int) -> Int? {
    lock.lock()
    defer { lock.unlock() }
    guard value < limit else { return nil }
    defer { value += 1 }
    return value
  }
}
