import ArgumentParser
import ColumnStore
import Foundation

struct GenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Generate realistic toy calibration ntuples into the store.",
    discussion: """
      Mass peaks from the framework's signal and background models, track
      kinematics and quality, PID for every hypothesis (true-species and
      momentum dependent, 0.3 % NaN), MC truth on simulation, basf2 column
      names and types. Data and simulation differ in PID response by a known,
      momentum-dependent shift; the true efficiencies and data/MC ratios are
      stored in each file's `truth` attribute. Deterministic for a seed, and
      independent of --files and --threads.

      Example:
        syscorr generate --mode Dst --sample data --events 1000000 --proc proc12 --seed 1
        syscorr generate --mode Dst --sample mc --events 1000000 --proc MC15ri --files 4
      """)

  @Option(help: "Calibration mode: Dst, Lambda0, KS or tau3x1.")
  var mode: String

  @Option(help: "A custom mode definition (YAML, see schemas/modes/).")
  var modeFile: String?

  @Option(help: "data or mc.")
  var sample: String

  @Option(help: "Number of candidates (rows).")
  var events: Int

  @Option(help: "Processing name, e.g. proc12 or MC15ri.")
  var proc: String

  @Option(help: "Random seed.")
  var seed: UInt64 = 1

  @Option(help: "Number of files to split the rows into.")
  var files: Int = 1

  @Option(help: "Store directory (default: $SYSCORR_STORE or ./syscorr-store).")
  var store: String?

  @Option(help: "Codec: none, lz4, zstd[:level], deflate[:level].")
  var codec: String = NtupleFormat.defaultCodec.description

  @Flag(help: "Replace the set's files instead of appending.")
  var replace = false

  @Option(help: "Threads (default: all cores).")
  var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  func validate() throws {
    guard events >= 0 else { throw ValidationError("--events must be at least 0") }
    guard files >= 1 else { throw ValidationError("--files must be at least 1") }
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
  }

  func run() throws {
    let m = try ModeLookup.resolve(name: mode, file: modeFile)
    guard let kind = SampleKind(rawValue: sample) else {
      throw CommandError("unknown sample '\(sample)'; use data or mc")
    }
    let generator = try SampleGenerator(mode: m, sample: kind, seed: seed)
    let truth = try generator.truth.attributeJSON()
    var ingest = Ingest(
      store: Store(path: store ?? ProcessInfo.processInfo.environment["SYSCORR_STORE"] ?? "syscorr-store"),
      proc: proc, mode: m.name, sample: sample)
    ingest.codec = try Codec(parsing: codec)
    ingest.replace = replace
    ingest.command = Output.commandLine
    ingest.threads = threads
    ingest.attributes = NtupleAttributes(
      shortName: m.shortName, cmsEnergy: m.cmsEnergy, decay: m.decayString, truth: truth)
    ingest.progress = { Output.progress("generate", $0, $1) }
    // Whole blocks per file, so the rows do not depend on --files.
    let blocks = SampleGenerator.blockCount(rows: events)
    let perFile = (blocks + files - 1) / max(files, 1)
    let fileBlocks = (0..<files).map { f in (f * perFile)..<min((f + 1) * perFile, blocks) }.filter { !$0.isEmpty }
    let threads = self.threads
    let events = self.events
    let manifest = try ingest.write(
      count: max(fileBlocks.count, events == 0 ? 1 : 0), total: events,
      fill: { i, writer in
        guard i < fileBlocks.count else { return }
        let range = fileBlocks[i]
        // Generate a few blocks per thread at a time: memory stays bounded.
        let batch = 2 * threads
        for start in stride(from: range.lowerBound, to: range.upperBound, by: batch) {
          let ids = Array(start..<min(start + batch, range.upperBound))
          let tables = try parallelMap(ids.count, threads: threads) { j -> MemoryTable in
            let b = ids[j]
            return generator.block(b, rows: min(SampleGenerator.blockRows, events - b * SampleGenerator.blockRows))
          }
          for t in tables { try writer.append(contentsOf: t) }
        }
      },
      columns: { _ in generator.columns }, source: { "generate seed \(seed) file \($0)" })
    print(
      "\(proc)/\(m.name)/\(sample): \(manifest.files.count) files, \(Output.grouped(manifest.entries)) entries, \(manifest.columns.count) columns")
  }
}
