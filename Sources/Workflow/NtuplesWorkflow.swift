import ColumnStore
import Foundation
import Modes
import Report

/// `syscorr fw -w ntuples CONFIG`: the framework's ntuple production. For
/// each task — a `.list` file of basf2 ntuples, a processing, a calibration
/// mode by short name, optionally a model file — ingest the files, fit the
/// mass (nominal and systematic model), write sWeights, plots and validation.
/// A rerun skips every task whose inputs and settings are unchanged.
///
///     settings: settings.json     # optional; grid-only keys are reported as unused
///     tasks:
///       - path: lists/dst_proc12.list
///         proc: proc12
///         short_name: dst
///         model: models/dst.yaml   # optional: the mode's own model otherwise
///         cms_energy: 10.58         # optional
///         sample: data              # optional (data)
public struct NtuplesWorkflow: Sendable {
  public struct Config: Decodable, Sendable {
    public var settings: String?
    public var tasks: [Task]

    enum CodingKeys: String, CodingKey { case settings, tasks }

    public init(from decoder: Decoder) throws {
      try decoder.container(keyedBy: AnyKey.self).rejectUnknownKeys(["settings", "tasks"])
      let c = try decoder.container(keyedBy: CodingKeys.self)
      settings = try c.decodeIfPresent(String.self, forKey: .settings)
      tasks = try c.decode([Task].self, forKey: .tasks)
    }
  }

  public struct Task: Decodable, Sendable {
    public var path: String
    public var proc: String
    public var shortName: String
    public var model: String?
    public var cmsEnergy: Double?
    public var sample: String
    public var tree: String?

    static let keys = ["path", "proc", "short_name", "model", "cms_energy", "sample", "tree"]

    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: AnyKey.self)
      try c.rejectUnknownKeys(Self.keys)
      func key(_ s: String) -> AnyKey { AnyKey(stringValue: s) }
      path = try c.decode(String.self, forKey: key("path"))
      proc = try c.decode(String.self, forKey: key("proc"))
      shortName = try c.decode(String.self, forKey: key("short_name"))
      model = try c.decodeIfPresent(String.self, forKey: key("model"))
      cmsEnergy = try c.decodeIfPresent(Double.self, forKey: key("cms_energy"))
      sample = try c.decodeIfPresent(String.self, forKey: key("sample")) ?? "data"
      tree = try c.decodeIfPresent(String.self, forKey: key("tree"))
      guard Store.samples.contains(sample) else {
        throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [key("sample")], debugDescription: "'\(sample)' is not data or mc"))
      }
    }
  }

  public var configPath: String
  public var store: Store
  public var threads: Int?
  public var command = ""

  public init(configPath: String, store: Store) {
    self.configPath = configPath
    self.store = store
  }

  var directory: String { URL(fileURLWithPath: configPath).deletingLastPathComponent().path }

  func resolve(_ path: String, in dir: String) -> String {
    path.hasPrefix("/") ? path : URL(fileURLWithPath: dir).appendingPathComponent(path).standardizedFileURL.path
  }

  /// Runs every task; `progress` receives one line per step.
  public func run(progress: (String) -> Void = { _ in }) throws -> WorkflowOutcome {
    let config = try WorkflowConfig.load(Config.self, path: configPath)
    let settings = try config.settings.map { try WorkflowSettings.load(resolve($0, in: directory)) } ?? WorkflowSettings()
    // every task is checked before any is run: a typo in the last one must not cost the first ones' time
    var prepared: [(Task, CalibrationMode, MassModel?, [String])] = []
    for (i, task) in config.tasks.enumerated() {
      let at = "tasks[\(i)]"
      guard let mode = CalibrationMode.builtin(named: task.shortName) else {
        let known = CalibrationMode.builtins.map(\.shortName)
        let hint = NameSuggestions.closest(to: task.shortName, in: known).map { "; did you mean '\($0)'?" } ?? ""
        throw ColumnStoreError(.invalidInput, path: configPath,
          "\(configPath): \(at).short_name: unknown mode '\(task.shortName)' (known: \(known.joined(separator: ", ")))\(hint)")
      }
      var model = mode.fit
      if let m = task.model, m != "nominal" { model = try MassModel.load(contentsOf: resolve(m, in: directory)) }
      let list = resolve(task.path, in: directory)
      guard let text = FileManager.default.contents(atPath: list).map({ String(decoding: $0, as: UTF8.self) }) else {
        throw ColumnStoreError(.fileNotFound, path: configPath, "\(configPath): \(at).path: cannot read the file list '\(list)'")
      }
      let listDir = URL(fileURLWithPath: list).deletingLastPathComponent().path
      let files = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty && !$0.hasPrefix("#") }.map { resolve($0, in: listDir) }
      guard !files.isEmpty else {
        throw ColumnStoreError(.invalidInput, path: configPath, "\(configPath): \(at).path: '\(list)' lists no files")
      }
      for f in files where !FileManager.default.fileExists(atPath: f) {
        throw ColumnStoreError(.fileNotFound, path: configPath, "\(configPath): \(at).path: '\(list)' lists '\(f)', which does not exist")
      }
      prepared.append((task, mode, model, files))
    }
    var state = try WorkflowState.load(store: store, name: "ntuples")
    let canonical = JSONEncoder()
    canonical.outputFormatting = [.sortedKeys]
    var outcome = WorkflowOutcome(name: "ntuples", unusedSettings: settings.unused)
    for (task, mode, model, files) in prepared {
      let key = "\(task.proc)/\(mode.name)/\(task.sample)"
      let fingerprint = try WorkflowState.fingerprint(files: files, settings: [
        "model": try model.map { String(decoding: try canonical.encode($0), as: UTF8.self) } ?? "none",
        "tree": task.tree ?? "", "cms_energy": task.cmsEnergy.map { "\($0)" } ?? "",
        "settings": settings.fingerprint,
      ])
      if state.done[key] == fingerprint {
        progress("\(key): up to date, skipped")
        outcome.tasks.append(.init(key: key, status: "skipped (up to date)", stem: "\(task.proc)_\(mode.name)_\(task.sample)"))
        continue
      }
      progress("\(key): ingesting \(files.count) files")
      var ingest = Ingest(store: store, proc: task.proc, mode: mode.name, sample: task.sample)
      ingest.replace = true
      ingest.command = command
      ingest.threads = threads ?? ingest.threads
      if let codec = settings.codec { ingest.codec = try Codec(parsing: codec) }
      ingest.attributes = NtupleAttributes(
        shortName: mode.shortName, cmsEnergy: task.cmsEnergy ?? mode.cmsEnergy, decay: mode.decayString)
      let sources = try files.map { f -> (name: String, table: any ColumnSource) in
        (f, try InputFile.open(task.tree.map { f.lowercased().hasSuffix(".root") ? f + ":" + $0 : f } ?? f))
      }
      let set = try ingest.run(sources)
      var record = WorkflowOutcome.Task(key: key, status: "done", stem: "\(task.proc)_\(mode.name)_\(task.sample)")
      record.rows.append(("entries", "\(set.entries) in \(set.files.count) files"))
      if let model {
        progress("\(key): fitting \(model.column)")
        var job = FitJob(target: .set(store, proc: task.proc, sample: task.sample), mode: mode, model: model)
        job.threads = threads
        job.bins = settings.binned
        job.writeSWeights = settings.writeSWeights && model.systematic != nil
        job.command = command
        let r = try job.run()
        record.add(r)
      } else {
        record.rows.append(("fit", "none: mode \(mode.name) has no mass peak"))
      }
      outcome.tasks.append(record)
      state.done[key] = fingerprint
      try state.save(store: store)
    }
    try outcome.writeReport(store: store)
    return outcome
  }
}

/// The settings file of the ntuples workflow (`settings.json`): the keys
/// SysCorr uses; every other key (the grid's) is kept and reported unused.
public struct WorkflowSettings: Sendable {
  public var writeSWeights = true
  public var binned: Int?
  public var codec: String?
  public var unused: [String] = []

  static let known = ["write_sweights", "binned", "codec"]

  public init() {}

  static func load(_ path: String) throws -> WorkflowSettings {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ColumnStoreError(.fileNotFound, path: path, "cannot read settings '\(path)'")
    }
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw ColumnStoreError(.invalidInput, path: path, "\(path): not a JSON object")
    }
    var s = WorkflowSettings()
    for (key, value) in object.sorted(by: { $0.key < $1.key }) {
      switch key {
      case "write_sweights":
        guard let b = value as? Bool else { throw ColumnStoreError(.invalidInput, path: path, "\(path): write_sweights: expected true or false") }
        s.writeSWeights = b
      case "binned":
        guard let n = value as? Int, n >= 2 else { throw ColumnStoreError(.invalidInput, path: path, "\(path): binned: expected a number of bins ≥ 2") }
        s.binned = n
      case "codec":
        guard let c = value as? String else { throw ColumnStoreError(.invalidInput, path: path, "\(path): codec: expected a string") }
        s.codec = c
      default:
        s.unused.append(key)
      }
    }
    return s
  }

  var fingerprint: String { "\(writeSWeights) \(binned.map(String.init) ?? "-") \(codec ?? "-")" }
}
