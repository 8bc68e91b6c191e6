import ColumnStore
import Foundation

/// Where derived columns go: a friend version of the store set, or a file beside an `--input`.
struct DerivedColumnsOutput {
  var input: InputOptions
  var out: String?
  var name: String

  /// Runs `body` with a sink and writes what it produced; returns the friend version's name (store sets).
  func write(source: any ColumnSource, infos: [ColumnInfo], _ body: (@escaping ([String: ColumnBuffer]) throws -> Void) throws -> Void) throws -> String? {
    if let out {
      // a standalone output: atomic (rename), not flushed to disk (as query --out)
      let writer = try NtupleWriter(
        path: out, columns: infos, chunkRows: NtupleFormat.chunkRows(forAtMost: source.rowCount), durable: false)
      try body { try writer.append($0) }
      _ = try writer.finish()
      return nil
    }
    var parts: [[String: ColumnBuffer]] = []
    try body { parts.append($0) }
    let columns = infos.map { c in (c, ColumnBuffer.concatenate(parts.map { $0[c.name]! }, type: c.type)) }
    let r = try input.resolvedSet(mode: input.mode ?? "")
    var friends = FriendColumns(store: r.store, proc: r.proc, mode: r.mode, sample: r.sample)
    friends.command = Output.commandLine
    return try friends.add(name: name, table: try MemoryTable(columns: columns))
  }
}
