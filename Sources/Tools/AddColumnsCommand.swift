import ArgumentParser
import ColumnStore
import Foundation

struct AddColumnsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add-columns",
    abstract: "Add derived columns (sWeights, resampled PID) to a set as a new friend version.",
    discussion: """
      The input's rows must parallel the set's rows in order (row i belongs
      to row i of the set, files in catalog order). The base files are not
      rewritten: the columns go to friend files, versioned — the friend set
      is NAME_vN and each column gets the suffix _vN — so earlier versions
      stay available.

      Example:
        syscorr add-columns sweights.h5 --name sweights --mode Dst --proc proc12 --sample data
        # → columns sw_signal_v1, sw_background_v1; show-db lists sweights_v1
      """)

  @Argument(help: "FILE.h5[:GROUP] or FILE.csv holding the new columns.")
  var file: String

  @Option(help: "Friend set name; the version suffix _vN is added.")
  var name: String

  @Option(help: "Calibration mode.")
  var mode: String

  @Option(help: "Processing.")
  var proc: String

  @Option(help: "data or mc.")
  var sample: String

  @Option(help: "Store directory (default: $SYSCORR_STORE or ./syscorr-store).")
  var store: String?

  @Option(help: "Codec: none, lz4, zstd[:level], deflate[:level].")
  var codec: String = NtupleFormat.defaultCodec.description

  func run() throws {
    let table = try InputFile.open(file)
    var friends = FriendColumns(
      store: Store(path: store ?? ProcessInfo.processInfo.environment["SYSCORR_STORE"] ?? "syscorr-store"),
      proc: proc, mode: mode, sample: sample)
    friends.codec = try Codec(parsing: codec)
    friends.command = Output.commandLine
    let added = try friends.add(name: name, table: table)
    print("\(proc)/\(mode)/\(sample): added \(added) with columns \(table.columns.map { $0.name + "_" + added.split(separator: "_").last! }.joined(separator: ", "))")
  }
}
