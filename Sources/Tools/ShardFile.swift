import Analysis
import ArgumentParser
import ColumnStore
import Foundation
import Numerics
import Query

/// `--shard K/N --partial F.json`, shared by every command that shards.
struct ShardOptions: ParsableArguments {
  @Option(help: "Run shard K of N (1-based): a contiguous part of the chunks, balanced by rows; with --partial.")
  var shard: String?

  @Option(help: "Write this shard's partial state to FILE.json (replaced if it exists: a resubmitted shard rewrites its part) instead of the result; `syscorr merge` combines the shards.")
  var partial: String?

  func validate() throws {
    // (--shard without --partial is `query --columns --out`'s row shard; every other use is refused by `requested`)
    if shard == nil && partial != nil { throw ValidationError(Self.unpaired) }
    if let shard { _ = try QueryShard.parse(shard) }
  }

  static let unpaired = "--shard K/N and --partial FILE.json go together (a shard writes its partial state)"

  /// The shard to run and where its partial goes; nil for a whole run.
  /// - Throws: for --shard without --partial, and when the partial's path
  ///   cannot be written (checked before any scan).
  func requested() throws -> (shard: (shard: Int, shards: Int), partial: String)? {
    if shard != nil && partial == nil { throw CommandError(Self.unpaired) }
    guard let shard, let partial else { return nil }
    try FileOutputOptions.checkTarget(partial, force: true)
    return (try QueryShard.parse(shard), partial)
  }
}

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

/// The chunks' partials of the aggregates a sharded command runs.
struct ShardPartials: Codable, Sendable {
  var efficiency: [ChunkPartials<EfficiencyAggregate>.Entry]?
  var count: [ChunkPartials<CountAggregate>.Entry]?
  var histogram: [ChunkPartials<HistogramAggregate>.Entry]?
  /// `efficiency` tables (one particle, one weight).
  var tables: [ChunkPartials<AggregateGroup<EfficiencyTableAggregate>>.Entry]?
  /// `fit`: the fit sample's rows.
  var fitSample: [ChunkPartials<FitSampleAggregate>.Entry]?
  /// `weights`: the simulation's tables (the data's are `tables`).
  var mcTables: [ChunkPartials<AggregateGroup<EfficiencyTableAggregate>>.Entry]?
  /// `fit --binned`: the histogram of the fit variable.
  var fitHistogram: [ChunkPartials<FitHistogramAggregate>.Entry]?
  /// `roc`: the mis-ID sample's tables (the signal's are `tables`).
  var misIDTables: [ChunkPartials<AggregateGroup<EfficiencyTableAggregate>>.Entry]?
  /// `plot`: the data's histograms per selection.
  var selectionHistograms: [ChunkPartials<SelectionHistogramsAggregate>.Entry]?
  /// `plot`: the simulation's histograms per selection.
  var mcSelectionHistograms: [ChunkPartials<SelectionHistogramsAggregate>.Entry]?
  /// `kde fit`: the binned grid (and its bootstrap replicas).
  var densityGrid: [ChunkPartials<DensityGridAggregate>.Entry]?

  init(
    efficiency: [ChunkPartials<EfficiencyAggregate>.Entry]? = nil, count: [ChunkPartials<CountAggregate>.Entry]? = nil,
    histogram: [ChunkPartials<HistogramAggregate>.Entry]? = nil,
    tables: [ChunkPartials<AggregateGroup<EfficiencyTableAggregate>>.Entry]? = nil,
    fitSample: [ChunkPartials<FitSampleAggregate>.Entry]? = nil,
    mcTables: [ChunkPartials<AggregateGroup<EfficiencyTableAggregate>>.Entry]? = nil,
    fitHistogram: [ChunkPartials<FitHistogramAggregate>.Entry]? = nil,
    misIDTables: [ChunkPartials<AggregateGroup<EfficiencyTableAggregate>>.Entry]? = nil,
    selectionHistograms: [ChunkPartials<SelectionHistogramsAggregate>.Entry]? = nil,
    mcSelectionHistograms: [ChunkPartials<SelectionHistogramsAggregate>.Entry]? = nil,
    densityGrid: [ChunkPartials<DensityGridAggregate>.Entry]? = nil
  ) {
    self.mcTables = mcTables
    self.fitHistogram = fitHistogram
    self.efficiency = efficiency
    self.count = count
    self.histogram = histogram
    self.tables = tables
    self.fitSample = fitSample
    self.misIDTables = misIDTables
    self.selectionHistograms = selectionHistograms
    self.mcSelectionHistograms = mcSelectionHistograms
    self.densityGrid = densityGrid
  }

  enum CodingKeys: String, CodingKey {
    case efficiency, count, histogram, tables
    case fitSample = "fit_sample", mcTables = "mc_tables", misIDTables = "misid_tables", fitHistogram = "fit_histogram"
    case selectionHistograms = "selection_histograms", mcSelectionHistograms = "mc_selection_histograms"
    case densityGrid = "density_grid"
  }

  /// Another file's entries beside these (a staged merge keeps every chunk's entry).
  mutating func append(_ other: ShardPartials) {
    func join<T>(_ a: inout [T]?, _ b: [T]?) { if let b { a = (a ?? []) + b } }
    join(&efficiency, other.efficiency)
    join(&count, other.count)
    join(&histogram, other.histogram)
    join(&tables, other.tables)
    join(&fitSample, other.fitSample)
    join(&mcTables, other.mcTables)
    join(&fitHistogram, other.fitHistogram)
    join(&misIDTables, other.misIDTables)
    join(&selectionHistograms, other.selectionHistograms)
    join(&mcSelectionHistograms, other.mcSelectionHistograms)
    join(&densityGrid, other.densityGrid)
  }
}

/// What a shard writes: see `QueryPartialFile`. Its arguments start with the command's name.
typealias ShardFile = QueryPartialFile<ShardPartials>

extension QueryPartialFile where Partials == ShardPartials {
  /// Options that belong to one process, not to the query: left out of the
  /// stored arguments and of the query's digest.
  static var processOptions: Set<String> {
    ["--shard", "--partial", "--threads", "--out", "--codec", "--plot", "--pidvar", "--particle-weighting"]
  }
  static var processFlags: Set<String> { ["--json", "--force", "--sync", "--write-sweights"] }

  /// The command's own arguments (in order), without the process's options.
  static func commandArguments(_ arguments: [String]) -> [String] {
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

  /// Runs `body` on the chunks of the shard and wraps its partials with the provenance.
  /// - Parameter arguments: the command line after the program name (`query …`, `efficiency …`).
  static func make(
    command: String, arguments: [String], shard: (shard: Int, shards: Int), source: any ColumnSource,
    _ body: (Range<Int>) throws -> ShardPartials
  ) throws -> ShardFile {
    try make(command: command, arguments: arguments, shard: shard, sources: [source]) { try body($0[0]) }
  }

  /// The same for two efficiency-table plans (data and simulation, signal and
  /// mis-ID): each plan's chunk partials over its part of the shard.
  static func make(
    command: String, arguments: [String], shard: (shard: Int, shards: Int),
    plans: (EfficiencyTable.Plan, EfficiencyTable.Plan), threads: Int?,
    _ wrap: (
      [ChunkPartials<AggregateGroup<EfficiencyTableAggregate>>.Entry],
      [ChunkPartials<AggregateGroup<EfficiencyTableAggregate>>.Entry]
    ) -> ShardPartials
  ) throws -> ShardFile {
    try make(command: command, arguments: arguments, shard: shard, sources: [plans.0.query.source, plans.1.query.source]) {
      chunks in
      wrap(
        try plans.0.query.partial(ChunkPartials(plans.0.aggregate), chunks: chunks[0], threads: threads),
        try plans.1.query.partial(ChunkPartials(plans.1.aggregate), chunks: chunks[1], threads: threads))
    }
  }

  /// The same for a command reading several sources (data and simulation,
  /// signal and mis-ID sample): the shards split all their chunks, one
  /// source after the other; `body` gets each source's part of the shard
  /// (in the source's own chunk numbers; empty where the shard lies elsewhere).
  static func make(
    command: String, arguments: [String], shard: (shard: Int, shards: Int), sources: [any ColumnSource],
    _ body: ([Range<Int>]) throws -> ShardPartials
  ) throws -> ShardFile {
    var all: [Range<Int>] = []
    var firstChunk: [Int] = []
    for source in sources {
      let offset = all.last?.upperBound ?? 0
      firstChunk.append(all.count)
      all += source.chunkRanges.map { ($0.lowerBound + offset)..<($0.upperBound + offset) }
    }
    let chunks = Query.shardChunks(shard.shard - 1, of: shard.shards, chunkRanges: all)
    let partials = try body(zip(sources, firstChunk).map { source, first in
      let n = source.chunkRanges.count
      return (min(max(chunks.lowerBound - first, 0), n))..<(min(max(chunks.upperBound - first, 0), n))
    })
    let rows = chunks.reduce(0) { $0 + all[$1].count }
    let stored = [command] + commandArguments(arguments.first == command ? Array(arguments.dropFirst()) : arguments)
    return ShardFile(
      version: SysCorr.version, query: digest(stored, chunkRanges: all, sources: sources), arguments: stored,
      shards: shard.shards, parts: [Part(shard: shard.shard, chunks: chunks, rows: rows)], chunkCount: all.count,
      partials: partials)
  }

  /// A digest of the command's arguments and of what it reads: every store
  /// set's manifest (as it was opened), and for any source its chunking.
  static func digest(_ arguments: [String], chunkRanges: [Range<Int>], sources: [any ColumnSource]) -> String {
    var h = StableHash()
    for a in arguments {
      h.add(a)
      h.add(byte: 0)
    }
    for case let set as NtupleSet in sources { h.add(set.manifestDigest) }
    for c in chunkRanges {
      h.add(UInt64(c.lowerBound))
      h.add(UInt64(c.upperBound))
    }
    return String(h.value, radix: 16)
  }

  /// Writes the file and says so.
  func write(to path: String, json: Bool) throws {
    try OutputFile.write(try PartialCoding.encode(self), to: path)
    let numbers = parts.map { "\($0.shard)" }.joined(separator: ",")
    let chunks = parts.map { "\($0.chunks[0])..<\($0.chunks[1])" }.joined(separator: ",")
    if json {
      print(try Output.json(["partial": path, "shard": "\(numbers)/\(shards)", "chunks": chunks]))
    } else {
      print("wrote shard\(parts.count == 1 ? "" : "s") \(numbers)/\(shards) (chunks \(chunks) of \(chunkCount), \(Output.grouped(rows)) rows) to \(path)")
    }
  }
}

extension QueryCommand {
  /// Shard `shard.shard` of `shard.shards`: each chunk's partial of every aggregate.
  func runShard(source: any ColumnSource, shard: (shard: Int, shards: Int), arguments: [String]) throws -> ShardFile {
    let query = try Query(
      cut: cut, weight: weight, aliases: try allAliases(), source: source, equality: basf2Equality ? .basf2 : .exact)
    let axes = try axes(arguments: arguments)
    return try ShardFile.make(command: "query", arguments: arguments, shard: shard, source: source) { chunks in
      var partials = ShardPartials()
      for kind in aggregates(axes: axes) {
        switch kind {
        case .efficiency(let a): partials.efficiency = try query.partial(ChunkPartials(a), chunks: chunks, threads: threads)
        case .count(let a): partials.count = try query.partial(ChunkPartials(a), chunks: chunks, threads: threads)
        case .histogram(let a): partials.histogram = try query.partial(ChunkPartials(a), chunks: chunks, threads: threads)
        }
      }
      return partials
    }
  }
}
