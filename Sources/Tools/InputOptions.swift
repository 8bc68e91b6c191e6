import ArgumentParser
import ColumnStore
import Modes
import Foundation

/// How a reading command chooses its rows: an ntuple set of the store
/// (`--mode`, `--proc`, `--sample`) or any conforming file (`--input`).
struct InputOptions: ParsableArguments {
  @OptionGroup var store: StoreOption

  @Option(help: "Calibration mode: Dst, Lambda0, KS or tau3x1.")
  var mode: String?

  @Option(help: "Processing, e.g. proc12 or MC14ri.")
  var proc: String?

  @Option(help: "data or mc.")
  var sample: String?

  @Option(help: "A file outside the store: FILE.h5[:GROUP] or FILE.root[:dir/tree].")
  var input: String?

  @Option(help: "A text file listing input files (one FILE.h5[:GROUP] or FILE.root[:tree] per line, relative to the list), read as one source in order.")
  var filesFrom: String?


  /// Whether the rows come from files (`--input` or `--files-from`) rather than a store set.
  var isFile: Bool { input != nil || filesFrom != nil }

  /// Opens the selected rows.
  /// - Throws: `ColumnStoreError` naming the missing file, or the known modes,
  ///   processings and samples when the selection matches nothing.
  func openSource() throws -> any ColumnSource {
    if let filesFrom {
      guard input == nil, proc == nil, sample == nil else {
        throw ValidationError("--files-from reads files; it goes without --input, --proc and --sample (--mode may name their calibration mode)")
      }
      let paths = try ConcatenatedSource.paths(inList: filesFrom)
      return try ConcatenatedSource(parts: try paths.map { try InputFile.open($0) }, paths: paths)
    }
    if let input {
      // --mode may name the file's calibration mode (its selection and fit model)
      guard proc == nil && sample == nil else {
        throw ValidationError("--proc and --sample select a store set; --input reads a file (with --mode for its calibration mode)")
      }
      return try InputFile.open(input)
    }
    guard let mode else {
      throw ValidationError("say which rows to read: --mode M [--proc P] [--sample data|mc], or --input FILE.h5[:GROUP]")
    }
    let r = try resolvedSet(mode: mode)
    return try r.store.open(proc: r.proc, mode: r.mode, sample: r.sample)
  }

  /// The store set the options name (processing and sample may be omitted when unambiguous).
  func resolvedSet(mode: String) throws -> (store: Store, proc: String, mode: String, sample: String) {
    let store = self.store.resolved
    // a mode's short name (`dst`, as show-db prints it) and any case of the sample name work
    let name = CalibrationMode.builtin(named: mode)?.name ?? mode
    let r = try store.resolve(mode: name, proc: proc, sample: sample?.lowercased())
    return (store, r.proc, r.mode, r.sample)
  }
}
