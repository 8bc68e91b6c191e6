import Testing
@testable import Modes
import ColumnStore

@Suite struct AliasGeneratorTests {
  func prefixes(_ decay: String, _ options: AliasOptions = .default) throws -> [String] {
    try AliasGenerator.selectedParticles(decay, options: options).map(\.defaultPrefix)
  }

  @Test func simpleNames() {
    let table: [(String, String)] = [
      ("D*+", "DST"), ("D0", "D0"), ("anti-D0", "D0"), ("K-", "K"), ("K+", "K"), ("pi+", "pi"),
      ("pi-", "pi"), ("pi0", "pi0"), ("p+", "p"), ("anti-p-", "p"), ("Lambda0", "Lambda0"),
      ("anti-Lambda0", "Lambda0"), ("e-", "e"), ("vpho", "vpho"), ("K*0", "KST0"),
      ("D_s*+", "D_sST"), ("J/psi", "Jpsi"), ("eta'", "etap"), ("Upsilon(4S)", "Upsilon4S"),
      ("K_S0", "K_S0"), ("tau+", "tau"), ("mu+", "mu"),
    ]
    for (name, simple) in table { #expect(DecayNode.simpleName(name) == simple, "\(name)") }
  }

  @Test func workedExamples() throws {
    #expect(try prefixes("D*+ -> [D0 -> ^K- ^pi+] ^pi+") == ["D0_K", "D0_pi", "pi"])
    #expect(try prefixes("^D*+ -> [^D0 -> ^K- ^pi+] ^pi+") == ["", "D0", "D0_K", "D0_pi", "pi"])
    #expect(try prefixes("Lambda0 -> ^p+ ^pi-") == ["p", "pi"])
    #expect(try prefixes("^Lambda0 -> ^p+ ^pi-") == ["", "p", "pi"])
    #expect(try prefixes("K_S0 -> ^pi+ ^pi-") == ["pi_0", "pi_1"])
    #expect(try prefixes("K_S0 -> ^pi+ ^pi-", AliasOptions(useRelativeIndices: true)) == ["pi_0", "pi_1"])
    #expect(try prefixes("^K_S0 -> ^pi+ ^pi-") == ["", "pi_0", "pi_1"])
    #expect(try prefixes("vpho -> [tau+ -> ^pi+ ^pi- ^pi+] [tau- -> ^pi-]")
      == ["tau_0_pi_0", "tau_0_pi_1", "tau_0_pi_2", "tau_1_pi"])
    #expect(try prefixes("B0 -> [D0 -> ^pi+ ^pi- ^pi0] ^pi0") == ["D0_pi_0", "D0_pi_1", "D0_pi0", "pi0"])
    #expect(try prefixes("B0 -> mu+ e- ^e+ ^e-") == ["e_2", "e_3"])
    #expect(try prefixes("B0 -> mu+ e- ^e+ ^e-", AliasOptions(useRelativeIndices: true)) == ["e_0", "e_1"])
    #expect(try prefixes("B0-> mu+ e- ^e+ ^e-") == ["e_2", "e_3"])
    #expect(try prefixes("D*+->[D0->^K- ^pi+]^pi+") == ["D0_K", "D0_pi", "pi"])
  }

  @Test func unselectedSiblingsAreNotInTheTree() throws {
    #expect(try prefixes("tau+ -> ^pi+ pi- pi+") == ["pi"])
    #expect(try prefixes("vpho -> [tau+ -> ^pi+ ^pi- ^pi+] [tau- -> ^e-]")
      == ["tau_0_pi_0", "tau_0_pi_1", "tau_0_pi_2", "tau_1_e"])
    #expect(try prefixes("vpho -> [^tau+ -> ^pi+ ^pi- ^pi+] [^tau- -> ^pi-]")
      == ["tau_0", "tau_0_pi_0", "tau_0_pi_1", "tau_0_pi_2", "tau_1", "tau_1_pi"])
    // basf2 docstring: 'B0 -> [D0 -> ^pi+ K-] pi0' gives D0_pi
    #expect(try prefixes("B0 -> [D0 -> ^pi+ K-] pi0") == ["D0_pi"])
  }

  @Test func dStarVariables() throws {
    let names = try AliasGenerator.createAliasesForSelected(["kaonID", "p"], "D*+ -> [D0 -> ^K- ^pi+] ^pi+")
    #expect(names == ["D0_K_kaonID", "D0_K_p", "D0_pi_kaonID", "D0_pi_p", "pi_kaonID", "pi_p"])
    let cols = try AliasGenerator.columns(variables: ["kaonID", "p"], decayString: "D*+ -> [D0 -> ^K- ^pi+] ^pi+")
    #expect(cols[0].expression == "daughter(0, daughter(0, kaonID))")
    #expect(cols[3].expression == "daughter(0, daughter(1, p))")
    #expect(cols[5].expression == "daughter(1, p)")
    #expect(cols[0].particle == "D0:K" && cols[0].variable == "kaonID" && cols[0].role == "D0_K")
    #expect(cols[4].particle == "pi")
  }

  @Test func selectedHeadKeepsBareNamesAndEscapesThem() throws {
    let cols = try AliasGenerator.columns(
      variables: ["M", "massDifference(0)", "useCMSFrame(p)"], decayString: "^D*+ -> [D0 -> K- ^pi+] ^pi+")
    #expect(cols.map(\.alias) == ["M", "massDifference(0)", "useCMSFrame(p)",
                                  "D0_pi_M", "D0_pi_massDifference_0", "D0_pi_useCMSFrame_p",
                                  "pi_M", "pi_massDifference_0", "pi_useCMSFrame_p"])
    #expect(cols[1].name == "massDifference__bo0__bc")
    #expect(cols[2].name == "useCMSFrame__bop__bc")
    #expect(cols[1].expression == "massDifference(0)" && cols[1].particle == "")
    // basf2 docstring example
    #expect(try AliasGenerator.createAliasesForSelected(["M", "p"], "^B0 -> pi+ ^pi-") == ["M", "p", "pi_M", "pi_p"])
  }

  @Test func relativeAndAlwaysIndices() throws {
    #expect(try prefixes("D*+ -> [D0 -> ^K- ^pi+] ^pi+", AliasOptions(alwaysIncludeIndices: true))
      == ["D0_0_K_0", "D0_0_pi_1", "pi_1"])
    #expect(try prefixes("D*+ -> [D0 -> ^K- ^pi+] ^pi+",
                         AliasOptions(alwaysIncludeIndices: true, useRelativeIndices: true))
      == ["D0_0_K_0", "D0_0_pi_0", "pi_0"])
    #expect(try prefixes("B0 -> [D0 -> ^pi+ ^pi- ^pi0] ^pi0", AliasOptions(useRelativeIndices: true))
      == ["D0_pi_0", "D0_pi_1", "D0_pi0", "pi0"])
    #expect(try prefixes("B0 -> [D0 -> K- ^pi+ ^pi-] ^pi0", AliasOptions(useRelativeIndices: false))
      == ["D0_pi_1", "D0_pi_2", "pi0"])
    #expect(try prefixes("B0 -> [D0 -> K- ^pi+ ^pi-] ^pi0", AliasOptions(useRelativeIndices: true))
      == ["D0_pi_0", "D0_pi_1", "pi0"])
  }

  @Test func noNames() throws {
    let o = AliasOptions(useNames: false, alwaysIncludeIndices: true, useRelativeIndices: true)
    #expect(try AliasGenerator.createAliasesForSelected(["p"], "B0 -> [D0 -> ^pi+ ^pi- ^pi0] ^pi0", options: o)
      == ["d0_d0_p", "d0_d1_p", "d0_d2_p", "d1_p"])
    #expect(try AliasGenerator.createAliasesForSelected(["p"], "^D*+ -> [D0 -> K- ^pi+] pi+", options: o)
      == ["p", "d0_d1_p"])
  }

  @Test func customPrefixes() throws {
    #expect(try AliasGenerator.createAliasesForSelected(
      ["M", "p"], "B0 -> [D0 -> ^pi+ ^pi- pi0] pi0", options: AliasOptions(prefixes: ["pip", "pim"]))
      == ["pip_M", "pip_p", "pim_M", "pim_p"])
    let cols = try AliasGenerator.columns(
      variables: ["M", "p"], decayString: "^B0 -> pi+ ^pi-", options: AliasOptions(prefixes: ["MyB", "MyPi"]))
    #expect(cols.map(\.alias) == ["MyB_M", "MyB_p", "MyPi_M", "MyPi_p"])
    #expect(cols[0].expression == "M" && cols[3].expression == "daughter(1, p)")
    let tooFew = #expect(throws: ColumnStoreError.self) {
      try AliasGenerator.createAliasesForSelected(["p"], "B0 -> ^pi+ ^pi-", options: AliasOptions(prefixes: ["a"]))
    }
    #expect(tooFew?.kind == .invalidInput)
    #expect(tooFew?.path == "B0 -> ^pi+ ^pi-")
    #expect(tooFew?.message
      == "1 custom prefixes given for 2 selected particles in 'B0 -> ^pi+ ^pi-' (walk order: pi_0, pi_1)")
    let repeated = #expect(throws: ColumnStoreError.self) {
      try AliasGenerator.createAliasesForSelected(["p"], "B0 -> ^pi+ ^pi-", options: AliasOptions(prefixes: ["a", "a"]))
    }
    #expect(repeated?.kind == .invalidInput)
    #expect(repeated?.message == "custom prefixes must be unique; 'a' repeats")
  }

  @Test func userPrefixMapGivesOlderStyle() throws {
    let map = ["D0_K": "DST_D0_K_", "D0_pi": "DST_D0_pi", "pi": "DST_pi_"]
    let names = try AliasGenerator.createAliasesForSelected(
      ["p", "pidLogLikelihoodValueExpert(321, TOP)"], "D*+ -> [D0 -> ^K- ^pi+] ^pi+",
      options: AliasOptions(prefixMap: map))
    #expect(names == ["DST_D0_K_p", "DST_D0_K_pidLogLikelihoodValueExpert_321_TOP",
                      "DST_D0_pi_p", "DST_D0_pi_pidLogLikelihoodValueExpert_321_TOP",
                      "DST_pi_p", "DST_pi_pidLogLikelihoodValueExpert_321_TOP"])
  }

  @Test func sanitising() {
    let table: [(String, String)] = [
      ("binaryPID(321, 211)", "binaryPID_321_211"),
      ("pidProbabilityExpert(321, TOP)", "pidProbabilityExpert_321_TOP"),
      ("pidLogLikelihoodValueExpert(211, CDC)", "pidLogLikelihoodValueExpert_211_CDC"),
      ("abs(dz)", "abs_dz"), ("useCMSFrame(p)", "useCMSFrame_p"),
      ("matchedMC(useLabFrame(px))", "matchedMC_useLabFrame_px"),
      ("binaryPID(11, -211)", "binaryPID_11_211"), ("kaonID", "kaonID"), ("__x__", "x"),
    ]
    for (v, s) in table { #expect(VariableNames.sanitize(v) == s, "\(v)") }
  }

  @Test func rootCompatible() {
    #expect(VariableNames.makeROOTCompatible("daughter(0, kaonID)") == "daughter__bo0__cm__spkaonID__bc")
    #expect(VariableNames.makeROOTCompatible("massDifference(0)") == "massDifference__bo0__bc")
    #expect(VariableNames.makeROOTCompatible("D0_K_binaryPID_321_211") == "D0_K_binaryPID_321_211")
    #expect(VariableNames.invertMakeROOTCompatible("daughter__bo0__cm__spkaonID__bc") == "daughter(0, kaonID)")
  }

  @Test func labelsAndArrowsAreAccepted() throws {
    #expect(try prefixes("D*+:good -> [D0:kpi -> ^K-:loose ^pi+:all] ^pi+:slow") == ["D0_K", "D0_pi", "pi"])
    #expect(try prefixes("B0 =direct=> [D0 -> ^K- pi+ ...] ^pi0 ?gamma") == ["D0_K", "pi0"])
    let head = try DecayString.parse("^D*+ -> [^D0 -> ^K-:loose ^pi+] ^pi+")
    #expect(head.selected && head.daughters.count == 2 && head.daughters[0].daughters[0].label == "loose")
    #expect(head.daughters[0].offset == 10)
  }

  @Test func invalidDecayStrings() {
    let bad: [(String, Int)] = [
      ("", 0),
      ("D*+", 3),                               // no arrow
      ("D*+ ->", 4),                            // no daughters
      ("D*+ -> [D0 -> ^K- ^pi+ ^pi+", 27),      // unclosed bracket
      ("D*+ -> D0 -> ^K- ^pi+] ^pi+", 10),      // nested arrow without bracket
      ("D*+ -> [D0 -> ^K- ^pi+]] ^pi+", 23),    // extra ]
      ("D*+ -> [D0] ^pi+", 10),                 // bracket without decay
      ("D*+ -> ^ ^pi+", 9),                     // ^ without particle
      ("D*+ -> ^[D0 -> K- pi+] pi+", 7),        // mark outside bracket
      ("-> K- pi+", 0),                         // no head
      ("D0 -> K-: pi+", 9),                     // empty label
    ]
    for (s, pos) in bad {
      do {
        _ = try DecayString.parse(s)
        Issue.record("'\(s)' parsed")
      } catch let e as DecayStringError {
        #expect(e.position == pos, "'\(s)': \(e)")
        #expect(e.description.hasPrefix("Invalid decay string at column"))
      } catch {
        Issue.record("unexpected \(error)")
      }
    }
    let none = #expect(throws: ColumnStoreError.self) { try AliasGenerator.selectedParticles("D0 -> K- pi+") }
    #expect(none?.kind == .invalidInput)
    #expect(none?.path == "D0 -> K- pi+")
    #expect(none?.message == "no particle selected in decay string 'D0 -> K- pi+' (mark one with '^')")
  }
}
