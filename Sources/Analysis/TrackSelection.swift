import Modes

/// Which tracks of a candidate a per-track request (`--particle`) means.
public enum TrackSelection {
  /// Names of the charged species a table can be about, with their |PDG| codes.
  public static let species = ["e": 11, "mu": 13, "pi": 211, "K": 321, "p": 2212, "d": 1_000_010_020]

  /// The |PDG| code of a species name (any case) or of a number.
  /// - Throws: `EfficiencyTableError.unknownSpecies`.
  public static func pdg(_ name: String) throws -> Int {
    if let n = Int(name) { return abs(n) }
    if let n = species[name] ?? species.first(where: { $0.key.lowercased() == name.lowercased() })?.value { return n }
    throw EfficiencyTableError.unknownSpecies(name, known: species.keys.sorted())
  }

  /// The column prefixes of the tracks named `particle`:
  /// - a track role of the mode (`K`, `pi`, `pi_slow`, `p`, `probe`);
  /// - or a family of roles (`pi` for K_S0's `pi_0` and `pi_1`: both tracks
  ///   are filled, each candidate contributing two);
  /// - or a column prefix of the source (`D0_K`), for files without a mode.
  /// - Throws: `EfficiencyTableError.unknownParticle` listing the choices.
  public static func prefixes(for particle: String, mode: CalibrationMode?, columns: [String]) throws -> [String] {
    if let mode {
      let tracks = mode.tracks
      if let exact = tracks.first(where: { $0.role == particle }) { return [exact.prefix] }
      let family = tracks.filter { $0.role.hasPrefix(particle + "_") }
      if !family.isEmpty { return family.map(\.prefix) }
    }
    if columns.contains(where: { $0.hasPrefix(particle + "_") }) { return [particle] }
    let known = mode.map { $0.tracks.map(\.role) } ?? []
    throw EfficiencyTableError.unknownParticle(particle, known: known)
  }
}
