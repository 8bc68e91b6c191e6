import ArgumentParser
import ColumnStore
import Foundation
import Workflow

/// `syscorr fw -w ntuples|refit CONFIG`: the framework's YAML-configured runs.
struct WorkflowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fw",
    abstract: "Run a configured workflow: ntuple production (ingest → fit → sWeights → plots) or refits.",
    discussion: """
      ntuples: for each task of CONFIG (a .list file of basf2 ntuples, proc,
      short_name, optional model and cms_energy; an optional settings.json
      whose grid-only keys are reported as unused) ingest the files, fit the
      mass with the nominal and the systematic model, and write sWeights,
      fit results, plots and validation into the store.
      refit: refit sets that have the sWeights `old_suffix` with the named
      models, as the new version `new_suffix`; old versions stay.
      fixed_weights: for each entry of `weight_cfg_list`, the efficiency and
      fake-rate tables of data and simulation for every cut × precut, and the
      data/MC weight tables (full CSV, PIDVar CSV, ParticleWeighting
      parameters), with plots and fixed_weights.html, in `weight_dir`.

      Both write an HTML report (workflows/ntuples.html, workflows/refit.html in
      the store) and are resumable: a rerun skips what is done and up to date.
      Examples are in data-samples/workflows/.

      Examples:
        syscorr fw -w ntuples data-samples/workflows/ntuples.yaml
        syscorr fw -w refit data-samples/workflows/refit.yaml
        syscorr fw -w fixed_weights data-samples/workflows/fixed_weights.yaml
      """)

  enum Kind: String, ExpressibleByArgument, CaseIterable {
    case ntuples, refit
    case fixedWeights = "fixed_weights"
  }

  @Option(name: .short, help: "The workflow: ntuples, refit or fixed_weights.")
  var workflow: Kind

  @Argument(help: "The configuration (YAML or JSON).")
  var config: String

  @OptionGroup var store: StoreOption
  @OptionGroup var parallelism: ThreadsOption

  @Flag(help: "Print a JSON summary.")
  var json = false

  func run() throws {
    let store = Store(path: StoreOption.path(self.store.store))
    let progress: @Sendable (String) -> Void = { line in
      if Output.stderrIsTerminal { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
    let outcome: WorkflowOutcome
    switch workflow {
    case .ntuples:
      var w = NtuplesWorkflow(configPath: config, store: store)
      w.threads = parallelism.threads
      w.command = Output.commandLine
      outcome = try w.run(progress: progress)
    case .refit:
      var w = RefitWorkflow(configPath: config, store: store)
      w.threads = parallelism.threads
      w.command = Output.commandLine
      outcome = try w.run(progress: progress)
    case .fixedWeights:
      var w = FixedWeightsWorkflow(configPath: config, store: store)
      w.threads = parallelism.threads
      outcome = try w.run(progress: progress)
    }
    if json {
      print(try Output.json(Summary(outcome)))
      return
    }
    for t in outcome.tasks {
      print("\(t.key): \(t.status)")
      for (k, v) in t.rows { print("  \(k): \(v)") }
    }
    if !outcome.unusedSettings.isEmpty {
      print("unused settings (grid only): \(outcome.unusedSettings.joined(separator: ", "))")
    }
    if let report = outcome.reportPath { print("report: \(report)") }
  }

  struct Summary: Encodable {
    struct Task: Encodable {
      var key: String
      var status: String
      var fitValid: Bool?
      var details: [String: String]
      enum CodingKeys: String, CodingKey { case key, status, fitValid = "fit_valid", details }
    }
    var workflow: String
    var tasks: [Task]
    var unusedSettings: [String]
    var report: String?
    enum CodingKeys: String, CodingKey { case workflow, tasks, unusedSettings = "unused_settings", report }

    init(_ o: WorkflowOutcome) {
      workflow = o.name
      tasks = o.tasks.map {
        Task(key: $0.key, status: $0.status, fitValid: $0.fitValid,
             details: Dictionary($0.rows, uniquingKeysWith: { a, _ in a }))
      }
      unusedSettings = o.unusedSettings
      report = o.reportPath
    }
  }
}
