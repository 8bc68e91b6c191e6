import ArgumentParser
import ColumnStore
import Query


struct SysCorr: ParsableCommand {
  /// The release (`syscorr --version`); stored in provenance.
  static let version = "0.3.0"

  static let configuration = CommandConfiguration(
    commandName: "syscorr",
    abstract: "Store, query and calibrate Belle II PID ntuples.",
    discussion: """
      Start with `make demo`, or:
        syscorr show-db                          what the store holds
        syscorr show-variables Dst --stats       columns of a calibration mode
        syscorr query --mode Dst --proc proc12 --sample data --cut 'D0_K_kaonID > 0.2' --count
      """,
    version: SysCorr.version,
    subcommands: [
      ShowDBCommand.self, ShowVariablesCommand.self, QueryCommand.self, IngestCommand.self,
      FitCommand.self, EfficiencyCommand.self, WeightsCommand.self, ROCCommand.self, PlotCommand.self, MultiTrackCommand.self, CombineCommand.self, KDECommand.self, MergeCommand.self, PlanCommand.self, WorkflowCommand.self, GenerateCommand.self, ExportCommand.self, AddColumnsCommand.self, LsCommand.self, AliasesCommand.self,
      TruthCommand.self, FuzzCommand.self,
    ])
}
