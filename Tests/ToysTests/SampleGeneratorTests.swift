import Foundation
import Testing
@testable import Toys
import ColumnStore
import Modes
import Numerics

/// Shared samples (generated once; tests run in parallel).
enum Samples {
  static let rows = 30_000
  static let dstMCGen = try! SampleGenerator(mode: .dst, sample: .mc, seed: 42)
  static let dstDataGen = try! SampleGenerator(mode: .dst, sample: .data, seed: 42, includeTruthOnData: true)
  static let dstMC = try! dstMCGen.table(rows: rows)
  static let dstData = try! dstDataGen.table(rows: rows)
}

/// Bitwise equality (NaN-safe).
func same(_ a: ColumnBuffer?, _ b: ColumnBuffer?) -> Bool {
  guard let a, let b else { return a == nil && b == nil }
  guard a.type == b.type, a.count == b.count else { return false }
  return a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
}

func column(_ t: MemoryTable, _ name: String) -> [Double] {
  t.buffer(name)!.doubles
}

/// Standard P_BINS index, nil outside [0.5, 4.5).
func pBin(_ p: Double) -> Int? {
  let e = PIDResponseModel.standardPBins
  guard p >= e[0], p < e[e.count - 1] else { return nil }
  return (0..<(e.count - 1)).first { p >= e[$0] && p < e[$0 + 1] }
}

/// Observed (pass, total) per p bin of `variable > threshold` for tracks of
/// `prefix` whose |mcPDG| is `species`, skipping NaN PID.
func observed(_ t: MemoryTable, prefix: String, variable: String, species: Species,
              threshold: Double) -> [(pass: Int, total: Int)] {
  let p = column(t, prefix + "p")
  let id = column(t, prefix + variable)
  let mc = column(t, prefix + "mcPDG")
  var out = [(pass: Int, total: Int)](repeating: (0, 0), count: 7)
  for i in p.indices where abs(mc[i]) == Double(species.pdg) && !id[i].isNaN {
    guard let b = pBin(p[i]) else { continue }
    out[b].total += 1
    if id[i] > threshold { out[b].pass += 1 }
  }
  return out
}

@Suite struct SampleGeneratorTests {
  @Test func prngIsDeterministicAndNormal() {
    var a = Xoshiro256StarStar(seed: 1), b = Xoshiro256StarStar(seed: 1), c = Xoshiro256StarStar(seed: 2)
    let xa = (0..<100).map { _ in a.next() }, xb = (0..<100).map { _ in b.next() }
    #expect(xa == xb && xa != (0..<100).map { _ in c.next() })
    // reference values of splitmix64 (seed 0): first output 0xE220A8397B1DCDAF
    var sm = SplitMix64(seed: 0)
    #expect(sm.next() == 0xE220_A839_7B1D_CDAF)
    var g = Xoshiro256StarStar(seed: 123)
    let n = 200_000
    var s1 = 0.0, s2 = 0.0, tail = 0
    for _ in 0..<n {
      let x = g.normal()
      s1 += x
      s2 += x * x
      if x > 2 { tail += 1 }
    }
    let mean = s1 / Double(n), variance = s2 / Double(n) - mean * mean
    #expect(abs(mean) < 5 / Double(n).squareRoot())
    #expect(abs(variance - 1) < 5 * (2 / Double(n)).squareRoot())
    let pTail = Normal.survival(2)
    #expect(abs(Double(tail) / Double(n) - pTail) < 5 * (pTail * (1 - pTail) / Double(n)).squareRoot())
  }

  @Test func deterministicForASeed() throws {
    let g1 = try SampleGenerator(mode: .ks, sample: .mc, seed: 5)
    let g2 = try SampleGenerator(mode: .ks, sample: .mc, seed: 5)
    let g3 = try SampleGenerator(mode: .ks, sample: .mc, seed: 6)
    let a = g1.blockColumns(3, rows: 2000), b = g2.blockColumns(3, rows: 2000), c = g3.blockColumns(3, rows: 2000)
    #expect(zip(a, b).allSatisfy { same($0.1, $1.1) })
    #expect(a.map(\.0) == b.map(\.0))
    let m = a.firstIndex { $0.0.name == "M" }!
    #expect(!same(a[m].1, c[m].1))
    #expect(!same(a[m].1, g1.blockColumns(4, rows: 2000)[m].1))
    let data = try SampleGenerator(mode: .ks, sample: .data, seed: 5).blockColumns(3, rows: 2000)
    #expect(!same(data.first { $0.0.name == "M" }!.1, a[m].1))
  }

  @Test func reusingStorageGivesTheSameBlock() throws {
    let g = try SampleGenerator(mode: .ks, sample: .mc, seed: 11)
    var old = g.blockColumns(0, rows: 3_000)
    let again = g.blockColumns(5, rows: 2_000, reusing: &old)
    #expect(old.isEmpty)
    let fresh = g.blockColumns(5, rows: 2_000)
    #expect(again.map(\.0) == fresh.map(\.0))
    #expect(zip(again, fresh).allSatisfy { same($0.1, $1.1) })
    var small = g.blockColumns(1, rows: 100)
    let bigger = g.blockColumns(5, rows: 2_000, reusing: &small)
    #expect(zip(bigger, fresh).allSatisfy { same($0.1, $1.1) })
  }

  @Test func blockSplitIndependence() throws {
    // K_S0 (fewest columns) to keep the debug run short; one full block + 1000 rows
    let g = try SampleGenerator(mode: .ks, sample: .mc, seed: 8)
    let rows = SampleGenerator.blockRows + 1_000
    let blocks = Array(g.generate(events: rows))
    #expect(blocks.count == 2 && blocks[0].rowCount == SampleGenerator.blockRows && blocks[1].rowCount == 1_000)
    let first = g.block(0, rows: 5_000)        // a prefix of block 0
    let b1 = g.block(1, rows: 300)             // a prefix of block 1
    for c in ["M", "pi_0_kaonID", "__event__", "__ncandidates__", "pi_1_mcPDG"] {
      #expect(same(first.buffer(c)!, blocks[0].buffer(c)!.slice(0..<5_000)), "\(c)")
      #expect(same(b1.buffer(c)!, blocks[1].buffer(c)!.slice(0..<300)), "\(c)")
    }
    // block 1 starts where the event numbering of block 0 cannot reach
    guard case .uint32(let e0) = blocks[0].buffer("__event__")!, case .uint32(let e1) = blocks[1].buffer("__event__")! else {
      Issue.record("__event__ is not uint32")
      return
    }
    #expect(e0.max()! < e1.min()!)
    // the shared D* sample is a prefix of block 0 of its generator
    let d0 = Samples.dstMCGen.block(0, rows: 1_000)
    #expect(same(d0.buffer("D0_K_kaonID")!, Samples.dstMC.buffer("D0_K_kaonID")!.slice(0..<1_000)))
  }

  @Test func columnsFollowTheAliasGenerator() throws {
    for mode in CalibrationMode.builtins {
      for sample in SampleKind.allCases {
        let g = try SampleGenerator(mode: mode, sample: sample, seed: 1)
        let expected = try mode.columns(isMC: sample == .mc)
        #expect(g.columns.dropFirst(7).map(\.name) == expected.map(\.name))
        #expect(g.columns.dropFirst(7).map(\.variable) == expected.map(\.variable))
        #expect(g.columns.prefix(7).map(\.name) == ["__experiment__", "__run__", "__event__", "__production__",
                                                    "__candidate__", "__ncandidates__", "__weight__"])
        #expect(g.columns.prefix(7).map(\.type) == [.int32, .int32, .uint32, .int32, .int32, .int32, .float64])
        let t = g.block(0, rows: 50)
        #expect(t.columns == g.columns)
        #expect(t.buffer("__event__")!.type == .uint32)
        let names = Set(t.columns.map(\.name))
        if sample == .data {
          #expect(!names.contains { $0.hasSuffix("isSignal") || $0.hasSuffix("mcPDG") || $0 == "mcErrors" })
        } else {
          #expect(names.contains { $0.hasSuffix("mcPDG") })
        }
        for c in t.columns.dropFirst(7) {
          #expect(c.type == (c.variable == "mcErrors" ? .int32 : .float64))
        }
      }
    }
    let k = Samples.dstMCGen.columns.first { $0.name == "D0_K_kaonID" }!
    #expect(k.variable == "kaonID" && k.particle == "D0:K" && k.type == .float64)
    let dm = Samples.dstMCGen.columns.first { $0.name == "massDifference__bo0__bc" }!
    #expect(dm.variable == "massDifference(0)" && dm.particle == "" && dm.unit == "GeV/c^2")
    #expect(Samples.dstMCGen.columns.first { $0.name == "D0_K_p" }!.unit == "GeV/c")
    // older naming through the prefix map
    let old = try SampleGenerator(mode: .dst, sample: .mc, seed: 1, prefixMap: ["K": "DST_D0_K_", "pi_slow": "DST_pi"])
    #expect(old.columns.contains { $0.name == "DST_D0_K_kaonID" } && old.columns.contains { $0.name == "DST_pi_p" })
  }

  @Test func countersAndCandidates() {
    let t = Samples.dstMC
    guard case .uint32(let ev) = t.buffer("__event__")!,
          case .int32(let cand) = t.buffer("__candidate__")!,
          case .int32(let ncand) = t.buffer("__ncandidates__")! else {
      Issue.record("wrong counter types")
      return
    }
    var i = 0
    var multi = 0
    while i < ev.count {
      let n = Int(ncand[i])
      #expect(cand[i] == 0)
      for k in 0..<n where i + k < ev.count {
        #expect(ev[i + k] == ev[i] && cand[i + k] == Int32(k) && ncand[i + k] == ncand[i])
      }
      if n > 1 { multi += 1 }
      if i + n < ev.count { #expect(ev[i + n] > ev[i]) }
      i += n
    }
    #expect(multi > 0)
    #expect(column(t, "__weight__").allSatisfy { $0 == 1 })
    #expect(column(Samples.dstData, "__experiment__")[0] != column(t, "__experiment__")[0])
  }

  @Test func signalFractionAndPeaks() throws {
    for g in [Samples.dstMCGen, try SampleGenerator(mode: .lambda0, sample: .mc, seed: 3),
              try SampleGenerator(mode: .ks, sample: .mc, seed: 4)] {
      let t = g.mode.name == "Dst" ? Samples.dstMC : try g.table(rows: 20_000)
      let sig = column(t, "isSignal")
      let n = Double(sig.count)
      let f = sig.reduce(0, +) / n
      let f0 = g.mode.signalFraction
      #expect(abs(f - f0) < 5 * (f0 * (1 - f0) / n).squareRoot(), "\(g.mode.name) fraction \(f)")
      let fit = try #require(g.truth.fit)
      let m = column(t, fit.column)
      #expect(m.allSatisfy { $0 >= fit.range[0] && $0 <= fit.range[1] })
      for (isSig, expMean) in [(1.0, fit.signalMeanInRange), (0.0, fit.backgroundMeanInRange)] {
        let xs = m.indices.filter { sig[$0] == isSig }.map { m[$0] }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let sd = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - 1)).squareRoot()
        #expect(abs(mean - expMean) < 5 * sd / Double(xs.count).squareRoot(),
                "\(g.mode.name) isSignal=\(isSig): mean \(mean) vs \(expMean)")
        if isSig == 1 {
          #expect(abs(sd - fit.signalSigmaInRange) < 0.1 * fit.signalSigmaInRange, "\(g.mode.name) width \(sd)")
        }
      }
    }
    // the D* Delta M peak
    let t = Samples.dstMC
    let aux = Samples.dstMCGen.truth.auxiliary[0]
    let dm = column(t, "massDifference__bo0__bc"), sig = column(t, "isSignal")
    let xs = dm.indices.filter { sig[$0] == 1 }.map { dm[$0] }
    let mean = xs.reduce(0, +) / Double(xs.count)
    #expect(abs(mean - aux.signalMeanInRange) < 5 * aux.signalSigmaInRange / Double(xs.count).squareRoot())
    #expect(abs(aux.signalMeanInRange - 0.14543) < 1e-5)
    // Q = Delta M - m(pi), M = M(D0) + Delta M
    let q = column(t, "Q"), mm = column(t, "M"), d0 = column(t, "D0_M")
    #expect(dm.indices.allSatisfy { abs(q[$0] - (dm[$0] - Species.pi.mass)) < 1e-12 && abs(mm[$0] - d0[$0] - dm[$0]) < 1e-12 })
  }

  @Test func pidEfficiencyMatchesTruthPerMomentumBin() {
    let g = Samples.dstMCGen
    let checks: [(String, String, Species, Double)] = [
      ("D0_K_", "kaonID", .K, 0.2), ("D0_K_", "kaonID", .K, 0.9), ("D0_pi_", "kaonID", .pi, 0.2),
      ("D0_pi_", "pionID", .pi, 0.5), ("D0_K_", "binaryPID_321_211", .K, 0.5), ("pi_", "pionID", .pi, 0.1),
    ]
    for (prefix, column, species, x) in checks {
      let variable = column.hasPrefix("binaryPID") ? "binaryPID(321, 211)" : column
      let obs = observed(Samples.dstMC, prefix: prefix, variable: column, species: species, threshold: x)
      var tested = 0
      for b in 0..<7 where obs[b].total >= 100 {
        let eps = g.truth.efficiency(variable: variable, trueSpecies: species, threshold: x, pBin: b, sample: .mc)!
        let n = Double(obs[b].total)
        let e = Double(obs[b].pass) / n
        let sigma = max((eps * (1 - eps) / n).squareRoot(), 1 / n)
        #expect(abs(e - eps) < 5 * sigma, "\(prefix)\(column) > \(x) true \(species) bin \(b): \(e) vs \(eps) (n=\(n))")
        tested += 1
      }
      // the slow pion has p < 0.7 GeV/c: one bin only
      #expect(tested >= (prefix == "pi_" ? 1 : 3), "\(prefix)\(column): only \(tested) bins tested")
    }
  }

  @Test func dataDiffersFromMCByTheDeclaredShift() {
    let truth = Samples.dstDataGen.truth
    let model = truth.pid
    // the analytic truth: data efficiency from the shifted mean
    for b in 0..<7 {
      let mu = model.muMC[3][3][b] + model.shiftData[3][3][b]
      let expected = 1 - Normal.cdf((log(0.2 / 0.8) - mu) / model.sigma)
      let eff = truth.efficiency(variable: "kaonID", trueSpecies: .K, threshold: 0.2, pBin: b, sample: .data)!
      #expect(abs(eff - expected) < 1e-12)
      #expect(model.shiftData[3][3][b] < 0 && model.shiftData[3][2][b] > 0)
      let r = truth.ratio(variable: "kaonID", trueSpecies: .K, threshold: 0.2, pBin: b)!
      #expect(r < 1)
    }
    let obsD = observed(Samples.dstData, prefix: "D0_K_", variable: "kaonID", species: .K, threshold: 0.5)
    let obsM = observed(Samples.dstMC, prefix: "D0_K_", variable: "kaonID", species: .K, threshold: 0.5)
    var tested = 0
    for b in 0..<7 where obsD[b].total >= 200 && obsM[b].total >= 200 {
      let ed = truth.efficiency(variable: "kaonID", trueSpecies: .K, threshold: 0.5, pBin: b, sample: .data)!
      let em = truth.efficiency(variable: "kaonID", trueSpecies: .K, threshold: 0.5, pBin: b, sample: .mc)!
      let nd = Double(obsD[b].total), nm = Double(obsM[b].total)
      let od = Double(obsD[b].pass) / nd, om = Double(obsM[b].pass) / nm
      #expect(abs(od - ed) < 5 * (ed * (1 - ed) / nd).squareRoot())
      let sigma = (ed * (1 - ed) / nd + em * (1 - em) / nm).squareRoot()
      #expect(abs((od - om) - (ed - em)) < 5 * sigma, "bin \(b): \(od - om) vs \(ed - em)")
      tested += 1
    }
    #expect(tested >= 3)
    // the shift is visible: overall data efficiency is lower than MC for true kaons
    let sumD = obsD.reduce(0) { $0 + $1.pass }, totD = obsD.reduce(0) { $0 + $1.total }
    let sumM = obsM.reduce(0) { $0 + $1.pass }, totM = obsM.reduce(0) { $0 + $1.total }
    #expect(Double(sumD) / Double(totD) < Double(sumM) / Double(totM))
  }

  @Test func truthColumnsOnDataDoNotChangeTheSample() throws {
    let plain = try SampleGenerator(mode: .dst, sample: .data, seed: 42).block(0, rows: 500)
    let withTruth = Samples.dstDataGen.block(0, rows: 500)
    for c in plain.columns { #expect(same(plain.buffer(c.name), withTruth.buffer(c.name)), "\(c.name)") }
    #expect(withTruth.buffer("D0_K_mcPDG") != nil && plain.buffer("D0_K_mcPDG") == nil)
  }

  @Test func nanPIDRateAndCoherence() {
    let t = Samples.dstMC
    var nan = 0, total = 0
    for prefix in ["D0_K_", "D0_pi_", "pi_"] {
      let ids = Samples.dstMCGen.columns.filter {
        $0.name.hasPrefix(prefix) && ($0.variable.hasSuffix("ID") || $0.variable.hasPrefix("binaryPID") || $0.variable.hasPrefix("pid"))
      }.map { column(t, $0.name) }
      let p = column(t, prefix + "p")
      for i in p.indices {
        let flags = ids.map { $0[i].isNaN }
        #expect(flags.allSatisfy { $0 == flags[0] })
        #expect(!p[i].isNaN)
        if flags[0] { nan += 1 }
        total += 1
      }
    }
    let rate = Double(nan) / Double(total)
    #expect(abs(rate - 0.003) < 5 * (0.003 * 0.997 / Double(total)).squareRoot(), "NaN rate \(rate)")
  }

  @Test func unmatchedBackgroundTracksHaveNaNTruth() {
    let t = Samples.dstMC
    let sig = column(t, "isSignal"), mc = column(t, "D0_K_mcPDG"), ts = column(t, "D0_K_isSignal")
    let bg = sig.indices.filter { sig[$0] == 0 }
    let nanBg = bg.filter { mc[$0].isNaN }.count
    #expect(sig.indices.allSatisfy { sig[$0] == 0 || !mc[$0].isNaN })
    #expect(sig.indices.allSatisfy { mc[$0].isNaN == ts[$0].isNaN })
    let f = Double(nanBg) / Double(bg.count)
    #expect(abs(f - 0.015) < 5 * (0.015 * 0.985 / Double(bg.count)).squareRoot(), "unmatched fraction \(f)")
    #expect(!sig.contains { $0.isNaN })
  }

  @Test func defaultSelectionCutsAFewPercent() {
    let t = Samples.dstMC
    for prefix in ["D0_K_", "D0_pi_", "pi_"] {
      let dr = column(t, prefix + "dr"), dz = column(t, prefix + "dz"), nh = column(t, prefix + "nCDCHits")
      let fail = dr.indices.filter { !(dr[$0] < 2 && abs(dz[$0]) < 4 && nh[$0] > 20) }.count
      let f = Double(fail) / Double(dr.count)
      #expect(f > 0.01 && f < 0.10, "\(prefix): track-quality cut removes \(f)")
      #expect(nh.allSatisfy { $0 == $0.rounded() && $0 >= 0 })
    }
    let cosT = column(t, "D0_K_cosTheta")
    #expect(cosT.allSatisfy { $0 > -0.867 && $0 < 0.957 })
    let pStar = column(t, "useCMSFrame__bop__bc")
    let pass = Double(pStar.filter { $0 > 2.5 }.count) / Double(pStar.count)
    #expect(pass > 0.5 && pass < 0.95)
  }

  @Test func truthEncodesToJSON() throws {
    let truth = Samples.dstMCGen.truth
    let json = try truth.json()
    let back = try GeneratorTruth.decode(json: json)
    #expect(back == truth)
    #expect(truth.pidVariables == ["electronID", "muonID", "pionID", "kaonID", "protonID",
                                   "binaryPID(321, 211)", "binaryPID(211, 321)"])
    #expect(truth.efficiencies.count == truth.pidVariables.count * 5 * 7 * 9)
    let row = try #require(truth.efficiencies.first {
      $0.variable == "kaonID" && $0.truePDG == 321 && $0.threshold == 0.2 && $0.pMin == 0.5
    })
    // μ = 3.5, σ = 2: 1 − Φ((logit 0.2 − 3.5)/2)
    #expect(abs(row.efficiencyMC - 0.992724) < 1e-5)
    #expect(abs(row.ratio - row.efficiencyData / row.efficiencyMC) < 1e-15)
    #expect(json.contains("\"efficiencies\""))
    let compact = try truth.attributeJSON()
    #expect(compact.utf8.count < 16_000, "attribute JSON has \(compact.utf8.count) bytes")
    #expect(try GeneratorTruth.decode(json: compact) == truth)
    // clamping outside P_BINS
    #expect(truth.pid.clampedBin(0.1) == 0 && truth.pid.clampedBin(9) == 6 && truth.pid.clampedBin(2.0) == 3)
  }

  @Test func otherModesGenerate() throws {
    let tau = try SampleGenerator(mode: .tau3x1, sample: .mc, seed: 9).table(rows: 5_000)
    let charge = ["tau_0_pi_0_charge", "tau_0_pi_1_charge", "tau_0_pi_2_charge", "tau_1_pi_charge"].map { column(tau, $0) }
    #expect((0..<tau.rowCount).allSatisfy { i in charge.reduce(0) { $0 + $1[i] } == 0 })
    let probe = column(tau, "tau_1_pi_mcPDG").filter { !$0.isNaN }.map { Int(abs($0)) }
    #expect(Set(probe).isSuperset(of: [11, 13, 211]))
    let lam = try SampleGenerator(mode: .lambda0, sample: .data, seed: 9).block(0, rows: 2_000)
    #expect(lam.buffer("p_protonID") != nil && lam.buffer("isSignal") == nil)
    // an unsupported topology
    var odd = CalibrationMode.ks
    odd.decayString = "K_S0 -> ^pi+ ^pi-"
    odd.particles.removeFirst()
    let refused = #expect(throws: ColumnStoreError.self) { try SampleGenerator(mode: odd, sample: .mc, seed: 1) }
    #expect(refused?.kind == .unsupported)
    #expect(refused?.path == "KS")
    #expect(refused?.message.hasPrefix("the generator simulates D*-like (head, D0, 3 tracks), V0-like (head, 2 tracks)") == true)
    #expect(refused?.message.hasSuffix("; 'KS' is none of these") == true)
  }
}

@Suite struct FastExpTests {
  @Test func fastExpMatchesLibm() {
    var worst = 0.0
    var x = -700.0
    while x <= 700 {
      let rel = abs(fastExp(x) - exp(x)) / exp(x)
      worst = max(worst, rel)
      x += 0.0137
    }
    #expect(worst < 1e-15, "worst relative error \(worst)")
    #expect(fastExp(0) == 1)
    #expect(logistic(0) == 0.5)
    #expect(fastExp(-1000) > 0 && fastExp(-1000) < 1e-300)
    // the SIMD version is bit-identical lane by lane
    for x0 in stride(from: -30.0, through: 30.0, by: 0.37) {
      let v = SIMD4(x0, x0 + 0.1, -x0, x0 * 3)
      let e = fastExp(v), l = logistic(v)
      for i in 0..<4 {
        #expect(e[i].bitPattern == fastExp(v[i]).bitPattern)
        #expect(l[i].bitPattern == logistic(v[i]).bitPattern)
      }
    }
    // the logistic threshold is exact enough for the efficiency truth
    for t in [0.1, 0.2, 0.5, 0.9] { #expect(abs(logistic(log(t / (1 - t))) - t) < 1e-15) }
  }
}
