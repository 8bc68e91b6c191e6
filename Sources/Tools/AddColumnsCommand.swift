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

  @OptionGroup var target: TargetSetOptions

  func run() throws {
    let m = try target.calibrationMode()
    let table = try InputFile.open(file)
    var friends = FriendColumns(store: target.store.resolved, proc: target.proc, mode: m.name, sample: target.sample)
    friends.codec = try Codec(parsing: target.codec)
    friends.command = Output.commandLine
    let added = try friends.add(name: name, table: table)
    print("\(target.proc)/\(m.name)/\(target.sample): added \(added) with columns \(table.columns.map { $0.name + "_" + added.split(separator: "_").last! }.joined(separator: ", "))")
  }
}
