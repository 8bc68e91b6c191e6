import ArgumentParser
import ColumnStore
import Foundation

struct IngestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ingest",
    abstract: "Put ntuple files into the store.",
    discussion: """
      Each input becomes one file of the set PROC/MODE/SAMPLE, re-chunked
      with per-chunk statistics. Inputs: HDF5 files with one 1-D dataset per
      column (h5py style; FILE.h5:GROUP picks a group) and CSV files with a
      header row. All inputs are checked before anything is written, and the
      store changes only when every file is complete.

      Example:
        syscorr ingest kaons.h5:variables --mode Dst --proc proc12 --sample data
      """)

  @Argument(help: "Input files: FILE.h5[:GROUP] or FILE.csv.")
  var files: [String]

  @Option(help: "Calibration mode (Dst, Lambda0, KS, tau3x1).")
  var mode: String

  @Option(help: "A custom mode definition (YAML, see schemas/modes/).")
  var modeFile: String?

  @Option(help: "Processing, e.g. proc12, MC14ri.")
  var proc: String

  @Option(help: "data or mc.")
  var sample: String

  @Option(help: "Store directory (default: $SYSCORR_STORE or ./syscorr-store).")
  var store: String?

  @Option(help: "Codec: none, lz4, zstd[:level], deflate[:level].")
  var codec: String = NtupleFormat.defaultCodec.description

  @Flag(help: "Replace the set's files instead of appending.")
  var replace = false

  @Option(help: "Threads for compression (default: all cores).")
  var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  func run() throws {
    let m = try ModeLookup.resolve(name: mode, file: modeFile)
    let sources = try files.map { spec in (name: spec, table: try InputFile.open(spec)) }
    var ingest = Ingest(
      store: Store(path: store ?? ProcessInfo.processInfo.environment["SYSCORR_STORE"] ?? "syscorr-store"),
      proc: proc, mode: m.name, sample: sample)
    ingest.attributes = NtupleAttributes(shortName: m.shortName, cmsEnergy: m.cmsEnergy, decay: m.decayString)
    ingest.codec = try Codec(parsing: codec)
    ingest.replace = replace
    ingest.command = Output.commandLine
    ingest.threads = threads
    ingest.progress = { Output.progress("ingest", $0, $1) }
    let set = try ingest.run(sources)
    print("\(proc)/\(m.name)/\(sample): \(set.files.count) files, \(Output.grouped(set.entries)) entries, \(set.columns.count) columns")
  }
}
