import Foundation
import Testing
@testable import Modes
import ColumnStore

@Suite struct CalibrationModeTests {
  static let modesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("schemas/modes")

  /// Regenerates schemas/modes/*.yaml from the built-ins (SYSCORR_WRITE_MODES=1).
  @Test func writeYAMLWhenAsked() throws {
    guard ProcessInfo.processInfo.environment["SYSCORR_WRITE_MODES"] != nil else { return }
    for mode in CalibrationMode.builtins {
      let header = """
        # SysCorr calibration mode '\(mode.name)'. Must stay identical to the built-in
        # CalibrationMode.\(mode.name == "Dst" ? "dst" : mode.name == "Lambda0" ? "lambda0" : mode.name == "KS" ? "ks" : "tau3x1") (checked by CalibrationModeTests). Fields: README.md.

        """
      let path = Self.modesDirectory.appendingPathComponent("\(mode.name).yaml").path
      try (header + mode.yaml()).write(toFile: path, atomically: true, encoding: .utf8)
    }
  }

  @Test(arguments: ["Dst", "Lambda0", "KS", "tau3x1"])
  func yamlFileMatchesBuiltin(name: String) throws {
    let path = Self.modesDirectory.appendingPathComponent("\(name).yaml").path
    let loaded = try CalibrationMode.load(contentsOf: path)
    let builtin = try #require(CalibrationMode.builtin(named: name))
    #expect(loaded == builtin)
  }

  @Test func builtinsAreValidAndNamedByTheAliasGenerator() throws {
    #expect(CalibrationMode.builtins.map(\.name) == ["Dst", "Lambda0", "KS", "tau3x1"])
    for mode in CalibrationMode.builtins {
      try mode.validate()
      let sel = try AliasGenerator.selectedParticles(mode.decayString)
      #expect(sel.map(\.defaultPrefix) == mode.particles.map(\.prefix))
      let data = try mode.columns(isMC: false).map(\.name)
      #expect(!data.contains { $0.hasSuffix("isSignal") || $0.hasSuffix("mcPDG") || $0 == "mcErrors" })
    }
    #expect(CalibrationMode.dst.particles.map(\.prefix) == ["", "D0", "D0_K", "D0_pi", "pi"])
    #expect(CalibrationMode.tau3x1.particles.map(\.prefix) == ["tau_0_pi_0", "tau_0_pi_1", "tau_0_pi_2", "tau_1_pi"])
    #expect(CalibrationMode.builtin(named: "dst") == .dst)
    #expect(CalibrationMode.builtin(named: "lambda") == .lambda0)
  }

  /// The §8 column lists of the reference are all present.
  @Test func referenceColumnsPresent() throws {
    let dst = Set(try CalibrationMode.dst.columns(isMC: true).map(\.name))
    let expected = """
      M dM Q p cosTheta isSignal mcErrors chiProb massDifference__bo0__bc
      D0_M D0_InvM D0_dM D0_p D0_cosTheta D0_isSignal D0_chiProb D0_flightDistance D0_significanceOfDistance
      D0_K_p D0_K_pt D0_K_cosTheta D0_K_theta D0_K_phi D0_K_charge D0_K_dr D0_K_dz D0_K_nCDCHits
      D0_K_kaonID D0_K_pionID D0_K_binaryPID_321_211 D0_K_pidProbabilityExpert_321_TOP
      D0_K_pidLogLikelihoodValueExpert_321_CDC D0_K_isSignal D0_K_mcPDG D0_K_PDG
      D0_pi_p D0_pi_pt D0_pi_cosTheta D0_pi_charge D0_pi_dr D0_pi_dz D0_pi_nCDCHits D0_pi_pionID
      D0_pi_kaonID D0_pi_binaryPID_211_321 D0_pi_isSignal D0_pi_mcPDG
      pi_p pi_pt pi_cosTheta pi_charge pi_dr pi_dz pi_nCDCHits pi_pionID pi_isSignal pi_mcPDG
      """.split(whereSeparator: \.isWhitespace).map(String.init)
    #expect(Set(expected).subtracting(dst).isEmpty, "\(Set(expected).subtracting(dst))")
    let ks = Set(try CalibrationMode.ks.columns(isMC: true).map(\.name))
    for v in ["p", "pt", "cosTheta", "theta", "phi", "charge", "dr", "dz", "nCDCHits", "pionID",
              "kaonID", "electronID", "muonID", "binaryPID_211_321", "isSignal", "mcPDG"] {
      #expect(ks.contains("pi_0_" + v) && ks.contains("pi_1_" + v))
    }
    let tau = Set(try CalibrationMode.tau3x1.columns(isMC: true).map(\.name))
    for p in ["tau_0_pi_0", "tau_0_pi_1", "tau_0_pi_2", "tau_1_pi"] {
      for v in ["p", "cosTheta", "charge", "dr", "dz", "pionID", "kaonID", "electronID", "muonID", "isSignal", "mcPDG"] {
        #expect(tau.contains("\(p)_\(v)"))
      }
    }
    let lam = Set(try CalibrationMode.lambda0.columns(isMC: true).map(\.name))
    for c in ["M", "InvM", "cosAngleBetweenMomentumAndVertexVector", "p_p", "p_protonID",
              "p_binaryPID_2212_211", "p_binaryPID_2212_321", "p_pidProbabilityExpert_2212_TOP", "pi_protonID"] {
      #expect(lam.contains(c))
    }
  }

  @Test func selectionUsesExistingColumns() throws {
    for mode in CalibrationMode.builtins {
      let names = Set(try mode.columns(isMC: true).map(\.name))
      // identifiers in the cut: letters, digits, underscores, not followed by '('
      var ids: [String] = []
      var cur = ""
      let chars = Array(mode.selection + " ")
      for (i, c) in chars.enumerated() {
        if c.isLetter || c.isNumber || c == "_" { cur.append(c); continue }
        if !cur.isEmpty, cur.first!.isLetter || cur.first == "_", c != "(" && !(c == " " && i + 1 < chars.count && chars[i + 1] == "(") {
          ids.append(cur)
        }
        cur = ""
      }
      for id in ids where id != "abs" {
        #expect(names.contains(id), "\(mode.name): '\(id)' is not a column")
      }
    }
  }

  @Test func olderStylePrefixMap() throws {
    let options = CalibrationMode.dst.aliasOptions(prefixMap: ["K": "DST_D0_K_", "pi": "DST_D0_pi_", "pi_slow": "DST_pi_"])
    let names = try CalibrationMode.dst.columns(isMC: true, options: options).map(\.name)
    #expect(names.contains("DST_D0_K_p") && names.contains("DST_D0_pi_p") && names.contains("DST_pi_p"))
    #expect(names.contains("DST_D0_K_binaryPID_321_211") && names.contains("D0_M") && names.contains("M"))
  }

  @Test func customModeFileAndErrors() throws {
    var custom = CalibrationMode.ks
    custom.name = "KSloose"
    custom.selection = "0.45 < M < 0.55"
    let yaml = try custom.yaml()
    let back = try CalibrationMode.load(yaml: yaml)
    #expect(back == custom)

    var bad = CalibrationMode.ks
    bad.particles[1].prefix = "pi_plus"
    let prefix = #expect(throws: ColumnStoreError.self) { try CalibrationMode.load(yaml: try bad.yaml()) }
    #expect(prefix?.kind == .invalidInput)
    #expect(prefix?.path == "KS.particles[1].prefix")
    #expect(prefix?.message == "mode 'KS': particle 1 ('pi_0') has prefix 'pi_plus', the decay string gives 'pi_0'")
    var badDecay = CalibrationMode.ks
    badDecay.decayString = "^K_S0 -> ^pi+ ^pi-]"
    let decay = #expect(throws: ColumnStoreError.self) { try CalibrationMode.load(yaml: try badDecay.yaml()) }
    #expect(decay?.kind == .invalidInput)
    #expect(decay?.path == "KS.decayString")
    #expect(decay?.message.hasPrefix("Invalid decay string at column 19: unbalanced ']' without a matching '['") == true)
    var badShape = CalibrationMode.ks
    badShape.fit!.signal.kind = "voigtian"
    let shape = #expect(throws: ColumnStoreError.self) { try badShape.validate() }
    #expect(shape?.kind == .invalidInput)
    #expect(shape?.path == "KS.fit.signal.kind")
    #expect(shape?.message.hasPrefix("unknown shape kind 'voigtian' (known: gaussian, ") == true)
    var gap = CalibrationMode.ks
    gap.fit!.background.parameters = ["c1": 0.1, "c3": 0.2]
    let missing = #expect(throws: ColumnStoreError.self) { try gap.validate() }
    #expect(missing?.kind == .invalidInput)
    #expect(missing?.path == "KS.fit.background.parameters")
    #expect(missing?.message == "shape 'chebychev' needs parameter 'c2'")
    let yamlError = #expect(throws: ColumnStoreError.self) { try CalibrationMode.load(yaml: "name: [") }
    #expect(yamlError?.kind == .invalidInput)
    #expect(yamlError?.path == "<yaml>")
    #expect(yamlError?.message.hasPrefix("cannot decode calibration mode from <yaml>: ") == true)
    #expect(yamlError?.message.contains("not valid YAML") == true)
    let noFile = #expect(throws: ColumnStoreError.self) { try CalibrationMode.load(contentsOf: "/nonexistent/x.yaml") }
    #expect(noFile?.kind == .fileNotFound)
    #expect(noFile?.path == "/nonexistent/x.yaml")
    #expect(noFile?.message == "cannot read mode file '/nonexistent/x.yaml'")
  }
}

/// The fit model's settings in the mode files: limits, fixed flags, the
/// systematic alternative, extra starts; each mistake a located error.
@Suite struct FitModelSettingsTests {
  func load(_ edit: (inout String) -> Void) throws -> CalibrationMode {
    var yaml = try CalibrationMode.dst.yaml()
    edit(&yaml)
    return try CalibrationMode.load(yaml: yaml)
  }

  func failure(_ edit: @escaping (inout String) -> Void) -> ColumnStoreError? {
    do { _ = try load(edit); return nil } catch { return error as? ColumnStoreError }
  }

  @Test func builtinsCarryLimitsAndAlternatives() throws {
    let fit = try #require(CalibrationMode.dst.fit)
    #expect(fit.signal.limits["sigma1"] == [0.001, 0.02])
    #expect(fit.alternative?.signal.kind == "gaussian")
    #expect(fit.alternative?.background.chebychevCoefficients.count == 3)
    #expect(CalibrationMode.lambda0.fit?.alternative?.signal.kind == "doubleGaussian")
    #expect(CalibrationMode.lambda0.fit?.alternative?.background == CalibrationMode.lambda0.fit?.background)
    #expect(CalibrationMode.ks.fit?.starts.count == 2)
  }

  @Test func numbersOrMappingsAndFixedFlags() throws {
    let m = try load { y in
      y = y.replacingOccurrences(of: "      f:\n        value: 0.7\n", with: "      f:\n        value: 0.7\n        fixed: true\n")
    }
    #expect(m.fit?.signal.fixed == ["f"])
    #expect(try CalibrationMode.load(yaml: try m.yaml()) == m)
  }

  @Test func locatedErrors() throws {
    let swapped = failure { y in
      y = y.replacingOccurrences(of: "        - 0.001\n        - 0.02\n", with: "        - 0.02\n        - 0.001\n")
    }
    #expect(swapped?.path == "Dst.fit.signal.parameters.sigma1")
    #expect(swapped?.message == "lower limit above upper limit")
    let typo = failure { y in y = y.replacingOccurrences(of: "kind: doubleGaussian", with: "kind: doubleGausian") }
    #expect(typo?.path == "Dst.fit.signal.kind")
    #expect(typo?.message.contains("did you mean 'doubleGaussian'?") == true)
    let outside = failure { y in y = y.replacingOccurrences(of: "value: 0.0055", with: "value: 0.5") }
    #expect(outside?.message == "value 0.5 outside its limits [0.001, 0.02]")
  }
}
