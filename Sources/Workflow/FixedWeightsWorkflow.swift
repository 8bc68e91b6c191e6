import Analysis
import ColumnStore
import Dispatch
import Foundation
import Modes
import Report
import Synchronization
import Numerics

/// `syscorr fw -w fixed_weights CONFIG`: the framework's fixed-cut weights.
/// For every entry of `weight_cfg_list`, every cut and precut: the efficiency
/// tables of the efficiency particle and the fake-rate tables of the fake-rate
/// particles, on data and simulation, and the data/MC weight tables (full
/// CSV, PIDVar CSV and ParticleWeighting parameters, per precut), with plots
/// and an HTML report in `weight_dir`. Entries run in parallel; a rerun skips
/// entries whose settings and input sets are unchanged.
///
///     weight_dir: weights            # relative to this file
///     remove tmp files: true         # accepted (SysCorr keeps no temporary files)
///     weight_cfg_list:
///       - prefix_name: kaonID
///         efficiency_particle_type: K        # K, pi, p, e, mu (or a list)
///         fakerate_particle_type: pi         # optional; a list for several
///         binning: {p: [0.5, 1, 1.5, 2, 3, 4.5], cosTheta: [-0.866, 0, 0.5, 0.9563]}
///         track_variables: [p, cosTheta]     # the track's variables the binning uses
///         cuts: ["kaonID > 0.2", "kaonID > 0.6"]
///         precuts: ["", "charge > 0", "charge < 0"]
///         data_proc_query: proc12            # or {proc: proc12, mode: Dst}
///         mc_proc_query: MC15ri
///         weight: sweight                    # optional (sweight); systematic: sweight_syst
///         selection: in_fit                  # optional (in_fit)
public struct FixedWeightsWorkflow: Sendable {
  public struct Config: Decodable, Sendable {
    public var weightDir: String
    public var removeTmpFiles: Bool?
    public var entries: [Entry]

    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: AnyKey.self)
      try c.rejectUnknownKeys(["weight_dir", "remove tmp files", "weight_cfg_list"])
      weightDir = try c.decode(String.self, forKey: AnyKey(stringValue: "weight_dir"))
      removeTmpFiles = try c.decodeIfPresent(Bool.self, forKey: AnyKey(stringValue: "remove tmp files"))
      entries = try c.decode([Entry].self, forKey: AnyKey(stringValue: "weight_cfg_list"))
      let names = entries.map(\.prefixName)
      if let twice = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
        throw DecodingError.dataCorrupted(.init(
          codingPath: [AnyKey(stringValue: "weight_cfg_list")], debugDescription: "prefix_name '\(twice)' is used twice"))
      }
    }
  }

  /// A set query: a processing, optionally with the mode.
  public struct SetQuery: Decodable, Sendable, Equatable {
    public var proc: String
    public var mode: String?

    public init(from decoder: Decoder) throws {
      if let text = try? decoder.singleValueContainer().decode(String.self) {
        proc = text
        mode = nil
        return
      }
      let c = try decoder.container(keyedBy: AnyKey.self)
      try c.rejectUnknownKeys(["proc", "mode"])
      proc = try c.decode(String.self, forKey: AnyKey(stringValue: "proc"))
      mode = try c.decodeIfPresent(String.self, forKey: AnyKey(stringValue: "mode"))
    }
  }

  public struct Entry: Decodable, Sendable {
    public var prefixName: String
    public var efficiencyParticles: [String]
    public var fakeRateParticles: [String]
    public var binning: [(variable: String, edges: [Double])]
    public var trackVariables: [String]
    public var cuts: [String]
    public var precuts: [String]
    public var dataQuery: SetQuery
    public var mcQuery: SetQuery
    public var weight: String
    public var selection: String

    static let keys = [
      "prefix_name", "efficiency_particle_type", "fakerate_particle_type", "binning", "track_variables", "cuts",
      "precuts", "mc_proc_query", "data_proc_query", "weight", "selection",
    ]

    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: AnyKey.self)
      try c.rejectUnknownKeys(Self.keys)
      func key(_ k: String) -> AnyKey { AnyKey(stringValue: k) }
      func names(_ k: String) throws -> [String] {
        if let one = try? c.decode(String.self, forKey: key(k)) { return [one] }
        return try c.decodeIfPresent([String].self, forKey: key(k)) ?? []
      }
      prefixName = try c.decode(String.self, forKey: key("prefix_name"))
      guard !prefixName.isEmpty, !prefixName.contains("/") else {
        throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [key("prefix_name")], debugDescription: "a file name prefix, without '/'"))
      }
      efficiencyParticles = try names("efficiency_particle_type")
      guard !efficiencyParticles.isEmpty else {
        throw DecodingError.keyNotFound(key("efficiency_particle_type"), .init(codingPath: c.codingPath, debugDescription: ""))
      }
      fakeRateParticles = try names("fakerate_particle_type")
      for (k, list) in [("efficiency_particle_type", efficiencyParticles), ("fakerate_particle_type", fakeRateParticles)] {
        for p in list where FixedWeightsWorkflow.species[p] == nil {
          throw DecodingError.dataCorrupted(.init(
            codingPath: c.codingPath + [key(k)],
            debugDescription: "unknown particle type '\(p)' (known: \(FixedWeightsWorkflow.species.keys.sorted().joined(separator: ", ")))"))
        }
      }
      let axes = try c.nestedContainer(keyedBy: AnyKey.self, forKey: key("binning"))
      binning = try axes.allKeys.map { k in (k.stringValue, try axes.decode([Double].self, forKey: k)) }
      guard !binning.isEmpty else {
        throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [key("binning")], debugDescription: "no axis"))
      }
      for (name, edges) in binning where edges.count < 2 || zip(edges, edges.dropFirst()).contains(where: { !($0 < $1) }) {
        throw DecodingError.dataCorrupted(.init(
          codingPath: c.codingPath + [key("binning"), key(name)], debugDescription: "edges must be at least two, increasing"))
      }
      trackVariables = try c.decodeIfPresent([String].self, forKey: key("track_variables")) ?? binning.map(\.variable)
      for (name, _) in binning where !trackVariables.contains(name) {
        throw DecodingError.dataCorrupted(.init(
          codingPath: c.codingPath + [key("binning"), key(name)], debugDescription: "not one of track_variables (\(trackVariables.joined(separator: ", ")))"))
      }
      cuts = try c.decode([String].self, forKey: key("cuts"))
      guard !cuts.isEmpty else {
        throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [key("cuts")], debugDescription: "no cut"))
      }
      precuts = try c.decodeIfPresent([String].self, forKey: key("precuts")) ?? [""]
      if precuts.isEmpty { precuts = [""] }
      dataQuery = try c.decode(SetQuery.self, forKey: key("data_proc_query"))
      mcQuery = try c.decode(SetQuery.self, forKey: key("mc_proc_query"))
      weight = try c.decodeIfPresent(String.self, forKey: key("weight")) ?? "sweight"
      selection = try c.decodeIfPresent(String.self, forKey: key("selection")) ?? "in_fit"
    }
  }

  /// Particle type → the mode whose track role calibrates it.
  static let species: [String: (mode: String, role: String, pdg: Int)] = [
    "K": ("Dst", "K", 321), "pi": ("Dst", "pi", 211), "p": ("Lambda0", "p", 2212),
    "e": ("tau3x1", "probe", 11), "mu": ("tau3x1", "probe", 13),
  ]

  public var configPath: String
  public var store: Store
  public var threads: Int?

  public init(configPath: String, store: Store) {
    self.configPath = configPath
    self.store = store
  }

  /// One table job: a particle of an entry, as an efficiency or a fake rate.
  struct Job: Sendable {
    var entry: Int
    var particle: String
    var kind: String  // "efficiency" or "fakerate"
    var mode: CalibrationMode
    var stem: String
  }

  public func run(progress: @Sendable (String) -> Void = { _ in }) throws -> WorkflowOutcome {
    let config = try WorkflowConfig.load(Config.self, path: configPath)
    let base = URL(fileURLWithPath: configPath).deletingLastPathComponent()
    let dir = URL(fileURLWithPath: config.weightDir, relativeTo: base).standardizedFileURL.path
    // check every entry (modes, sets, columns) before computing anything
    var jobs: [Job] = []
    for (i, e) in config.entries.enumerated() {
      let at = "weight_cfg_list[\(i)]"
      for (kind, particles) in [("efficiency", e.efficiencyParticles), ("fakerate", e.fakeRateParticles)] {
        for p in particles {
          let s = Self.species[p]!
          let modeName = e.dataQuery.mode ?? s.mode
          guard let mode = CalibrationMode.builtin(named: modeName) else {
            throw ColumnStoreError(.invalidInput, path: configPath, "\(configPath): \(at).data_proc_query.mode: unknown mode '\(modeName)'")
          }
          for (q, sample, key) in [(e.dataQuery, "data", "data_proc_query"), (e.mcQuery, "mc", "mc_proc_query")] {
            do {
              _ = try store.manifest(proc: q.proc, mode: mode.name, sample: sample)
            } catch let error as ColumnStoreError {
              throw ColumnStoreError(.notFound, path: configPath, "\(configPath): \(at).\(key): \(error.message)")
            }
          }
          jobs.append(Job(entry: i, particle: p, kind: kind, mode: mode, stem: "\(e.prefixName)_\(p)_\(kind)"))
        }
      }
    }
    var state = try FixedWeightsState.load(directory: dir)
    let results = Mutex<[Int: Result<TaskReport, any Error>]>([:])
    let fingerprints = try jobs.map { try fingerprint($0, config.entries[$0.entry]) }
    let pending = Set(jobs.indices.filter { state.done[jobs[$0].stem] != fingerprints[$0] || !outputsExist(jobs[$0], dir) })
    // one scan per sample for an entry's particles of one mode (efficiency and
    // fake rate, nominal and systematic weight); a group with a pending job is redone
    var groups: [[Int]] = []
    for k in jobs.indices {
      if let g = groups.firstIndex(where: { jobs[$0[0]].entry == jobs[k].entry && jobs[$0[0]].mode.name == jobs[k].mode.name }) {
        groups[g].append(k)
      } else {
        groups.append([k])
      }
    }
    let runs = groups.filter { $0.contains(where: pending.contains) }
    let workers = max(1, (threads ?? ProcessInfo.processInfo.activeProcessorCount) / max(1, runs.count))
    let allJobs = jobs
    DispatchQueue.concurrentPerform(iterations: runs.count) { n in
      let group = runs[n].map { allJobs[$0] }
      for job in group { progress("\(job.stem): computing") }
      let r = Result { try self.compute(group, config.entries[group[0].entry], directory: dir, threads: workers) }
      results.withLock {
        for (i, k) in runs[n].enumerated() { $0[k] = r.map { $0[i] } }
      }
    }
    var outcome = WorkflowOutcome(name: "fixed_weights")
    var page = HTMLReport(title: "SysCorr fixed-cut weights", summary: [
      ("configuration", configPath), ("store", store.root), ("weight_dir", dir),
      ("written", ISO8601DateFormatter().string(from: Date())),
    ] + (config.removeTmpFiles == nil ? [] : [("remove tmp files", "accepted (no temporary files are kept)")]))
    var firstError: (any Error)?
    var reports: [Int: TaskReport] = [:]
    for (k, job) in jobs.enumerated() {
      let key = "\(config.entries[job.entry].prefixName): \(job.particle) \(job.kind == "efficiency" ? "efficiency" : "fake rate")"
      var task = WorkflowOutcome.Task(key: key, status: "skipped (up to date)", stem: job.stem)
      switch results.withLock({ $0[k] }) {
      case .success(let report)?:
        task.status = "done"
        task.rows = report.rows
        state.done[job.stem] = fingerprints[k]
        try state.save(directory: dir)
      case .failure(let error)?:
        task.status = "failed: \(error)"
        firstError = firstError ?? error
      case nil:
        // up to date: the report shows the tables written by the run that made them
        let path = dir + "/" + job.stem + "_weights.json"
        if let data = FileManager.default.contents(atPath: path), let w = try? OutputFile.decodeJSON(WeightTable.self, from: data) {
          let r = Self.report(w, tracks: [], job: job)
          task.rows = [("outputs", "unchanged since the last run")] + r.rows.dropFirst()
          reports[k] = r
        } else {
          task.rows = [("outputs", "unchanged since the last run")]
        }
      }
      outcome.tasks.append(task)
      let plots = ["data", "mc"].map { "\(job.stem)_\($0).svg" }.filter { FileManager.default.fileExists(atPath: dir + "/" + $0) }
      let tables = (results.withLock { $0[k] }.flatMap { try? $0.get() } ?? reports[k])?.tables ?? []
      page.sections.append(.init(title: key, status: task.status, rows: task.rows + files(job, dir), plots: plots, tables: tables))
    }
    let html = dir + "/fixed_weights.html"
    try OutputFile.write(Data(page.render().utf8), to: html)
    outcome.reportPath = html
    if let firstError { throw firstError }
    return outcome
  }

  struct TaskReport {
    var rows: [(String, String)]
    var tables: [(caption: String, header: [String], rows: [[String]])] = []
  }

  /// The tables of jobs of one entry and mode, written into `directory`:
  /// one scan of the data (every particle, nominal and systematic weight)
  /// and one of the simulation.
  func compute(_ jobs: [Job], _ e: Entry, directory: String, threads: Int) throws -> [TaskReport] {
    let mode = jobs[0].mode
    let roles = jobs.map { Self.species[$0.particle]!.role }
    func tables(_ q: SetQuery, sample: String, weights: [String?]) throws -> [[EfficiencyTable]] {
      var r = EfficiencyTable.Request(axes: e.binning, cuts: e.cuts)
      r.precuts = e.precuts
      r.selection = e.selection
      r.threads = threads
      let source = try store.open(proc: q.proc, mode: mode.name, sample: sample)
      return try EfficiencyTable.compute(
        r, particles: roles, weights: weights, mode: mode, source: source, aliases: ["selection": mode.selection])
    }
    let weights = [e.weight] + (e.weight == "sweight" ? ["sweight_syst"] : [])
    let t0 = DispatchTime.now().uptimeNanoseconds
    let data = try tables(e.dataQuery, sample: "data", weights: weights)
    let t1 = DispatchTime.now().uptimeNanoseconds
    let mc = try tables(e.mcQuery, sample: "mc", weights: [e.weight])
    let t2 = DispatchTime.now().uptimeNanoseconds
    // one scan per sample: what it cost
    let scans = String(
      format: "data %.1f ms (%d particles × %d weights), simulation %.1f ms (%d particles), one scan each",
      Double(t1 - t0) / 1e6, jobs.count, weights.count, Double(t2 - t1) / 1e6, jobs.count)
    // the jobs' files and plots, side by side
    let reports = Mutex<[Int: Result<TaskReport, any Error>]>([:])
    DispatchQueue.concurrentPerform(iterations: jobs.count) { k in
      let r = Result {
        try write(jobs[k], e, data: data[k][0], mc: mc[k][0], systematic: data[k].count > 1 ? data[k][1] : nil, directory: directory)
      }
      reports.withLock { $0[k] = r }
    }
    return try jobs.indices.map { k in
      var r = try reports.withLock { $0[k]! }.get()
      r.rows.insert(("scans", scans), at: 1)
      return r
    }
  }

  /// Writes one job's tables, weights and plots.
  func write(
    _ job: Job, _ e: Entry, data: EfficiencyTable, mc: EfficiencyTable, systematic: EfficiencyTable?, directory: String
  ) throws -> TaskReport {
    let weights = try WeightTable(data: data, mc: mc, systematic: systematic)
    let stem = directory + "/" + job.stem
    try data.write(to: stem + "_data.csv")
    try mc.write(to: stem + "_mc.csv")
    try weights.write(to: stem + "_weights.csv")
    for (j, precut) in e.precuts.enumerated() {
      let one = weights.selecting(precut: precut)
      let suffix = e.precuts.count > 1 ? "_precut\(j)" : ""
      try OutputFile.write(Data(try one.pidvarCSV().utf8), to: stem + suffix + "_pidvar.csv")
      let pw = try one.particleWeighting(tableName: "\(e.prefixName)_\(job.particle)_\(job.kind)" + suffix)
      try OutputFile.write(try OutputFile.json(pw), to: stem + suffix + "_particleweighting.json")
    }
    for (name, t) in [("data", data), ("mc", mc)] {
      try EfficiencyPlot.write(t, title: "\(e.prefixName): \(job.particle) \(job.kind), \(name)", to: stem + "_\(name).svg")
    }
    try weights.write(to: stem + "_weights.json")
    return Self.report(weights, tracks: data.tracks, job: job)
  }

  /// The report's rows and tables of one job's weights.
  static func report(_ weights: WeightTable, tracks: [String], job: Job) -> TaskReport {
    var rows: [(String, String)] = [("mode", "\(job.mode.name), tracks \(tracks.joined(separator: ", "))")]
    for t in weights.tables {
      let ratios = t.bins.map(\.ratio).filter(\.isFinite)
      let label = (t.precut.isEmpty ? "" : t.precut + ", ") + t.cut
      rows.append((label, String(
        format: "ε(data) %.4f–%.4f, ε(MC) %.4f–%.4f, data/MC %.4f–%.4f",
        t.bins.map(\.dataEfficiency).filter(\.isFinite).min() ?? .nan, t.bins.map(\.dataEfficiency).filter(\.isFinite).max() ?? .nan,
        t.bins.map(\.mcEfficiency).filter(\.isFinite).min() ?? .nan, t.bins.map(\.mcEfficiency).filter(\.isFinite).max() ?? .nan,
        ratios.min() ?? .nan, ratios.max() ?? .nan)))
    }
    let flagged = weights.tables.reduce(0) { $0 + $1.bins.filter { !$0.flags.isEmpty }.count }
    if flagged > 0 { rows.append(("flagged bins", "\(flagged) (see the flags column of \(job.stem)_weights.csv)")) }
    // every weight table, as in *_weights.csv
    let header = weights.axes.map { "\($0.variable) bin" } + ["ε data", "ε MC", "data/MC", "stat ↑", "stat ↓", "sys", "flags"]
    let tables = weights.tables.map { t in
      (caption: (t.precut.isEmpty ? "" : t.precut + ", ") + t.cut, header: header, rows: t.bins.map { b in
        zip(b.lower, b.upper).map { "[\(String(format: "%g", $0)), \(String(format: "%g", $1)))" }
          + [b.dataEfficiency, b.mcEfficiency, b.ratio, b.statUp, b.statDown, b.sysUp].map { String(format: "%.4f", $0) }
          + [b.flags.joined(separator: " ")]
      })
    }
    return TaskReport(rows: rows, tables: tables)
  }

  func files(_ job: Job, _ dir: String) -> [(String, String)] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    let mine = names.filter { $0.hasPrefix(job.stem + "_") && !$0.hasSuffix(".json") || $0.hasSuffix("particleweighting.json") && $0.hasPrefix(job.stem) }
    return [("files", mine.sorted().joined(separator: ", "))]
  }

  func outputsExist(_ job: Job, _ dir: String) -> Bool {
    FileManager.default.fileExists(atPath: dir + "/" + job.stem + "_weights.json")
  }

  /// The entry's settings and the manifests of the sets it reads.
  func fingerprint(_ job: Job, _ e: Entry) throws -> String {
    var parts = [
      job.stem, job.mode.name, e.binning.map { "\($0.variable)=\($0.edges)" }.joined(separator: ";"),
      e.cuts.joined(separator: ";"), e.precuts.joined(separator: ";"), e.weight, e.selection,
    ]
    for (q, sample) in [(e.dataQuery, "data"), (e.mcQuery, "mc")] {
      parts.append(String(try store.manifestDigest(proc: q.proc, mode: job.mode.name, sample: sample), radix: 16))
    }
    return String(fnv1a64(parts.joined(separator: "\n")), radix: 16)
  }
}

/// Which jobs of the fixed-weights workflow are done, in `weight_dir`.
struct FixedWeightsState: Codable {
  var done: [String: String] = [:]

  static func path(_ directory: String) -> String { directory + "/.fixed_weights-state.json" }

  static func load(directory: String) throws -> FixedWeightsState {
    guard let data = FileManager.default.contents(atPath: path(directory)) else { return FixedWeightsState() }
    return (try? JSONDecoder().decode(FixedWeightsState.self, from: data)) ?? FixedWeightsState()
  }

  func save(directory: String) throws {
    try OutputFile.write(try OutputFile.json(self), to: Self.path(directory))
  }
}

