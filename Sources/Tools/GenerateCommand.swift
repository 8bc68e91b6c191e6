import ArgumentParser
import ColumnStore
import Modes
import Toys
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

  @OptionGroup var target: TargetSetOptions

  @Option(help: "Number of candidates (rows).")
  var events: Int

  @Option(help: "Random seed.")
  var seed: UInt64 = 1

  @Option(help: "Number of files to split the rows into.")
  var files: Int = 1

  @Flag(help: "Replace the set's files instead of appending.")
  var replace = false

  func validate() throws {
    guard events >= 0 else { throw ValidationError("--events must be at least 0") }
    guard files >= 1 else { throw ValidationError("--files must be at least 1") }
  }

  func run() throws {
    let m = try target.calibrationMode()
    guard let kind = SampleKind(rawValue: target.sample) else {
      throw CommandError("unknown sample '\(target.sample)'; use data or mc")
    }
    let generator = try SampleGenerator(mode: m, sample: kind, seed: seed)
    var ingest = try target.ingest(mode: m, label: "generate")
    ingest.attributes.truth = try generator.truth.attributeJSON()
    ingest.replace = replace
    // Whole blocks per file, so the rows do not depend on --files.
    let blocks = SampleGenerator.blockCount(rows: events)
    guard files <= max(blocks, 1) else {
      throw CommandError(
        "--files \(files): \(Output.grouped(events)) events make \(blocks) block\(blocks == 1 ? "" : "s") of "
          + "\(Output.grouped(SampleGenerator.blockRows)) rows, and a file holds whole blocks; give --files \(max(blocks, 1)) or fewer")
    }
    // blocks spread evenly: file f holds blocks [f·B/F, (f+1)·B/F)
    let fileBlocks = (0..<files).map { f in (f * blocks / files)..<((f + 1) * blocks / files) }.filter { !$0.isEmpty }
    let threads = target.threads
    let events = self.events
    let manifest = try ingest.write(
      count: max(fileBlocks.count, events == 0 ? 1 : 0), total: events,
      fill: { i, writer in
        guard i < fileBlocks.count else { return }
        let range = fileBlocks[i]
        // Generate a few blocks per thread at a time (memory stays bounded), the
        // next batch while the current one is written (HDF5 writes are serial).
        let batch = 2 * threads
        let starts = Array(stride(from: range.lowerBound, to: range.upperBound, by: batch))
        func generate(_ start: Int) throws -> [MemoryTable] {
          let ids = Array(start..<min(start + batch, range.upperBound))
          return try parallelMap(ids.count, threads: threads) { j -> MemoryTable in
            let b = ids[j]
            return generator.block(b, rows: min(SampleGenerator.blockRows, events - b * SampleGenerator.blockRows))
          }
        }
        var current = try generate(starts[0])
        for k in starts.indices {
          let next = k + 1 < starts.count ? Prefetch { try generate(starts[k + 1]) } : nil
          for t in current { try writer.append(contentsOf: t) }
          if let next { current = try next.value() }
        }
      },
      columns: { _ in generator.columns }, source: { "generate seed \(seed) file \($0)" },
      rows: { i in i < fileBlocks.count ? min(fileBlocks[i].count * SampleGenerator.blockRows, events) : 0 })
    print(
      "\(target.proc)/\(m.name)/\(target.sample): \(manifest.files.count) file\(manifest.files.count == 1 ? "" : "s"), \(Output.grouped(manifest.entries)) entries, \(manifest.columns.count) columns")
  }
}
