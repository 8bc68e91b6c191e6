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

/// A value computed on another thread while the caller goes on: `value()`
/// waits for it (and rethrows its error). For pipelines such as generating
/// the next batch of rows while the current one is written.
public final class Prefetch<T>: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private var result: Result<T, Error>?

  public init(_ body: @escaping () throws -> T) {
    nonisolated(unsafe) let work = body
    DispatchQueue.global().async { [self] in
      result = Result { try work() }
      done.signal()
    }
  }

  /// The value, once computed; call it once.
  public func value() throws -> T {
    done.wait()
    return try result!.get()
  }
}
