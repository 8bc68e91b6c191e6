import ArgumentParser
import ColumnStore
import Foundation

struct IngestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ingest",
    abstract: "Put ntuple files into the store.",
    discussion: """
      Each input becomes one file of the set PROC/MODE/SAMPLE, re-chunked
      with per-chunk statistics. Inputs: HDF5 files with one 1-D dataset per
      column (h5py style; FILE.h5:GROUP picks a group) and CSV files with a
      header row. All inputs are checked before anything is written, and the
      store changes only when every file is complete.

      Example:
        syscorr ingest kaons.h5:variables --mode Dst --proc proc12 --sample data
      """)

  @Argument(help: "Input files: FILE.h5[:GROUP] or FILE.csv.")
  var files: [String]

  @OptionGroup var target: TargetSetOptions

  @Flag(help: "Replace the set's files instead of appending.")
  var replace = false

  func run() throws {
    let m = try target.calibrationMode()
    let sources = try files.map { spec in (name: spec, table: try InputFile.open(spec)) }
    var ingest = try target.ingest(mode: m, label: "ingest")
    ingest.replace = replace
    let set = try ingest.run(sources)
    print("\(target.proc)/\(m.name)/\(target.sample): \(set.files.count) files, \(Output.grouped(set.entries)) entries, \(set.columns.count) columns")
  }
}
