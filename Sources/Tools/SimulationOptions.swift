import ArgumentParser

/// The simulation a data sample is compared with (`weights`, `plot`): its
/// processing or file, and each sample's weight.
struct SimulationOptions: ParsableArguments {
  @Option(help: "The simulation's processing (its sample is mc).")
  var mcProc: String?

  @Option(help: "The simulation as a file: FILE.h5[:GROUP] or FILE.root[:dir/tree] (with --input for data).")
  var mcInput: String?

  @Option(parsing: .unconditional, help: "The data weight, e.g. sweight (default: unweighted).")
  var weight: String?

  @Option(parsing: .unconditional, help: "The simulation's weight (default: --weight; `none` for unweighted).")
  var mcWeight: String?

  /// The data's options: `--sample data` for a store set unless a sample is given.
  static func data(_ input: InputOptions) -> InputOptions {
    var o = input
    if !o.isFile && o.sample == nil { o.sample = "data" }
    return o
  }

  /// Whether a simulation is named.
  var isGiven: Bool { mcProc != nil || mcInput != nil }

  /// The simulation's input: the data's options (store, mode) with the
  /// simulation's processing (sample mc) or file in place of the data's.
  func input(beside data: InputOptions) -> InputOptions {
    var o = data
    o.input = mcInput
    o.filesFrom = nil
    o.proc = mcProc
    o.sample = mcInput == nil ? "mc" : nil
    return o
  }

  /// The simulation's weight expression; nil: unweighted.
  var simulationWeight: String? { mcWeight.map { $0 == "none" ? nil : $0 } ?? weight }
}
