import ArgumentParser
import ColumnStore
import Foundation

struct IngestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ingest",
    abstract: "Put ntuple files into the store.",
    discussion: """
      Each input becomes one file of the set PROC/MODE/SAMPLE, re-chunked
      with per-chunk statistics and column types kept (__event__ stays
      uint32). Inputs: basf2 ROOT ntuples (flat TTrees; the tree `variables`,
      else the only tree, or --tree / FILE.root:dir/tree), HDF5 files with one
      1-D dataset per column (h5py style; FILE.h5:GROUP picks a group) and CSV
      files with a header row. Non-flat ROOT branches (strings, arrays) are
      skipped with a notice. All inputs are checked before anything is
      written, and the store changes only when every file is complete.

      Examples:
        syscorr ingest ntuple.root --mode Dst --proc proc12 --sample data
        syscorr ingest kaons.h5:variables --mode Dst --proc proc12 --sample data
      """)

  @Argument(help: "Input files: FILE.root[:dir/tree], FILE.h5[:GROUP] or FILE.csv.")
  var files: [String]

  @Option(help: "The tree to read from ROOT inputs (default: variables, else the only tree).")
  var tree: String?

  @OptionGroup var target: TargetSetOptions

  @Flag(help: "Replace the set's files instead of appending.")
  var replace = false

  func run() throws {
    let m = try target.calibrationMode()
    let sources = try files.map { spec -> (name: String, table: any ColumnSource) in
      if let tree {
        guard spec.lowercased().hasSuffix(".root") else {
          let inner = spec.lowercased().contains(".root:")
          throw CommandError(
            inner
              ? "\(spec) names its tree already; give the tree once (drop --tree \(tree) or the ':…' part)"
              : "--tree \(tree) applies to ROOT files, not \(spec)")
        }
      }
      let named = tree.map { spec + ":" + $0 } ?? spec
      let table = try InputFile.open(named)
      let skipped = InputFile.skippedBranches(of: table)
      if !skipped.isEmpty {
        FileHandle.standardError.write(Data(
          "notice: \(spec): skipping \(skipped.count) non-flat branches: \(skipped.joined(separator: ", "))\n".utf8))
      }
      return (spec, table)
    }
    var ingest = try target.ingest(mode: m, label: "ingest")
    ingest.replace = replace
    let set = try ingest.run(sources)
    print("\(target.proc)/\(m.name)/\(target.sample): \(set.files.count) file\(set.files.count == 1 ? "" : "s"), \(Output.grouped(set.entries)) entries, \(set.columns.count) columns")
  }
}
