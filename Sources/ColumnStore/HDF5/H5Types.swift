import CHDF5

extension ColumnType {
  /// The HDF5 type used in files (little-endian; bool as h5py's int8 enum).
  func h5FileType() throws -> H5Handle {
    switch self {
    case .bool: return try h5BoolEnum()
    default: return try H5Handle(H5Tcopy(h5StandardType), "H5Tcopy")
    }
  }

  /// The native memory type matching this column's Swift element type.
  func h5MemoryType() throws -> H5Handle {
    switch self {
    case .bool: return try h5BoolEnum()
    default: return try H5Handle(H5Tcopy(h5NativeType), "H5Tcopy")
    }
  }

  private var h5StandardType: hid_t {
    switch self {
    case .float64: chdf5_t_ieee_f64le()
    case .float32: chdf5_t_ieee_f32le()
    case .int64: chdf5_t_std_i64le()
    case .int32: chdf5_t_std_i32le()
    case .int16: chdf5_t_std_i16le()
    case .int8: chdf5_t_std_i8le()
    case .uint64: chdf5_t_std_u64le()
    case .uint32: chdf5_t_std_u32le()
    case .uint16: chdf5_t_std_u16le()
    case .uint8, .bool: chdf5_t_std_u8le()
    }
  }

  private var h5NativeType: hid_t {
    switch self {
    case .float64: chdf5_t_native_double()
    case .float32: chdf5_t_native_float()
    case .int64: chdf5_t_native_int64()
    case .int32: chdf5_t_native_int32()
    case .int16: chdf5_t_native_int16()
    case .int8: chdf5_t_native_int8()
    case .uint64: chdf5_t_native_uint64()
    case .uint32: chdf5_t_native_uint32()
    case .uint16: chdf5_t_native_uint16()
    case .uint8, .bool: chdf5_t_native_uint8()
    }
  }

  /// The column type of an HDF5 dataset type, and whether its bytes are
  /// already native little-endian (so chunks can be decoded directly).
  /// - Returns: nil for types that are not a supported scalar.
  static func from(h5Type t: hid_t) -> (type: ColumnType, littleEndian: Bool)? {
    let size = H5Tget_size(t)
    switch H5Tget_class(t) {
    case H5T_FLOAT:
      let le = H5Tget_order(t) == H5T_ORDER_LE
      switch size {
      case 8: return (.float64, le)
      case 4: return (.float32, le)
      default: return nil
      }
    case H5T_INTEGER:
      let le = H5Tget_order(t) == H5T_ORDER_LE || size == 1
      let signed = H5Tget_sign(t) == H5T_SGN_2
      switch (size, signed) {
      case (8, true): return (.int64, le)
      case (4, true): return (.int32, le)
      case (2, true): return (.int16, le)
      case (1, true): return (.int8, le)
      case (8, false): return (.uint64, le)
      case (4, false): return (.uint32, le)
      case (2, false): return (.uint16, le)
      case (1, false): return (.uint8, le)
      default: return nil
      }
    case H5T_ENUM:
      // h5py's bool: an enum of a 1-byte integer with members FALSE and TRUE.
      guard size == 1, H5Tget_nmembers(t) == 2 else { return nil }
      return (.bool, true)
    default:
      return nil
    }
  }
}

/// h5py's representation of numpy bool: `enum int8 {FALSE = 0, TRUE = 1}`.
private func h5BoolEnum() throws -> H5Handle {
  let t = try H5Handle(H5Tenum_create(chdf5_t_native_int8()), "H5Tenum_create")
  var f: Int8 = 0
  var v: Int8 = 1
  try h5check(H5Tenum_insert(t.id, "FALSE", &f), "H5Tenum_insert")
  try h5check(H5Tenum_insert(t.id, "TRUE", &v), "H5Tenum_insert")
  return t
}
