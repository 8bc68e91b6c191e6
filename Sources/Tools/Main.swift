import Dispatch
import Foundation
import ColumnStore

/// The program's entry point: runs the `syscorr` command tree. With
/// `SYSCORR_TIMING=1` in the environment it ends by printing on stderr the
/// time from entry to exit and the part of it spent parsing the command line
/// (`timing: total <s> parse <s>`); the benchmarks report both, total minus
/// parse being the peers' clock (which starts after imports and argparse).
@main
enum Main {
  static func main() {
    let start = DispatchTime.now().uptimeNanoseconds
    MemoryReuse.enable()
    var parsed = start
    do {
      try RepeatedOptionCheck.check(Array(CommandLine.arguments.dropFirst()), root: SysCorr.self)
      var command = try SysCorr.parseAsRoot()
      parsed = DispatchTime.now().uptimeNanoseconds
      try command.run()
    } catch {
      ErrorWording.exit(error)
    }
    if ProcessInfo.processInfo.environment["SYSCORR_TIMING"] == "1" {
      let now = DispatchTime.now().uptimeNanoseconds
      let seconds = Double(now - start) / 1e9
      let parsing = Double(parsed - start) / 1e9
      FileHandle.standardError.write(Data("timing: total \(seconds) parse \(parsing)\n".utf8))
    }
  }
}
