/// The element type of a column, as stored on disk and held in memory.
///
/// The names follow numpy's dtype names, so a column that h5py reads as
/// `float32` is `ColumnType.float32` here. `bool` is one byte per value
/// (0 or 1), stored in HDF5 as h5py's enum `{FALSE = 0, TRUE = 1}` of int8.
public enum ColumnType: String, Sendable, Codable, CaseIterable, Hashable {
  case float64, float32
  case int64, int32, int16, int8
  case uint64, uint32, uint16, uint8
  case bool

  /// Bytes per element.
  public var byteWidth: Int {
    switch self {
    case .float64, .int64, .uint64: 8
    case .float32, .int32, .uint32: 4
    case .int16, .uint16: 2
    case .int8, .uint8, .bool: 1
    }
  }

  public var isFloatingPoint: Bool { self == .float64 || self == .float32 }
  public var isSignedInteger: Bool { [.int64, .int32, .int16, .int8].contains(self) }
  public var isUnsignedInteger: Bool { [.uint64, .uint32, .uint16, .uint8].contains(self) }
  public var isInteger: Bool { isSignedInteger || isUnsignedInteger }
}
