import Foundation
import Testing

@testable import Analysis

@Suite struct WeightTableTests {
  func table(_ effs: [(Double, Double)], weight: String?, cut: String = "kaonID > 0.2") -> EfficiencyTable {
    let bins = effs.enumerated().map { i, e in
      EfficiencyTable.Bin(
        index: [i], lower: [Double(i)], upper: [Double(i + 1)], totalW: 100, totalW2: 100, passW: 100 * e.0, passW2: 100 * e.0,
        efficiency: e.0, error: e.1, errorLow: e.1, errorHigh: e.1 * 2, flags: [])
    }
    return EfficiencyTable(
      particle: "K", tracks: ["D0_K"], axes: [.init(variable: "p", edges: (0...effs.count).map(Double.init))], selection: "",
      weight: weight, trueSpecies: nil, unweighted: weight == nil, entries: 100,
      tables: [.init(precut: "", cut: cut, bins: bins, outsideW: 0)])
  }

  @Test func ratioAndUncertainties() throws {
    let w = try WeightTable(
      data: table([(0.9, 0.01), (0.5, 0.02)], weight: "sweight"), mc: table([(0.95, 0.005), (0.0, 0.0)], weight: nil),
      systematic: table([(0.88, 0.01), (0.5, 0.02)], weight: "sweight_syst"))
    let b = w.tables[0].bins[0]
    #expect(b.ratio == 0.9 / 0.95)
    // up uses the MC's lower error, down its upper one (2 × 0.005 here)
    #expect(abs(b.statUp - b.ratio * ((0.01 / 0.9) * (0.01 / 0.9) + (0.005 / 0.95) * (0.005 / 0.95)).squareRoot()) < 1e-15)
    #expect(abs(b.statDown - b.ratio * ((0.01 / 0.9) * (0.01 / 0.9) + (0.01 / 0.95) * (0.01 / 0.95)).squareRoot()) < 1e-15)
    #expect(abs(b.sysUp - abs(0.88 / 0.95 - 0.9 / 0.95)) < 1e-15)
    #expect(w.tables[0].variable == "kaonID" && w.tables[0].threshold == 0.2)
    #expect(w.tables[0].bins[1].flags.contains("zero_mc_efficiency"))
    // PIDVar: a bin without a ratio gets 1 ± 0; ParticleWeighting marks it invalid
    let pidvar = try w.pidvarCSV().split(separator: "\n")
    #expect(pidvar[2] == "1.0,2.0,kaonID,0.2,1.0,0.0,0.0,0.0,0.0")
    let pw = try w.particleWeighting(tableName: "PID_K")
    #expect(pw[0].tableName == "PID_K_kaonID_0p2")
    #expect(pw[0].tableIDSpec[1].info["valid"] == 0 && pw[0].tableIDSpec[0].info["valid"] == 1)
    #expect(pw[0].tableIDSpec[0].bin == ["p": [0, 1]])
    // `[[info, bin], id]`, as basf2's creator module takes it
    let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(pw[0].tableIDSpec[0])) as! [Any]
    #expect((json[1] as! Int) == 0 && (json[0] as! [Any]).count == 2)
  }

  @Test func thresholdsAreReadFromSimpleCutsOnly() {
    #expect(WeightTable.threshold(of: "kaonID > 0.2") == ("kaonID", 0.2))
    #expect(WeightTable.threshold(of: " binaryPID(321, 211) >= 0.5 ") == ("binaryPID(321, 211)", 0.5))
    #expect(WeightTable.threshold(of: "kaonID > 0.2 && p > 1") == (nil, nil))
    #expect(WeightTable.threshold(of: "kaonID < 0.2") == (nil, nil))
  }

  @Test func mismatchedTablesAreRefused() {
    #expect(throws: WeightTableError.mismatch) {
      _ = try WeightTable(data: self.table([(0.9, 0.01)], weight: nil), mc: self.table([(0.9, 0.01)], weight: nil, cut: "x > 1"))
    }
  }
}
