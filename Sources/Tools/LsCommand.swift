import ArgumentParser
import ColumnStore
import Modes
import Foundation

/// `syscorr ls FILE.root`: the directories, trees, entries, branches and
/// column types of a ROOT file, read without ROOT.
struct LsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ls",
    abstract: "List the directories, trees, branches and types of a ROOT file.",
    discussion: """
      For every tree (TTree, TNtuple; the highest cycle of each name, in any \
      sub-directory) shows its entry count and each branch with its column \
      type. Branches that are not flat scalars (strings such as \
      __MCDecayString__, arrays, objects) are marked as skipped with the \
      reason, and a notice on stderr counts them. A file without any flat \
      branch to read ends with a "nothing flat here" line.

      Examples:
        syscorr ls ntuple.root
        syscorr ls ntuple.root --tree subdir/variables
        syscorr ls --json ntuple.root
        syscorr ls --check ntuple.root
        syscorr ls --recover crashed-job.root
      """)

  @Argument(help: "The ROOT file to list.")
  var file: String

  @Option(help: "Only this tree (`name` or `dir/name`).")
  var tree: String?

  @Flag(help: "Print JSON instead of text.")
  var json = false

  @Flag(help: "Ignore the key lists and scan the records from the start of the file (for files whose writer never closed them; C++ ROOT files only).")
  var recover = false

  @Flag(help: "Also read every flat branch of the listed trees (verifies the file; prints the read throughput).")
  var check = false

  func run() throws {
    let root = try ROOTFile(path: file, recover: recover)
    var trees = root.trees
    if let tree {
      trees = [try root.tree(named: tree).info]
    }
    if check {
      for t in trees {
        let started = Date()
        let source = try root.tree(named: t.path)
        let names = source.columns.map(\.name)
        var bytes = 0
        for chunk in source.chunkRanges.indices {
          for (_, buffer) in try source.read(columns: names, chunk: chunk) {
            bytes += buffer.count * buffer.type.byteWidth
          }
        }
        let seconds = Date().timeIntervalSince(started)
        let rate = seconds > 0 ? Double(bytes) / seconds / 1e6 : 0
        FileHandle.standardError.write(
          Data(
            "checked \(t.path): \(names.count) columns x \(source.rowCount) rows, \(bytes) bytes in \(String(format: "%.3f", seconds)) s (\(String(format: "%.0f", rate)) MB/s, \(source.chunkRanges.count) chunks)\n"
              .utf8))
      }
    }
    if json {
      print(try Self.json(root, trees: trees))
    } else {
      print(Self.text(root, trees: trees), terminator: "")
      for t in trees where !t.skippedBranches.isEmpty {
        let names = t.skippedBranches.map(\.name)
        let shown = names.prefix(8).joined(separator: ", ") + (names.count > 8 ? ", ..." : "")
        FileHandle.standardError.write(
          Data(
            "notice: tree '\(t.path)': \(names.count) non-flat branch\(names.count == 1 ? "" : "es") skipped (\(shown))\n"
              .utf8))
      }
    }
    // the listing is printed, but a tree that cannot be read is a failure
    let unreadable = trees.filter { $0.error != nil }
    if !unreadable.isEmpty {
      throw CommandError(
        "\(unreadable.count) tree\(unreadable.count == 1 ? "" : "s") cannot be read: "
          + unreadable.map { "\($0.path): \($0.error!)" }.joined(separator: "; "))
    }
  }

  struct Listing: Codable {
    var file: String
    var bytes: Int
    var rootVersion: String
    var fVersion: Int
    var fCompress: Int
    var directories: [String]
    var objects: [ROOTObjectInfo]
    var trees: [ROOTTreeInfo]

    enum CodingKeys: String, CodingKey {
      case file, bytes, rootVersion = "root_version", fVersion = "f_version", fCompress = "f_compress"
      case directories, objects, trees
    }
  }

  static func json(_ root: ROOTFile, trees: [ROOTTreeInfo]) throws -> String {
    let listing = Listing(
      file: root.path, bytes: root.fileSize, rootVersion: root.writerVersion, fVersion: root.version,
      fCompress: root.compression, directories: root.directories, objects: root.objects, trees: trees)
    return try Output.json(listing)
  }

  static func text(_ root: ROOTFile, trees: [ROOTTreeInfo]) -> String {
    var out = "\(root.path): \(root.fileSize) bytes, ROOT \(root.writerVersion), fCompress \(root.compression)\n"
    if !root.directories.isEmpty {
      out += "directories: \(root.directories.joined(separator: ", "))\n"
    }
    let treeClasses: Set<String> = ["TTree", "TNtuple", "TNtupleD", "TDirectory", "TDirectoryFile"]
    let others = root.objects.filter { !treeClasses.contains($0.className) }
    if !others.isEmpty {
      out += "other objects: " + others.map { "\($0.path);\($0.cycle) (\($0.className))" }.joined(separator: ", ") + "\n"
    }
    if root.trees.isEmpty { out += "no trees\n" }
    for t in trees {
      if let error = t.error {
        out += "\n\(t.className) \(t.path);\(t.cycle): cannot be read: \(error)\n"
        continue
      }
      let flat = t.branches.filter(\.isFlat).count
      out += "\n\(t.className) \(t.path);\(t.cycle) (v\(t.classVersion)): \(t.entries) entries, "
        + "\(flat) flat branch\(flat == 1 ? "" : "es")"
        + (t.skippedBranches.isEmpty ? "" : ", \(t.skippedBranches.count) skipped") + "\n"
      let width = min(40, t.branches.map(\.name.count).max() ?? 0)
      for b in t.branches {
        let name = b.name.padding(toLength: max(width, b.name.count), withPad: " ", startingAt: 0)
        if let type = b.type {
          let kind = type.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
          out += "  \(name)  \(kind) \(b.leafClass), \(b.baskets) basket\(b.baskets == 1 ? "" : "s")\n"
        } else {
          out += "  \(name)  skipped: \(b.skipReason ?? "not flat")\n"
        }
      }
    }
    if !trees.contains(where: { $0.error == nil && $0.branches.contains(where: \.isFlat) }) {
      let readable = trees.filter { $0.error == nil }
      let skipped = readable.reduce(0) { $0 + $1.skippedBranches.count }
      out += "\nnothing flat here: "
        + (trees.isEmpty
          ? "the file holds no TTree or TNtuple"
          : readable.isEmpty
            ? "no listed tree can be read"
            : "no listed tree has a flat branch (\(skipped) non-flat branch\(skipped == 1 ? "" : "es") skipped)")
        + "\n"
    }
    return out
  }
}
