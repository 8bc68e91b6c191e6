import ArgumentParser
import ColumnStore
import Foundation
import Numerics
import Query

/// `--shard K/N`: 1-based shard number and count.
enum QueryShard {
  static func parse(_ text: String) throws -> (shard: Int, shards: Int) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 1_000_000, k >= 1, k <= n else {
      throw ValidationError("--shard \(text): write K/N with 1 ≤ K ≤ N, e.g. --shard 3/8")
    }
    return (k, n)
  }
}

extension QueryCommand {
  /// The partials of the aggregates a query runs, per chunk.
  struct Partials: Codable, Sendable {
    var efficiency: [ChunkPartials<EfficiencyAggregate>.Entry]?
    var count: [ChunkPartials<CountAggregate>.Entry]?
    var histogram: [ChunkPartials<HistogramAggregate>.Entry]?
  }

  typealias PartialFile = QueryPartialFile<Partials>

  /// Options that belong to one process, not to the query: left out of the
  /// stored arguments and of the query's digest.
  static let processOptions: Set<String> = ["--shard", "--partial", "--threads", "--out", "--codec"]
  static let processFlags: Set<String> = ["--json", "--force", "--sync"]

  /// The query's own arguments (in order), without the process's options.
  static func queryArguments(_ arguments: [String]) -> [String] {
    var out: [String] = []
    var skipNext = false
    for a in arguments {
      if skipNext { skipNext = false; continue }
      let name = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
      if processFlags.contains(a) { continue }
      if processOptions.contains(name) {
        if !a.contains("=") { skipNext = true }
        continue
      }
      out.append(a)
    }
    return out
  }

  /// Shard `shard.shard` of `shard.shards`: each chunk's partial of every aggregate.
  func runShard(source: any ColumnSource, shard: (shard: Int, shards: Int), arguments: [String]) throws -> PartialFile {
    let query = try Query(
      cut: cut, weight: weight, aliases: try allAliases(), source: source, equality: basf2Equality ? .basf2 : .exact)
    let axes = try axes(arguments: arguments)
    let chunks = Query.shardChunks(shard.shard - 1, of: shard.shards, chunkRanges: source.chunkRanges)
    var partials = Partials()
    for kind in aggregates(axes: axes) {
      switch kind {
      case .efficiency(let a): partials.efficiency = try query.partial(ChunkPartials(a), chunks: chunks, threads: threads)
      case .count(let a): partials.count = try query.partial(ChunkPartials(a), chunks: chunks, threads: threads)
      case .histogram(let a): partials.histogram = try query.partial(ChunkPartials(a), chunks: chunks, threads: threads)
      }
    }
    let rows = chunks.reduce(0) { $0 + source.chunkRanges[$1].count }
    let stored = Self.queryArguments(arguments.first == "query" ? Array(arguments.dropFirst()) : arguments)
    return PartialFile(
      version: SysCorr.version, query: try Self.digest(stored, source: source, input: input), arguments: stored,
      shard: shard.shard, shards: shard.shards, chunks: chunks, chunkCount: source.chunkRanges.count, rows: rows,
      partials: partials)
  }

  /// A digest of the query's arguments and of what it reads (the set's
  /// manifest, or the input file's size and chunking).
  static func digest(_ arguments: [String], source: any ColumnSource, input: InputOptions) throws -> String {
    var h = StableHash()
    for a in arguments {
      h.add(a)
      h.add(byte: 0)
    }
    if input.input == nil, let mode = input.mode {
      let r = try input.resolvedSet(mode: mode)
      h.add(try r.store.manifestDigest(proc: r.proc, mode: r.mode, sample: r.sample))
    }
    for c in source.chunkRanges {
      h.add(UInt64(c.lowerBound))
      h.add(UInt64(c.upperBound))
    }
    return String(h.value, radix: 16)
  }
}

/// `syscorr merge`: the shards' partials of one query, merged into its result.
struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Merge the partials of a sharded query into its result.",
    discussion: """
      Each shard of a query runs as its own process (a batch job) and writes
      its partial state; merge checks that the partials belong to one query,
      version and input, that no chunk is counted twice and none is missing,
      then merges every chunk's partial in chunk order — the same merges a
      single run makes, so the result is identical to the last bit — and
      prints (or writes) it exactly as the query would.

      Example:
        for k in 1 2 3 4; do
          syscorr query --mode Dst --proc proc12 --sample data --cut 'in_fit' --weight sweight \\
            --pass 'D0_K_kaonID > 0.6' --hist D0_K_p --edges 0.5,1,2,4.5 --shard $k/4 --partial part-$k.json
        done
        syscorr merge part-*.json --json
      """)

  @Argument(help: "Partial files written by `query --shard K/N --partial F.json`.")
  var partials: [String] = []

  @Option(help: "The number of shards expected (default: the N the partials name).")
  var expectShards: Int?

  @Option(help: "Write the histograms (UHI layout), as `query --out` does.")
  var out: String?

  @Flag(help: "Replace --out if it exists.")
  var force = false

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  func validate() throws {
    if partials.isEmpty { throw ValidationError("give the partial files to merge: syscorr merge part-1.json part-2.json …") }
  }

  func run() throws {
    if let out { try FileOutputOptions.checkTarget(out, force: force) }
    var files: [(String, QueryCommand.PartialFile)] = []
    for path in partials {
      guard let data = FileManager.default.contents(atPath: path) else { throw CommandError("cannot read \(path)") }
      guard let f = try? PartialCoding.decode(QueryCommand.PartialFile.self, from: data), f.format == QueryCommand.PartialFile.format else {
        throw CommandError("\(path) is not a query partial (written by `syscorr query --shard K/N --partial F.json`)")
      }
      files.append((path, f))
    }
    let first = files[0].1
    for (path, f) in files.dropFirst() {
      if f.version != first.version {
        throw CommandError("\(path) was written by syscorr \(f.version), \(files[0].0) by \(first.version): rerun the shards with one version")
      }
      if f.query != first.query || f.arguments != first.arguments {
        throw CommandError("\(path) is a partial of another query or input than \(files[0].0) (\(f.arguments.joined(separator: " ")))")
      }
    }
    if first.version != SysCorr.version {
      throw CommandError("the partials were written by syscorr \(first.version), this is \(SysCorr.version)")
    }
    // every chunk once
    let shards = expectShards ?? first.shards
    var seen: [Int: String] = [:]
    for (path, f) in files {
      if let other = seen[f.shard] { throw CommandError("shard \(f.shard)/\(f.shards) is given twice: \(other) and \(path)") }
      seen[f.shard] = path
    }
    // (a shard of more shards than chunks may cover none)
    let covered = files.map { $0.1.chunks }.filter { $0[0] < $0[1] }.sorted { $0[0] < $1[0] }
    var next = 0
    for c in covered {
      if c[0] < next { throw CommandError("two partials cover the same chunks (\(c[0])..<\(c[1])): a shard was counted twice") }
      next = max(next, c[1])
    }
    let missing = (1...max(shards, 1)).filter { seen[$0] == nil }
    let gaps = zip([0] + covered.map { $0[1] }, covered.map { $0[0] } + [first.chunkCount]).filter { $0 < $1 }
    if !missing.isEmpty || !gaps.isEmpty || shards != first.shards {
      let list = missing.map { "\($0)/\(shards)" }.joined(separator: ", ")
      throw CommandError("missing shards: \(list.isEmpty ? "none by number, but chunks are uncovered" : list) (have \(files.count) of \(shards)); nothing merged")
    }
    // the query as it was given, with this command's output options
    var query = try QueryCommand.parse(first.arguments + (json ? ["--json"] : []) + (out.map { ["--out", $0] } ?? []) + (force ? ["--force"] : []))
    query.json = json
    let axes = try query.axes(arguments: first.arguments)
    var results = QueryCommand.Results()
    for kind in query.aggregates(axes: axes) {
      func entries<T>(_ key: KeyPath<QueryCommand.Partials, [T]?>) throws -> [T] {
        try files.flatMap { path, f in
          guard let e = f.partials[keyPath: key] else { throw CommandError("\(path) lacks the partials of this query") }
          return e
        }
      }
      switch kind {
      case .efficiency(let a): results.efficiency = try ChunkPartials(a).merged(try entries(\.efficiency))
      case .count(let a): results.count = try ChunkPartials(a).merged(try entries(\.count))
      case .histogram(let a): results.histogram = try ChunkPartials(a).merged(try entries(\.histogram))
      }
    }
    print(try query.render(results, metadata: try query.metadata()), terminator: "")
  }
}
