import Foundation

/// Name, type and descriptive metadata of one column.
public struct ColumnInfo: Sendable, Equatable, Codable {
  public var name: String
  public var type: ColumnType
  public var unit: String
  public var description: String
  /// The basf2 variable behind the column, e.g. `kaonID` or `binaryPID(321, 211)`.
  public var variable: String
  /// The particle path in the decay, e.g. `D0:K` (empty for the head or counters).
  public var particle: String

  public init(
    name: String, type: ColumnType, unit: String = "", description: String = "",
    variable: String = "", particle: String = ""
  ) {
    self.name = name
    self.type = type
    self.unit = unit
    self.description = description
    self.variable = variable
    self.particle = particle
  }
}
