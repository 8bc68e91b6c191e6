import Foundation
import Testing
@testable import Tools

@Suite struct PlotCommandTests {
  @Test func helpHasAnExample() {
    let help = PlotCommand.helpMessage()
    #expect(help.contains("syscorr plot --mode Dst"))
    #expect(help.contains("--overlay"))
  }

  /// Expressions, selections and ranges may start with `-`.
  @Test func valuesStartingWithMinusAreValues() throws {
    let c = try PlotCommand.parse([
      "--expr", "-D0_M", "--bins", "4", "--range", "-1.9,-1.8", "--select", "-D0_M < -1.85", "--overlay", "-D0_K_p > -2",
      "--weight", "-sweight",
    ])
    #expect(c.expr == "-D0_M")
    #expect(c.select == "-D0_M < -1.85")
    #expect(c.overlay == ["-D0_K_p > -2"])
    #expect(c.weight == "-sweight")
    #expect(try c.axis().edges == [-1.9, -1.875, -1.85, -1.825, -1.8])
  }

  @Test func binningIsValidatedBeforeAnythingIsRead() {
    for args in [
      ["--expr", "x", "--bins", "4", "--range", "1,0"], ["--expr", "x", "--bins", "0", "--range", "0,1"],
      ["--expr", "x", "--edges", "0"], ["--expr", "x"], ["--expr", "x", "--bins", "4"],
      ["--expr", "x", "--bins", "4", "--range", "0,1", "--edges", "0,1"], ["--expr", " ", "--edges", "0,1"],
      ["--expr", "x", "--edges", "0,1", "--out", "plot.png"],
    ] {
      #expect(throws: (any Error).self) { try PlotCommand.parse(args) }
    }
  }

  @Test func companionsSitBesideTheSVG() {
    #expect(PlotCommand.companions("a/b.svg") == ("a/b.json", "a/b.h5"))
    #expect(PlotCommand.companions("a/b.SVG") == ("a/b.json", "a/b.h5"))
  }
}
