import ColumnStore
import Testing

@testable import Query

/// Cut strings in the forms basf2 users write (reference §3), on a table
/// whose columns carry the sanitised metavariable names.
@Suite struct Basf2ExamplesTests {
  let table = try! MemoryTable(columns: [
    (ColumnInfo(name: "Dst_Q", type: .float64), .float64([0.145, 0.150, 0.144, .nan])),
    (ColumnInfo(name: "dz", type: .float64), .float64([-1, 3, 0.5, 2])),
    (ColumnInfo(name: "isSignal", type: .float64), .float64([1, 0, .nan, 1])),
    (ColumnInfo(name: "nTracks", type: .int32), .int32([3, 5, 4, 2])),
    (ColumnInfo(name: "goodBelleGamma", type: .bool), .bool([true, false, true, true])),
    (ColumnInfo(name: "binaryPID_321_211", type: .float64), .float64([0.9, 0.1, 0.7, 0.5])),
    (ColumnInfo(name: "pidProbabilityExpert_321_TOP", type: .float64), .float64([0.8, 0.2, 0.1, 0.9])),
    (ColumnInfo(name: "nParticlesInList_pi_all", type: .int32), .int32([1, 0, 2, 1])),
    (ColumnInfo(name: "daughter__bo0__cm__spkaonID__bc", type: .float64), .float64([0.3, 0.6, 0.9, 0.1])),
    (ColumnInfo(name: "extraInfo_decayModeID", type: .float64), .float64([1, 2, 1, 0])),
    (ColumnInfo(name: "AND", type: .int32), .int32([1, 1, 0, 0])),
  ])

  func passing(_ cut: String, _ equality: FloatEquality = .basf2) throws -> [Int64] {
    try Query(cut: cut, source: table, equality: equality).run(RowCollector([], includeRowNumbers: true)).rowNumbers
  }

  @Test func examples() throws {
    #expect(try passing("0.1439 < Dst_Q < 0.1469") == [0, 2])
    #expect(try passing("abs(dz) < 2 and nTracks >= 3") == [0, 2])
    #expect(try passing("isSignal") == [0, 3])  // a double as a condition: NaN is false
    #expect(try passing("isSignal == 1") == [0, 3])
    #expect(try passing("not isSignal") == [1, 2])
    #expect(try passing("[nTracks > 3] or [goodBelleGamma and dz < 0]") == [0, 1, 2])
    #expect(try passing("binaryPID(321, 211) > 0.6") == [0, 2])
    #expect(try passing("pidProbabilityExpert(321, TOP) > 0.5") == [0, 3])
    #expect(try passing("nParticlesInList(pi+:all) > 0") == [0, 2, 3])
    #expect(try passing("daughter(0, kaonID) > 0.5") == [1, 2])
    #expect(try passing("extraInfo(decayModeID) == 1") == [0, 2])
    #expect(try passing("1 < nTracks != 4") == [0, 1, 3])
    #expect(try passing("AND == 1") == [0, 1])  // upper-case words are names
    #expect(try passing("nTracks / 2 == 1.5") == [0])  // int / int is a double
    #expect(try passing("goodBelleGamma == 1") == [0, 2, 3])  // bool compares as int
    #expect(try passing("1.2 == goodBelleGamma") == [])  // bool∘double compares as double
    #expect(try passing("-dz**2 < -3") == [1, 3])
    #expect(try passing("dz**2 == 9 or dz^2 == 4") == [1, 3])
    #expect(try passing("") == [0, 1, 2, 3])
  }
}
