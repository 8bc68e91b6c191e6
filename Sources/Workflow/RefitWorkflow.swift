import Analysis
import ColumnStore
import Foundation
import Modes

/// `syscorr fw -w refit CONFIG`: refit sets that already have sWeights with
/// new models, as a new sWeights version; earlier versions and their outputs
/// stay. A set whose new version exists is skipped (the run resumes).
///
///     old_suffix: v1              # the sWeights each set must already have
///     new_suffix: v2              # the version the refit writes (the set's next one)
///     models:
///       - short_name: dst
///         proc: proc12
///         sample: data             # optional (data)
///         model: models/dst-v2.yaml  # optional: the mode's own model otherwise
public struct RefitWorkflow: Sendable {
  public struct Config: Decodable, Sendable {
    public var oldSuffix: String
    public var newSuffix: String
    public var models: [Entry]

    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: AnyKey.self)
      try c.rejectUnknownKeys(["old_suffix", "new_suffix", "models"])
      oldSuffix = try c.decode(String.self, forKey: AnyKey(stringValue: "old_suffix"))
      newSuffix = try c.decode(String.self, forKey: AnyKey(stringValue: "new_suffix"))
      models = try c.decode([Entry].self, forKey: AnyKey(stringValue: "models"))
      for (key, value) in [("old_suffix", oldSuffix), ("new_suffix", newSuffix)] where Self.version(value) == nil {
        throw DecodingError.dataCorrupted(.init(
          codingPath: c.codingPath + [AnyKey(stringValue: key)], debugDescription: "'\(value)' is not a version like v2"))
      }
    }

    static func version(_ suffix: String) -> Int? {
      suffix.hasPrefix("v") ? Int(suffix.dropFirst()).flatMap { $0 > 0 ? $0 : nil } : nil
    }
  }

  public struct Entry: Decodable, Sendable {
    public var shortName: String
    public var proc: String
    public var sample: String
    public var model: String?

    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: AnyKey.self)
      try c.rejectUnknownKeys(["short_name", "proc", "sample", "model"])
      shortName = try c.decode(String.self, forKey: AnyKey(stringValue: "short_name"))
      proc = try c.decode(String.self, forKey: AnyKey(stringValue: "proc"))
      sample = try c.decodeIfPresent(String.self, forKey: AnyKey(stringValue: "sample")) ?? "data"
      model = try c.decodeIfPresent(String.self, forKey: AnyKey(stringValue: "model"))
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

  public func run(progress: (String) -> Void = { _ in }) throws -> WorkflowOutcome {
    let config = try WorkflowConfig.load(Config.self, path: configPath)
    let dir = URL(fileURLWithPath: configPath).deletingLastPathComponent()
    let friend = SWeightColumns.friendName
    let newVersion = Config.version(config.newSuffix)!
    // check every entry before refitting any
    var jobs: [(key: String, job: FitJob?)] = []
    for (i, e) in config.models.enumerated() {
      let at = "\(configPath): models[\(i)]"
      guard let mode = CalibrationMode.builtin(named: e.shortName) else {
        throw ColumnStoreError(.invalidInput, path: configPath, "\(at).short_name: unknown mode '\(e.shortName)'")
      }
      let key = "\(e.proc)/\(mode.name)/\(e.sample)"
      let manifest = try store.manifest(proc: e.proc, mode: mode.name, sample: e.sample)
      let versions = manifest.friends.map(\.name).filter { $0.hasPrefix(friend + "_v") }
      if versions.contains("\(friend)_\(config.newSuffix)") {
        jobs.append((key, nil))  // done in an earlier run
        continue
      }
      guard versions.contains("\(friend)_\(config.oldSuffix)") else {
        throw ColumnStoreError(.notFound, path: configPath,
          "\(at): \(key) has no sWeights \(friend)_\(config.oldSuffix) to refit (it has: \(versions.isEmpty ? "none" : versions.joined(separator: ", ")))")
      }
      let next = FriendColumns.nextVersion(of: friend, in: manifest)
      guard next == newVersion else {
        throw ColumnStoreError(.invalidInput, path: configPath,
          "\(at): new_suffix \(config.newSuffix): the next sWeights version of \(key) is v\(next)")
      }
      var model = mode.fit
      if let m = e.model { model = try MassModel.load(contentsOf: dir.appendingPathComponent(m).standardizedFileURL.path) }
      guard let model else {
        throw ColumnStoreError(.invalidInput, path: configPath, "\(at): mode \(mode.name) has no mass model to refit")
      }
      var job = FitJob(target: .set(store, proc: e.proc, sample: e.sample), mode: mode, model: model)
      job.writeSWeights = true
      job.threads = threads
      job.command = command
      job.outputSuffix = "_" + config.newSuffix
      jobs.append((key, job))
    }
    var outcome = WorkflowOutcome(name: "refit")
    for (key, job) in jobs {
      guard let job else {
        progress("\(key): \(friend)_\(config.newSuffix) exists, skipped")
        outcome.tasks.append(.init(key: key, status: "skipped (up to date)", stem: key.replacingOccurrences(of: "/", with: "_") + "_" + config.newSuffix))
        continue
      }
      progress("\(key): refitting")
      let r = try job.run()
      var record = WorkflowOutcome.Task(key: key, status: "done", stem: job.stem)
      record.add(r)
      outcome.tasks.append(record)
    }
    try outcome.writeReport(store: store)
    return outcome
  }
}
