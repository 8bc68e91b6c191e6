import ArgumentParser
import ColumnStore
import Modes
import Toys
import Foundation

struct TruthCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "truth",
    abstract: "Print the true PID efficiencies a generated sample was made with.",
    discussion: """
      `syscorr generate` stores, in every file, the exact efficiency of each
      PID cut for each true species in each momentum bin (simulation and
      data) and the data/MC ratio. Use it to check efficiency and weight
      tables against truth.

      Examples:
        syscorr truth Dst --proc MC15ri --sample mc --variable kaonID --species 321 --threshold 0.2
        syscorr truth --input kaons.h5 --variable kaonID
      """)

  @Argument(help: "Calibration mode, or --mode; omit with --input.")
  var modeName: String?

  @OptionGroup var input: InputOptions

  @Option(help: "PID variable, e.g. kaonID or binaryPID_321_211 (default: all).")
  var variable: String?

  @Option(help: "|PDG| of the true species, e.g. 321 (default: all).")
  var species: Int?

  @Option(help: "Cut value, e.g. 0.2 (default: all of 0.1 … 0.9).")
  var threshold: Double?

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  func run() throws {
    var options = input
    if let modeName { options.mode = modeName }
    let source = try options.openSource()
    let text = try source.ntupleAttributes.truth
    guard !text.isEmpty else {
      throw CommandError("these rows hold no generator truth (they were not made by `syscorr generate`)")
    }
    let truth = try GeneratorTruth.decode(json: text)
    // `binaryPID(321,211)`, `binaryPID(321, 211)` and `binaryPID_321_211` name one variable
    let wanted = variable.map(VariableNames.sanitize)
    let rows = truth.efficiencies.filter {
      (wanted == nil || VariableNames.sanitize($0.variable) == wanted) && (species == nil || $0.truePDG == species)
        && (threshold == nil || abs($0.threshold - threshold!) < 1e-12)
    }
    if rows.isEmpty {
      let vars = Array(Set(truth.efficiencies.map(\.variable))).sorted().joined(separator: ", ")
      let thresholds = Array(Set(truth.efficiencies.map(\.threshold))).sorted().map { Output.compact($0) }.joined(separator: ", ")
      throw CommandError(
        "no truth matches; variables: \(vars); species: \(Set(truth.efficiencies.map(\.truePDG)).sorted().map(String.init).joined(separator: ", ")); thresholds: \(thresholds)")
    }
    if json {
      print(try Output.json(rows.map(TruthRow.init)))
      return
    }
    print(Output.table(
      ["variable", "species", "threshold", "p_min", "p_max", "eff_mc", "eff_data", "data/mc"],
      rows.map {
        [$0.variable, "\($0.truePDG)", Output.compact($0.threshold), Output.compact($0.pMin), Output.compact($0.pMax),
         String(format: "%.5f", $0.efficiencyMC), String(format: "%.5f", $0.efficiencyData), String(format: "%.5f", $0.ratio)]
      }, numeric: [2, 3, 4, 5, 6, 7]))
  }
}

/// One row of `syscorr truth --json` (snake_case, as every command's JSON).
struct TruthRow: Encodable {
  var variable: String
  var truePDG: Int
  var threshold: Double
  var pMin: Double
  var pMax: Double
  var efficiencyMC: Double
  var efficiencyData: Double
  var ratio: Double

  init(_ t: EfficiencyTruth) {
    variable = t.variable
    truePDG = t.truePDG
    threshold = t.threshold
    pMin = t.pMin
    pMax = t.pMax
    efficiencyMC = t.efficiencyMC
    efficiencyData = t.efficiencyData
    ratio = t.ratio
  }

  enum CodingKeys: String, CodingKey {
    case variable, truePDG = "true_pdg", threshold, pMin = "p_min", pMax = "p_max"
    case efficiencyMC = "efficiency_mc", efficiencyData = "efficiency_data", ratio = "data_mc_ratio"
  }
}
