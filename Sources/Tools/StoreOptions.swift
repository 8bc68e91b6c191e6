import ArgumentParser
import ColumnStore
import Modes
import Foundation

/// `--store DIR`, shared by every command that touches the store.
struct StoreOption: ParsableArguments {
  @Option(help: "Store directory (default: $SYSCORR_STORE or ./syscorr-store).")
  var store: String?

  /// The store this command works on.
  var resolved: Store { Store(path: Self.path(store)) }

  static func path(_ option: String?) -> String {
    option ?? ProcessInfo.processInfo.environment["SYSCORR_STORE"] ?? "syscorr-store"
  }
}

/// The set a writing command fills (`--mode`, `--proc`, `--sample`), how
/// (`--codec`, `--threads`), and where (`--store`).
struct TargetSetOptions: ParsableArguments {
  @Option(help: "Calibration mode: Dst, Lambda0, KS or tau3x1.")
  var mode: String

  @Option(help: "A custom mode definition (YAML, see schemas/modes/).")
  var modeFile: String?

  @Option(help: "Processing, e.g. proc12 or MC15ri.")
  var proc: String

  @Option(help: "data or mc.")
  var sample: String

  @OptionGroup var store: StoreOption

  @Option(help: "Codec: none, lz4, zstd[:level], deflate[:level].")
  var codec: String = NtupleFormat.defaultCodec.description

  @Option(help: "Threads (default: all cores).")
  var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  @Flag(help: "Add rows the set already holds (the same file or the same generated sample again).")
  var allowDuplicate = false

  func validate() throws {
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
  }

  /// The calibration mode (built-in or from --mode-file).
  func calibrationMode() throws -> CalibrationMode { try ModeLookup.resolve(name: mode, file: modeFile) }

  /// An ingest into the set, with the mode's attributes and progress on stderr.
  func ingest(mode m: CalibrationMode, label: String) throws -> Ingest {
    var ingest = Ingest(store: store.resolved, proc: proc, mode: m.name, sample: sample)
    ingest.codec = try Codec(parsing: codec)
    ingest.command = Output.commandLine
    ingest.threads = threads
    ingest.allowDuplicate = allowDuplicate
    ingest.attributes = NtupleAttributes(shortName: m.shortName, cmsEnergy: m.cmsEnergy, decay: m.decayString)
    ingest.progress = { Output.progress(label, $0, $1) }
    return ingest
  }
}
