import ArgumentParser
import ColumnStore
import Query

@main
struct SysCorr: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "syscorr",
    abstract: "Store, query and calibrate Belle II PID ntuples.",
    subcommands: [LsCommand.self])
}
