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
    let binder = try Binder(
      columns: source.columns, aliases: aliases, equality: equality, unreadable: source.unreadableColumns)
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

  /// Memory that the partials of one run may take: a quarter of the
  /// machine's memory, at most 8 GB.
  public static let memoryBudget = Int(Swift.min(ProcessInfo.processInfo.physicalMemory / 4, 8_000_000_000))

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
    // one partial per worker plus the merged one, before anything is allocated
    let bytes = aggregate.partialBytes
    if bytes > 0, bytes > Query.memoryBudget / (workers + 1) {
      let gb = { (b: Double) in String(format: "%.1f GB", b / 1e9) }
      throw QueryError(
        .invalidArgument,
        "the histogram needs \(gb(Double(bytes))) per thread (\(workers + 1) copies) and the budget is "
          + "\(gb(Double(Query.memoryBudget))); use fewer bins or --threads 1")
    }
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
}
