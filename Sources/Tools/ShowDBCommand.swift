import ArgumentParser
import ColumnStore
import Foundation

struct ShowDBCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show-db",
    abstract: "List the ntuple sets in the store.",
    discussion: """
      One row per set (processing × mode × sample) with its files, entries,
      columns, size on disk and sWeight/friend column versions, then totals.
      Reads only the catalog (one small manifest per set), never the ntuples.

      Example:
        syscorr show-db --store syscorr-store
        syscorr show-db --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"])'
      """)

  @OptionGroup var store: StoreOption

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  struct Row: Encodable {
    var proc, mode, sample, shortName: String
    var files, entries, columns, bytes: Int
    var friends: [String]
    enum CodingKeys: String, CodingKey {
      case proc, mode, sample, files, entries, columns, bytes, friends
      case shortName = "short_name"
    }
  }

  struct Report: Encodable {
    var store: String
    var sets: [Row]
    var totals: [String: Int]
  }

  func run() throws {
    let path = StoreOption.path(store.store)
    let s = Store(path: path)
    let rows = try s.sets().map {
      Row(
        proc: $0.proc, mode: $0.mode, sample: $0.sample, shortName: $0.shortName, files: $0.files.count,
        entries: $0.entries, columns: $0.columns.count + $0.friends.reduce(0) { $0 + $1.columns.count },
        bytes: $0.bytes, friends: $0.friends.map(\.name))
    }
    let totals = [
      "sets": rows.count, "files": rows.reduce(0) { $0 + $1.files }, "entries": rows.reduce(0) { $0 + $1.entries },
      "bytes": rows.reduce(0) { $0 + $1.bytes },
    ]
    if json {
      print(try Output.json(Report(store: s.root, sets: rows, totals: totals)))
      return
    }
    if rows.isEmpty {
      print("The store \(s.root) holds no ntuples yet. Create some with `syscorr generate` or `syscorr ingest`.")
      return
    }
    let body = rows.map {
      [$0.proc, $0.mode, $0.sample, $0.shortName, "\($0.files)", Output.grouped($0.entries), "\($0.columns)",
       Output.bytes($0.bytes), $0.friends.isEmpty ? "-" : $0.friends.joined(separator: ",")]
    }
    let total = ["total", "", "", "", "\(totals["files"]!)", Output.grouped(totals["entries"]!), "",
                 Output.bytes(totals["bytes"]!), ""]
    print("store: \(s.root)")
    print(Output.table(
      ["proc", "mode", "sample", "short_name", "files", "entries", "columns", "size", "friends"],
      body + [total], numeric: [4, 5, 6, 7]))
  }
}
