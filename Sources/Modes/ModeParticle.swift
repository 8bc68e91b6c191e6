import ColumnStore
import Foundation
import Yams

/// One selected particle of a calibration mode.
public struct ModeParticle: Sendable, Equatable, Codable {
  /// A short role name (`K`, `pi`, `pi_slow`, `D0`, `head`), used as the key
  /// of a user prefix map.
  public var role: String
  /// The default column prefix from `create_aliases_for_selected` without the
  /// trailing `_` (`D0_K`); empty for the selected head.
  public var prefix: String
  /// The evt.pdl name in the decay string (`K-`).
  public var name: String
  /// The PDG code of the particle as written in the decay string (`-321` for `K-`).
  /// In signal, a track's true particle (charge conjugation flips the sign).
  public var pdg: Int
  /// Whether it is a charged track (gets kinematics, track quality and PID).
  public var isTrack: Bool
  /// basf2 variables written for it, in column order.
  public var variables: [String]

  enum CodingKeys: String, CodingKey {
    case role, prefix, name, pdg, isTrack = "is_track", variables
  }

  public init(role: String, prefix: String, name: String, pdg: Int, isTrack: Bool, variables: [String]) {
    self.role = role
    self.prefix = prefix
    self.name = name
    self.pdg = pdg
    self.isTrack = isTrack
    self.variables = variables
  }
}
