import ColumnStore
import Dispatch
import Foundation
import Synchronization

/// What every worker runs: read a chunk, evaluate it block by block.
struct ChunkJob<A: Aggregate>: Sendable {
  let plan: Query.Plan
  let aggregate: A
  let source: any ColumnSource
  let equality: FloatEquality
  let blockSize: Int

  func work(_ coordinator: Coordinator<A>, skip: [Bool]) {
    let program = Program(plan: plan, capacity: blockSize, equality: equality, inputsAsFloat: aggregate.inputsAsFloat)
    while let k = coordinator.take() {
      if skip[k] {
        coordinator.complete(k, nil)
        continue
      }
      do {
        let partial = try process(chunk: k, program)
        coordinator.complete(k, partial)
      } catch {
        coordinator.fail(error)
        return
      }
    }
  }

  func process(chunk k: Int, _ program: Program) throws(QueryError) -> A.Partial {
    let range = source.chunkRanges[k]
    let names = plan.columns.map(\.name)
    let data: [String: ColumnBuffer]
    do { data = try source.read(columns: names, chunk: k) } catch {
      throw QueryError(.source, "reading chunk \(k): \(error)")
    }
    var buffers: [ColumnBuffer] = []
    for info in plan.columns {
      guard let b = data[info.name] else {
        throw QueryError(.source, "the source returned no column '\(info.name)' for chunk \(k)")
      }
      guard b.type == info.type, b.count == range.count else {
        throw QueryError(
          .source, "column '\(info.name)' in chunk \(k): expected \(range.count) \(info.type) values, got \(b.count) \(b.type)")
      }
      buffers.append(b)
    }
    var partial = aggregate.makePartial()
    var failure: (any Error)?
    withBaseAddresses(buffers) { bases in
      program.run(bases: bases, rows: range.count, firstRow: range.lowerBound) { batch in
        guard failure == nil else { return }
        do { try aggregate.consume(batch, into: &partial) } catch { failure = error }
      }
    }
    if let failure { throw QueryError.wrapping(failure) }
    return partial
  }
}

/// Calls `body` with the base address of every buffer (all valid during the call).
func withBaseAddresses(_ buffers: [ColumnBuffer], _ body: ([UnsafeRawPointer]) -> Void) {
  func go(_ i: Int, _ acc: [UnsafeRawPointer]) {
    if i == buffers.count { return body(acc) }
    buffers[i].withUnsafeBytes { raw in
      go(i + 1, acc + [raw.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!])
    }
  }
  go(0, [])
}
