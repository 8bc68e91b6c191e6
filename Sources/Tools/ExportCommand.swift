import ArgumentParser
import ColumnStore
import Foundation
import Query

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a set (or some of its columns) to one standalone HDF5 file.",
    discussion: """
      The file has one 1-D dataset per column in the group 'ntuple'; h5py
      opens it with no custom code (with codec lz4 or zstd, `import
      hdf5plugin` first). In pandas:

        import h5py, pandas as pd
        with h5py.File("out.h5") as f:
            df = pd.DataFrame({k: v[()] for k, v in f["ntuple"].items() if isinstance(v, h5py.Dataset)})

      Example:
        syscorr export --mode Dst --proc proc12 --sample data --columns D0_K_p,D0_K_kaonID --out kaons.h5

      With --shard K/N each job writes its part of the rows to its own --out;
      the N files in order (e.g. as a --files-from list) are the whole set.
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var output: FileOutputOptions
  @OptionGroup var parallelism: ThreadsOption

  var codec: String { output.codec }
  var sync: Bool { output.sync }

  @Option(help: "Output HDF5 file.")
  var out: String

  @Option(parsing: .unconditional, help: "Columns to write: names or name=expr, comma-separated (default: all).")
  var columns: String?



  @Option(help: "Group name in the output file.")
  var group: String = NtupleFormat.defaultGroup

  @OptionGroup var sharding: RowShardOption

  func run() throws {
    try output.checkTarget(out)
    let source = try sharding.rows(of: try input.openSource())
    let specs = try columns.map(ColumnSpec.parseList)
    if let specs, specs.contains(where: { $0.name != $0.expression }) {
      // derived columns: the same row export as `query --columns`
      var export = RowExport(
        columns: specs, codec: try Codec(parsing: codec), threads: parallelism.threads ?? ProcessInfo.processInfo.activeProcessorCount,
        durable: sync, provenance: try Output.compactJSON(["command": Output.commandLine]))
      export.group = group
      let rows = try export.write(try Query(source: source), to: out)
      print("wrote \(Output.grouped(rows)) rows × \(specs.count) columns to \(out)")
      return
    }
    let names = specs?.map(\.name) ?? source.columns.map(\.name)
    let infos = try names.map { name -> ColumnInfo in
      guard let c = source.column(named: name) else {
        let suggestion = NameSuggestions.closest(to: name, in: source.columns.map(\.name))
        throw CommandError("no column '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""))
      }
      return c
    }
    let writer = try NtupleWriter(
      path: out, group: group, columns: infos, attributes: try source.ntupleAttributes, codec: try Codec(parsing: codec),
      chunkRows: NtupleFormat.chunkRows(forAtMost: source.rowCount), durable: sync)
    for k in source.chunkRanges.indices {
      try writer.append(try source.read(columns: names, chunk: k))
      Output.progress("export", source.chunkRanges[k].upperBound, source.rowCount)
    }
    let rows = try writer.finish()
    print("wrote \(Output.grouped(rows)) rows × \(infos.count) columns to \(out)")
  }
}
