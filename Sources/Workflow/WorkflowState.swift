import Analysis
import ColumnStore
import Foundation
import Numerics
import Report

/// What a workflow has finished, kept in `workflows/{name}-state.json` of the
/// store: per task, the fingerprint of its inputs and settings when it
/// completed. A task whose fingerprint is unchanged is skipped on a rerun; the
/// state is saved after each task, so an interrupted run resumes where it stopped.
struct WorkflowState: Codable {
  var name: String
  var done: [String: String] = [:]

  static func load(store: Store, name: String) throws -> WorkflowState {
    let path = store.outputPath(.workflows, "\(name)-state.json")
    guard let data = FileManager.default.contents(atPath: path) else { return WorkflowState(name: name) }
    return (try? JSONDecoder().decode(WorkflowState.self, from: data)) ?? WorkflowState(name: name)
  }

  func save(store: Store) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    try store.writeOutput(try e.encode(self), to: .workflows, named: "\(name)-state.json")
  }

  /// Files by path, size and modification time, plus the settings that shape the result.
  static func fingerprint(files: [String], settings: [String: String]) throws -> String {
    var parts: [String] = []
    for f in files {
      let a = try FileManager.default.attributesOfItem(atPath: f)
      let size = (a[.size] as? NSNumber)?.intValue ?? -1
      let mtime = (a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
      parts.append("\(f) \(size) \(mtime)")
    }
    for (k, v) in settings.sorted(by: { $0.key < $1.key }) { parts.append("\(k)=\(v)") }
    return String(fnv1a64(parts.joined(separator: "\n")), radix: 16)
  }
}

/// What a workflow did, task by task, and its HTML report.
public struct WorkflowOutcome: Sendable {
  public struct Task: Sendable {
    public var key: String
    public var status: String
    /// The output file stem (`proc12_Dst_data`), for plots.
    public var stem: String
    public var rows: [(String, String)] = []
    public var fitValid: Bool?

    init(key: String, status: String, stem: String) {
      self.key = key
      self.status = status
      self.stem = stem
    }

    mutating func add(_ r: FitJobResult) {
      let n = r.fit.nominal.report
      fitValid = n.valid && (r.fit.systematic?.report.valid ?? true)
      rows.append(("nominal fit", "\(n.status), N(signal) = \(fmt(n.yields["signal"])), edm \(String(format: "%.2g", n.edm))"))
      if let s = r.fit.systematic?.report {
        rows.append(("systematic fit", "\(s.status), N(signal) = \(fmt(s.yields["signal"]))"))
      }
      if let friend = r.friend, let c = r.summary?.splot {
        rows.append(("sWeights", "\(friend): max |Σ_n w − 1| = \(String(format: "%.1e", c.nominal.maxUnitSumDeviation))"))
      }
      if let pull = r.validation?.maxAbsPull {
        rows.append(("validation", String(format: "max |pull| sWeighted vs truth = %.2f", pull)))
      }
    }

    func fmt(_ v: ValueWithError?) -> String {
      guard let v else { return "-" }
      return String(format: "%.1f ± %.1f", v.value, v.error)
    }
  }

  public var name: String
  public var tasks: [Task] = []
  public var unusedSettings: [String]
  public var reportPath: String?

  init(name: String, unusedSettings: [String] = []) {
    self.name = name
    self.unusedSettings = unusedSettings
  }

  /// `workflows/{name}.html` with every task and its plot (SVGs in `plots/`).
  mutating func writeReport(store: Store) throws {
    var page = HTMLReport(title: "SysCorr workflow: \(name)", summary: [
      ("store", store.root), ("tasks", "\(tasks.count)"),
      ("written", ISO8601DateFormatter().string(from: Date())),
    ] + (unusedSettings.isEmpty ? [] : [("unused settings (grid only)", unusedSettings.joined(separator: ", "))]))
    for t in tasks {
      let plot = "../plots/\(t.stem).svg"
      let exists = FileManager.default.fileExists(atPath: store.outputPath(.plots, "\(t.stem).svg"))
      page.sections.append(.init(title: t.key, status: t.status, rows: t.rows, plots: exists ? [plot] : []))
    }
    reportPath = try store.writeOutput(Data(page.render().utf8), to: .workflows, named: "\(name).html")
  }
}
