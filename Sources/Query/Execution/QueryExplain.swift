import ColumnStore
import Foundation

/// The plan of a query as text (`syscorr query --explain`).
extension Query {

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
