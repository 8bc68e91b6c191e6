import ColumnStore
import Dispatch
import Foundation
import Synchronization

/// A selection of rows of a `ColumnSource` (a cut and an optional weight),
/// ready to run aggregates.
///
///     let q = try Query(cut: "K_kaonID > 0.2 && abs(K_dz) < 4", weight: "sWeight", source: table)
///     let n = try q.run(CountAggregate(), threads: 2)
///     let h = try q.run(HistogramAggregate("D0_M", .regular(bins: 100, lower: 1.8, upper: 1.93)))
///     print(q.explain)
///
/// Chunks are processed in parallel; each chunk gives one partial, and the
/// partials are merged in chunk order, so results are bit-identical for any
/// thread count. At most one chunk per thread is held in memory.
public struct Query: Sendable {
  public let cut: String
  public let weight: String?
  public let aliases: [String: String]
  public let source: any ColumnSource
  public let equality: FloatEquality
  /// Rows per evaluation block (smaller for very large expressions: see `effectiveBlockSize`).
  public var blockSize: Int = 16384

  /// Parses and binds the cut and the weight.
  /// - Throws: `QueryError` with the offending span.
  public init(
    cut: String = "", weight: String? = nil, aliases: [String: String] = [:], source: any ColumnSource,
    equality: FloatEquality = .exact
  ) throws(QueryError) {
    self.cut = cut
    self.weight = weight
    self.aliases = aliases
    self.source = source
    self.equality = equality
    _ = try plan(inputs: [], asFloat: true)
  }

  /// The number of threads used when none is given: the number of cores.
  public static var defaultThreads: Int { Swift.max(1, ProcessInfo.processInfo.activeProcessorCount) }

  /// The types `RowCollector` and `RowStream` deliver for `expressions`: a
  /// bare column keeps its stored type (uint32 `__event__` stays uint32);
  /// any other expression gives its bound type (bool, int64 or float64).
  public func collectedTypes(_ expressions: [String]) throws(QueryError) -> [ColumnType] {
    try plan(inputs: expressions, asFloat: false).inputs.map { b in
      if case .column(_, _, let storage) = b { return storage }
      switch b.type {
      case .bool: return .bool
      case .int64: return .int64
      case .float64: return .float64
      }
    }
  }

  /// The columns the cut and weight read.
  public var columnsRead: [String] { (try? plan(inputs: [], asFloat: true).columns.map(\.name)) ?? [] }

  // MARK: - Plan

  struct Plan: Sendable {
    var columns: [ColumnInfo]
    var cut: BoundExpr?
    var weight: BoundExpr?
    var inputs: [BoundExpr]
    var conditions: [BoundExpr] = []
  }

  func plan<A: Aggregate>(for aggregate: A) throws(QueryError) -> Plan {
    try plan(inputs: aggregate.inputs, asFloat: aggregate.inputsAsFloat, conditions: aggregate.conditions)
  }

  func plan(inputs: [String], asFloat: Bool, conditions: [String] = []) throws(QueryError) -> Plan {
    let binder = try Binder(columns: source.columns, aliases: aliases, equality: equality)
    var cutExpr = try binder.bindCondition(cut)
    // Cheap conjuncts first (results are unchanged: expressions have no side effects).
    if case .and(let xs)? = cutExpr {
      cutExpr = .and(xs.enumerated().sorted { ($0.element.cost, $0.offset) < ($1.element.cost, $1.offset) }.map(\.element))
    }
    if cutExpr == .constant(.bool(true)) { cutExpr = nil }
    var w: BoundExpr?
    if let weight {
      let b = try binder.bindNumber(weight)
      w = b.type == .float64 ? b : binder.cast(b, .float64)
    }
    var bound: [BoundExpr] = []
    for text in inputs {
      var b = try binder.bindValue(text)
      if asFloat, b.type != .float64 { b = binder.cast(b, .float64) }
      bound.append(b)
    }
    var conds: [BoundExpr] = []
    for text in conditions {
      guard let c = try binder.bindCondition(text) else {
        throw QueryError(.syntax, "empty cut", range: SourceRange(0, 0), expression: text, notes: ["expected a condition"])
      }
      conds.append(c)
    }
    return Plan(columns: binder.usedColumns, cut: cutExpr, weight: w, inputs: bound, conditions: conds)
  }

  /// `blockSize`, reduced so that the scratch vectors of one worker (about
  /// 16 bytes per row per expression node) stay under 256 MB even for the
  /// largest expressions aliases may build.
  func effectiveBlockSize(_ plan: Plan) -> Int {
    func nodes(_ e: BoundExpr) -> Int { 1 + e.children.reduce(0) { $0 + nodes($1) } }
    let all = [plan.cut, plan.weight].compactMap { $0 } + plan.inputs + plan.conditions
    let n = Swift.max(1, all.reduce(0) { $0 + nodes($1) })
    let requested = Swift.min(Swift.max(blockSize, 16), 1 << 20)
    return Swift.min(requested, Swift.max(256, (256 << 20) / (16 * n)))
  }

  func skipped(_ plan: Plan, useStatistics: Bool) -> [Bool] {
    let n = source.chunkRanges.count
    guard let cut = plan.cut else { return Array(repeating: false, count: n) }
    if case .constant(let s) = cut, !s.truth { return Array(repeating: true, count: n) }
    guard useStatistics else { return Array(repeating: false, count: n) }
    return (0..<n).map {
      Pruning.canSkip(cut, chunk: $0, source: source, columns: plan.columns, equality: equality)
    }
  }

  // MARK: - Running

  /// Counts the passing rows (entries, Σw, Σw²).
  public func count(threads: Int? = nil) throws(QueryError) -> CountAggregate.Result {
    try run(CountAggregate(), threads: threads)
  }

  /// Runs an aggregate over the passing rows.
  /// - Parameters:
  ///   - threads: worker threads (default: the number of cores).
  ///   - useStatistics: skip chunks whose stored min/max prove the cut false.
  /// - Throws: `QueryError` for bad input expressions, a failing source or a
  ///   failing aggregate (kind `.aggregate`).
  public func run<A: Aggregate>(_ aggregate: A, threads: Int? = nil, useStatistics: Bool = true) throws(QueryError)
    -> A.Result
  {
    let merged = try reduce(aggregate, chunks: nil, threads: threads, useStatistics: useStatistics)
    do { return try aggregate.finish(merged) } catch { throw QueryError.wrapping(error) }
  }

  /// The number of chunks of the source: the unit of `partial(_:chunks:)`.
  public var chunkCount: Int { source.chunkRanges.count }

  /// The partial state of `aggregate` over the chunks `chunks` only (a shard
  /// of the source), to be merged with the other shards' partials by
  /// `finish(_:partials:)`. Partials are `Codable`: shards may run in other
  /// processes. Merged in chunk order, the shards give exactly what `run` gives.
  /// - Throws: `.invalidArgument` for an `OrderedAggregate` (its merge has
  ///   effects) or chunks outside the source.
  public func partial<A: Aggregate>(
    _ aggregate: A, chunks: Range<Int>, threads: Int? = nil, useStatistics: Bool = true
  ) throws(QueryError) -> A.Partial {
    if aggregate is any OrderedAggregate {
      throw QueryError(.invalidArgument, "\(A.self) writes as it merges: it cannot be run as separate partials")
    }
    guard chunks.lowerBound >= 0, chunks.upperBound <= chunkCount else {
      throw QueryError(.invalidArgument, "chunks \(chunks) lie outside the source's \(chunkCount) chunks")
    }
    return try reduce(aggregate, chunks: chunks, threads: threads, useStatistics: useStatistics)
  }

  /// Merges the partials of consecutive shards, in the order given, and finishes.
  public static func finish<A: Aggregate>(_ aggregate: A, partials: [A.Partial]) throws(QueryError) -> A.Result {
    do {
      var merged = aggregate.makePartial()
      for p in partials { try aggregate.merge(p, into: &merged) }
      return try aggregate.finish(merged)
    } catch {
      throw QueryError.wrapping(error)
    }
  }

  /// The merged partial of the chunks in `chunks` (all when nil).
  func reduce<A: Aggregate>(_ aggregate: A, chunks: Range<Int>?, threads: Int?, useStatistics: Bool) throws(QueryError)
    -> A.Partial
  {
    let plan = try plan(for: aggregate)
    let skip = skipped(plan, useStatistics: useStatistics).enumerated().map { k, s in
      s || !(chunks?.contains(k) ?? true)
    }
    let todo = skip.filter { !$0 }.count
    let workers = Swift.max(1, Swift.min(threads ?? Query.defaultThreads, Swift.max(todo, 1)))
    let coordinator = Coordinator(aggregate, chunks: skip.count)
    let job = ChunkJob(
      plan: plan, aggregate: aggregate, source: source, equality: equality, blockSize: effectiveBlockSize(plan))
    if workers == 1 {
      job.work(coordinator, skip: skip)
    } else {
      DispatchQueue.concurrentPerform(iterations: workers) { _ in job.work(coordinator, skip: skip) }
    }
    return try coordinator.result()
  }

  // MARK: - Explain

  /// The plan as text: columns read, chunks total/skipped, threads, and the expression tree.
  public var explain: String { explain(threads: nil) }

  /// The plan of running `aggregate` (or a count) as text.
  public func explain<A: Aggregate>(_ aggregate: A, threads: Int? = nil, useStatistics: Bool = true) -> String {
    let plan: Plan
    do { plan = try self.plan(for: aggregate) } catch {
      return error.description
    }
    let skip = skipped(plan, useStatistics: useStatistics)
    let nSkip = skip.filter { $0 }.count
    let rowsSkipped = zip(source.chunkRanges, skip).reduce(0) { $0 + ($1.1 ? $1.0.count : 0) }
    var lines: [String] = []
    lines.append("cut: \(cut.isEmpty ? "(none: every row passes)" : cut)")
    if let weight { lines.append("weight: \(weight)") }
    lines.append("aggregate: \(A.self)" + (aggregate.inputs.isEmpty ? "" : " of " + aggregate.inputs.joined(separator: ", ")))
    lines.append("columns read (\(plan.columns.count)): " + plan.columns.map { "\($0.name) [\($0.type)]" }.joined(separator: ", "))
    lines.append(
      "chunks: \(skip.count) total, \(nSkip) skipped by statistics\(useStatistics ? "" : " (statistics disabled)")"
        + ", rows: \(source.rowCount) total, \(rowsSkipped) skipped")
    lines.append("threads: \(Swift.max(1, Swift.min(threads ?? Query.defaultThreads, Swift.max(1, skip.count - nSkip))))"
      + ", block: \(effectiveBlockSize(plan)) rows, float ==: \(equality.rawValue)")
    lines.append("plan:")
    if let c = plan.cut {
      lines.append("  select (conjuncts cheapest first)")
      lines.append(c.tree(indent: "    "))
    } else {
      lines.append("  select all rows")
    }
    if let w = plan.weight {
      lines.append("  weight")
      lines.append(w.tree(indent: "    "))
    }
    for (text, b) in zip(aggregate.inputs, plan.inputs) {
      lines.append("  input \(text)")
      lines.append(b.tree(indent: "    "))
    }
    for (text, b) in zip(aggregate.conditions, plan.conditions) {
      lines.append("  condition \(text)")
      lines.append(b.tree(indent: "    "))
    }
    return lines.joined(separator: "\n")
  }

  public func explain(threads: Int?, useStatistics: Bool = true) -> String {
    explain(CountAggregate(), threads: threads, useStatistics: useStatistics)
  }
}

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

/// The compiled nodes and scratch space of one worker.
final class Program {
  let context: BlockContext
  let cut: Node?
  let weight: Node?
  let inputs: [Node]
  let conditions: [Node]
  let widths: [Int]
  let capacity: Int
  let selection: Scratch<Int32>
  let identity: Scratch<Int32>
  let inputsAsFloat: Bool

  init(plan: Query.Plan, capacity: Int, equality: FloatEquality, inputsAsFloat: Bool) {
    self.capacity = capacity
    self.inputsAsFloat = inputsAsFloat
    context = BlockContext(storage: plan.columns.map(\.type))
    widths = plan.columns.map(\.type.byteWidth)
    cut = plan.cut.map { Compiler.compile($0, capacity: capacity, equality: equality) }
    weight = plan.weight.map { Compiler.compile($0, capacity: capacity, equality: equality) }
    inputs = plan.inputs.map { Compiler.compile($0, capacity: capacity, equality: equality) }
    conditions = plan.conditions.map { Compiler.compile($0, capacity: capacity, equality: equality) }
    selection = Scratch(capacity, initial: 0)
    identity = Scratch(capacity, initial: 0)
    for i in 0..<capacity { identity.pointer[i] = Int32(i) }
  }

  func run(bases: [UnsafeRawPointer], rows: Int, firstRow: Int, _ consume: (AggregateBatch) -> Void) {
    var start = 0
    while start < rows {
      let n = Swift.min(capacity, rows - start)
      for s in bases.indices { context.pointers[s] = bases[s] + start * widths[s] }
      let count: Int
      let rowsPointer: UnsafeMutablePointer<Int32>
      if let cut {
        count = cut.select(context, .all(n), into: selection.pointer)
        rowsPointer = selection.pointer
      } else {
        count = n
        rowsPointer = identity.pointer
      }
      if count > 0 {
        // Every row passed: dense loops (no index indirection) for the values.
        let sel = count == n ? Selection.all(n) : Selection(rowsPointer, count)
        let w = weight?.floats(context, sel)
        let values: [BatchValues] = inputs.map { node in
          if !inputsAsFloat, let col = node as? ColumnNode {
            return .stored(col.storage, UnsafeRawPointer(context.pointers[col.slot]))
          }
          return switch node.type {
          case .float64: .float64(node.floats(context, sel))
          case .int64: .int64(node.ints(context, sel))
          case .bool: .bool(node.bools(context, sel))
          }
        }
        consume(
          AggregateBatch(
            rows: UnsafeBufferPointer(start: rowsPointer, count: count), weights: w, values: values,
            conditions: conditions.map { $0.bools(context, sel) }, firstRow: firstRow + start, dense: count == n))
      }
      start += n
    }
  }
}
