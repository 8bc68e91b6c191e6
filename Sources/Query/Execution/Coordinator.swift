import ColumnStore
import Dispatch
import Foundation
import Synchronization

/// Hands out chunks and merges partials in chunk order.
///
/// Merging happens outside the lock: the thread that completes the next
/// chunk in order becomes the merger and folds in every partial that is
/// ready, while the other threads go on processing chunks. So an expensive
/// merge (a row stream writing to a file) never stalls the workers, and the
/// order of merges is still the chunk order.
final class Coordinator<A: Aggregate>: Sendable {
  struct State: Sendable {
    var next = 0
    var nextToMerge = 0
    var pending: [Int: A.Partial?] = [:]
    var merging = false
    var error: QueryError?
  }
  let aggregate: A
  let chunks: Int
  let state: Mutex<State>
  /// Touched only by the current merger (the thread that set `merging`), or
  /// after all workers have finished.
  nonisolated(unsafe) private var merged: A.Partial

  init(_ aggregate: A, chunks: Int) {
    self.aggregate = aggregate
    self.chunks = chunks
    self.state = Mutex(State())
    self.merged = aggregate.makePartial()
  }

  func take() -> Int? {
    state.withLock { s in
      guard s.error == nil, s.next < chunks else { return nil }
      s.next += 1
      return s.next - 1
    }
  }

  func complete(_ chunk: Int, _ partial: consuming A.Partial?) {
    let p = partial
    let mine = state.withLock { s -> Bool in
      s.pending[chunk] = .some(p)
      guard !s.merging, s.pending[s.nextToMerge] != nil else { return false }
      s.merging = true
      return true
    }
    guard mine else { return }
    while true {
      let next: A.Partial?? = state.withLock { s in
        if let entry = s.pending.removeValue(forKey: s.nextToMerge) {
          s.nextToMerge += 1
          return .some(entry)
        }
        s.merging = false
        return .none
      }
      guard let entry = next else { return }
      if let q = entry {
        do { try aggregate.merge(q, into: &merged) } catch { fail(QueryError.wrapping(error)) }
      }
    }
  }

  func fail(_ error: QueryError) {
    state.withLock { s in if s.error == nil { s.error = error } }
  }

  /// The merged partial; called after every worker has returned (no merge is in progress).
  func result() throws(QueryError) -> A.Partial {
    let error = state.withLock { s in s.error }
    if let error { throw error }
    return merged
  }
}
