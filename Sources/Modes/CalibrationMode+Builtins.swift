import ColumnStore
import Foundation
import Yams

// MARK: - The four built-in modes

extension CalibrationMode {
  static let ksTrack = [
    "p", "pt", "cosTheta", "theta", "phi", "charge", "dr", "dz", "nCDCHits", "pionID", "kaonID",
    "electronID", "muonID", "binaryPID(211, 321)", "protonID", "isSignal", "mcPDG",
  ]

  /// D*+ → D0(→ K− π+) π+.
  public static let dst = CalibrationMode(
    name: "Dst", shortName: "dst", title: "D*+ -> D0(-> K- pi+) pi+",
    decayString: "^D*+ -> [^D0 -> ^K- ^pi+] ^pi+",
    particles: [
      ModeParticle(role: "Dst", prefix: "", name: "D*+", pdg: 413, isTrack: false, variables: [
        "M", "dM", "Q", "p", "cosTheta", "isSignal", "mcErrors", "chiProb", "massDifference(0)",
        "useCMSFrame(p)",
      ]),
      ModeParticle(role: "D0", prefix: "D0", name: "D0", pdg: 421, isTrack: false, variables: [
        "M", "InvM", "dM", "p", "cosTheta", "isSignal", "chiProb", "flightDistance",
        "significanceOfDistance",
      ]),
      ModeParticle(role: "K", prefix: "D0_K", name: "K-", pdg: -321, isTrack: true, variables: [
        "p", "pt", "cosTheta", "theta", "phi", "charge", "dr", "dz", "nCDCHits",
        "kaonID", "pionID", "binaryPID(321, 211)", "pidProbabilityExpert(321, TOP)",
        "pidLogLikelihoodValueExpert(321, CDC)", "electronID", "muonID", "protonID",
        "isSignal", "mcPDG", "PDG",
      ]),
      ModeParticle(role: "pi", prefix: "D0_pi", name: "pi+", pdg: 211, isTrack: true, variables: [
        "p", "pt", "cosTheta", "charge", "dr", "dz", "nCDCHits", "pionID", "kaonID",
        "binaryPID(211, 321)", "electronID", "muonID", "protonID", "isSignal", "mcPDG",
      ]),
      ModeParticle(role: "pi_slow", prefix: "pi", name: "pi+", pdg: 211, isTrack: true, variables: [
        "p", "pt", "cosTheta", "charge", "dr", "dz", "nCDCHits", "pionID", "kaonID", "electronID",
        "muonID", "protonID", "isSignal", "mcPDG",
      ]),
    ],
    selection: "D0_K_dr < 2 && abs(D0_K_dz) < 4 && D0_K_nCDCHits > 20"
      + " && D0_pi_dr < 2 && abs(D0_pi_dz) < 4 && D0_pi_nCDCHits > 20"
      + " && pi_dr < 2 && abs(pi_dz) < 4 && pi_nCDCHits > 20"
      + " && useCMSFrame__bop__bc > 2.5"
      + " && 0.1439 < massDifference__bo0__bc < 0.1469"
      + " && 1.8 < D0_M < 1.95",
    fit: MassModel(
      column: "D0_M", variable: "M", range: [1.80, 1.95],
      signal: ShapeModel(kind: "doubleGaussian",
                         parameters: ["mu": 1.86484, "sigma1": 0.0055, "sigma2": 0.0120, "f": 0.70],
                         limits: ["mu": [1.85, 1.88], "sigma1": [0.001, 0.02], "sigma2": [0.004, 0.05], "f": [0, 1]]),
      background: ShapeModel(kind: "chebychev", parameters: ["c1": -0.20, "c2": 0.05],
                             limits: ["c1": [-1, 1], "c2": [-1, 1]]),
      systematic: AlternativeModel(
        signal: ShapeModel(kind: "gaussian", parameters: ["mu": 1.86484, "sigma": 0.007],
                           limits: ["mu": [1.85, 1.88], "sigma": [0.001, 0.05]]),
        background: ShapeModel(kind: "chebychev", parameters: ["c1": -0.20, "c2": 0.05, "c3": 0],
                               limits: ["c1": [-1, 1], "c2": [-1, 1], "c3": [-1, 1]]))),
    auxiliary: [
      MassModel(
        column: "massDifference__bo0__bc", variable: "massDifference(0)", range: [0.13957, 0.16],
        signal: ShapeModel(kind: "gaussian", parameters: ["mu": 0.14543, "sigma": 0.00035]),
        background: ShapeModel(kind: "threshold", parameters: ["m0": 0.13957, "power": 0.5])),
    ],
    signalFraction: 0.60,
    notes: """
      Head columns are bare basf2 names escaped by makeROOTCompatible: useCMSFrame(p) -> \
      useCMSFrame__bop__bc (p* of the D*), massDifference(0) -> massDifference__bo0__bc \
      (Delta M = M(D*) - M(D0)); dM is M - m_PDG(D*) and Q is Delta M - m(pi). The fit is on \
      D0_M; Delta M is generated (Gaussian peak over a sqrt threshold) and cut by the selection. \
      Track roles: K = D0_K, pi = D0_pi, pi_slow = pi.
      """)

  /// Λ0 → p π−.
  public static let lambda0 = CalibrationMode(
    name: "Lambda0", shortName: "lambda", title: "Lambda0 -> p+ pi-",
    decayString: "^Lambda0 -> ^p+ ^pi-",
    particles: [
      ModeParticle(role: "Lambda0", prefix: "", name: "Lambda0", pdg: 3122, isTrack: false, variables: [
        "M", "InvM", "dM", "p", "cosTheta", "flightDistance", "significanceOfDistance",
        "cosAngleBetweenMomentumAndVertexVector", "chiProb", "isSignal",
      ]),
      ModeParticle(role: "p", prefix: "p", name: "p+", pdg: 2212, isTrack: true, variables: [
        "p", "pt", "cosTheta", "theta", "phi", "charge", "dr", "dz", "nCDCHits",
        "protonID", "kaonID", "pionID", "binaryPID(2212, 211)", "binaryPID(2212, 321)",
        "pidProbabilityExpert(2212, TOP)", "electronID", "muonID", "isSignal", "mcPDG", "PDG",
      ]),
      ModeParticle(role: "pi", prefix: "pi", name: "pi-", pdg: -211, isTrack: true, variables: [
        "p", "pt", "cosTheta", "theta", "charge", "dr", "dz", "nCDCHits", "pionID", "protonID",
        "kaonID", "electronID", "muonID", "isSignal", "mcPDG",
      ]),
    ],
    selection: "1.10 < M < 1.13 && flightDistance > 0.5 && significanceOfDistance > 5"
      + " && cosAngleBetweenMomentumAndVertexVector > 0.99"
      + " && p_nCDCHits > 20 && pi_nCDCHits > 20",
    fit: MassModel(
      column: "M", variable: "M", range: [1.10, 1.13],
      signal: ShapeModel(kind: "johnsonSU",
                         parameters: ["mu": 1.11568, "lambda": 0.0016, "gamma": 0.10, "delta": 1.40],
                         limits: ["mu": [1.11, 1.12], "lambda": [0.0002, 0.01], "gamma": [-3, 3], "delta": [0.2, 5]]),
      background: ShapeModel(kind: "chebychev", parameters: ["c1": 0.15, "c2": -0.05],
                             limits: ["c1": [-1, 1], "c2": [-1, 1]]),
      systematic: AlternativeModel(
        signal: ShapeModel(kind: "doubleGaussian",
                           parameters: ["mu": 1.11568, "sigma1": 0.0012, "sigma2": 0.003, "f": 0.6],
                           limits: ["mu": [1.11, 1.12], "sigma1": [0.0003, 0.005], "sigma2": [0.0008, 0.01],
                                    "f": [0, 1]]))),
    signalFraction: 0.70,
    notes: """
      V0 daughters are displaced, so no dr/dz cut; the selection uses the flight distance \
      (cm), its significance and the pointing angle. Track roles: p, pi.
      """)

  /// K_S0 → π+ π−.
  public static let ks = CalibrationMode(
    name: "KS", shortName: "ks", title: "K_S0 -> pi+ pi-",
    decayString: "^K_S0 -> ^pi+ ^pi-",
    particles: [
      ModeParticle(role: "KS", prefix: "", name: "K_S0", pdg: 310, isTrack: false, variables: [
        "M", "InvM", "dM", "p", "cosTheta", "flightDistance", "significanceOfDistance",
        "cosAngleBetweenMomentumAndVertexVector", "chiProb", "isSignal",
      ]),
      ModeParticle(role: "pi_0", prefix: "pi_0", name: "pi+", pdg: 211, isTrack: true, variables: ksTrack),
      ModeParticle(role: "pi_1", prefix: "pi_1", name: "pi-", pdg: -211, isTrack: true, variables: ksTrack),
    ],
    selection: "0.45 < M < 0.55 && flightDistance > 0.5 && significanceOfDistance > 5"
      + " && cosAngleBetweenMomentumAndVertexVector > 0.99"
      + " && pi_0_nCDCHits > 20 && pi_1_nCDCHits > 20",
    fit: MassModel(
      column: "M", variable: "M", range: [0.45, 0.55],
      signal: ShapeModel(kind: "johnsonSU+gaussian", parameters: [
        "mu": 0.497611, "lambda": 0.0040, "gamma": -0.05, "delta": 1.60, "sigma": 0.0028,
        "fJohnson": 0.60,
      ], limits: [
        "mu": [0.49, 0.505], "lambda": [0.0005, 0.02], "gamma": [-3, 3], "delta": [0.2, 5],
        "sigma": [0.0005, 0.01], "fJohnson": [0, 1],
      ]),
      background: ShapeModel(kind: "chebychev", parameters: ["c1": -0.10, "c2": 0.05, "c3": 0.02],
                             limits: ["c1": [-1, 1], "c2": [-1, 1], "c3": [-1, 1]]),
      systematic: AlternativeModel(
        background: ShapeModel(kind: "chebychev", parameters: ["c1": -0.10, "c2": 0.05],
                               limits: ["c1": [-1, 1], "c2": [-1, 1]])),
      starts: [["fJohnson": 0.3, "delta": 1.2], ["fJohnson": 0.85, "delta": 2.0]]),
    signalFraction: 0.80,
    notes: """
      Johnson S_U and Gaussian share the mean mu. Track roles: pi_0 (pi+), pi_1 (pi-).
      """)

  /// τ pair, 3x1 topology: the 1-prong track is the probe.
  public static let tau3x1 = CalibrationMode(
    name: "tau3x1", shortName: "tau3x1", title: "e+e- -> tau+ tau-, tau+ -> 3 prong, tau- -> 1 prong",
    decayString: "vpho -> [tau+ -> ^pi+ ^pi- ^pi+] [tau- -> ^pi-]",
    particles: [
      ModeParticle(role: "tag_pi_0", prefix: "tau_0_pi_0", name: "pi+", pdg: 211, isTrack: true,
                   variables: tauVariables),
      ModeParticle(role: "tag_pi_1", prefix: "tau_0_pi_1", name: "pi-", pdg: -211, isTrack: true,
                   variables: tauVariables),
      ModeParticle(role: "tag_pi_2", prefix: "tau_0_pi_2", name: "pi+", pdg: 211, isTrack: true,
                   variables: tauVariables),
      ModeParticle(role: "probe", prefix: "tau_1_pi", name: "pi-", pdg: -211, isTrack: true,
                   variables: tauVariables),
    ],
    selection: "tau_0_pi_0_dr < 1 && abs(tau_0_pi_0_dz) < 3"
      + " && tau_0_pi_1_dr < 1 && abs(tau_0_pi_1_dz) < 3"
      + " && tau_0_pi_2_dr < 1 && abs(tau_0_pi_2_dz) < 3"
      + " && tau_1_pi_dr < 1 && abs(tau_1_pi_dz) < 3"
      + " && abs(tau_0_pi_0_charge + tau_0_pi_1_charge + tau_0_pi_2_charge + tau_1_pi_charge) < 0.5"
      + " && tau_1_pi_p > 0.5",
    fit: nil,
    signalFraction: 0.92,
    notes: """
      No mass peak and no fit: the vpho head is not selected (no head columns, as in the \
      framework's ntuples). signalFraction is the tau-pair purity; the truth is per track \
      (isSignal, mcPDG). The 1-prong probe is a pion, electron, muon or kaon (tau- -> h nu, \
      l nu nu); the selection asks for tight track quality, zero total charge and p > 0.5 GeV/c.
      """)

  static let tauVariables = [
    "p", "cosTheta", "charge", "dr", "dz", "pionID", "kaonID", "electronID", "muonID", "protonID",
    "isSignal", "mcPDG",
  ]
}
