import CHDF5

/// The attributes of one HDF5 object. Strings are written as variable-length
/// UTF-8 (what h5py writes for `str`); fixed-length strings are read too.
struct H5Attributes {
  /// Keeps the object open for as long as its attributes are in use.
  let owner: H5Handle
  let path: String

  var object: hid_t { owner.id }

  func has(_ name: String) -> Bool { H5Aexists(object, name) > 0 }

  /// Writes (replacing) a string attribute.
  /// The corresponding HDF5 calls are `H5Acreate2` and `H5Awrite`.
  func set(_ name: String, _ value: String) throws {
    try remove(name)
    let type = try H5Handle(H5Tcopy(chdf5_t_c_s1()), "H5Tcopy")
    try h5check(H5Tset_size(type.id, chdf5_t_variable()), "H5Tset_size")
    try h5check(H5Tset_cset(type.id, H5T_CSET_UTF8), "H5Tset_cset")
    let space = try H5Handle(H5Screate(H5S_SCALAR), "H5Screate")
    let attr = try H5Handle(
      H5Acreate2(object, name, type.id, space.id, chdf5_p_default(), chdf5_p_default()),
      "cannot create attribute '\(name)'", path: path)
    try value.withCString { cstr in
      var p: UnsafePointer<CChar>? = cstr
      try h5check(H5Awrite(attr.id, type.id, &p), "H5Awrite", path: path)
    }
  }

  func set(_ name: String, _ value: Int64) throws {
    try setScalar(name, [value], fileType: chdf5_t_std_i64le(), memType: chdf5_t_native_int64())
  }

  /// A bool as h5py writes numpy bools: the enum `{FALSE = 0, TRUE = 1}` of int8.
  func set(_ name: String, _ value: Bool) throws {
    try remove(name)
    let type = try ColumnType.bool.h5FileType()
    let space = try H5Handle(H5Screate(H5S_SCALAR), "H5Screate")
    let attr = try H5Handle(
      H5Acreate2(object, name, type.id, space.id, chdf5_p_default(), chdf5_p_default()),
      "cannot create attribute '\(name)'", path: path)
    var byte: Int8 = value ? 1 : 0
    try h5check(H5Awrite(attr.id, type.id, &byte), "H5Awrite", path: path)
  }

  func set(_ name: String, _ value: Double) throws {
    try setScalar(name, [value], fileType: chdf5_t_ieee_f64le(), memType: chdf5_t_native_double())
  }

  private func setScalar<T>(_ name: String, _ values: [T], fileType: hid_t, memType: hid_t) throws {
    try remove(name)
    let space = try H5Handle(H5Screate(H5S_SCALAR), "H5Screate")
    let attr = try H5Handle(
      H5Acreate2(object, name, fileType, space.id, chdf5_p_default(), chdf5_p_default()),
      "cannot create attribute '\(name)'", path: path)
    _ = try values.withUnsafeBytes { buf in
      try h5check(H5Awrite(attr.id, memType, buf.baseAddress), "H5Awrite", path: path)
    }
  }

  private func remove(_ name: String) throws {
    if has(name) { try h5check(H5Adelete(object, name), "H5Adelete", path: path) }
  }

  /// Reads a string attribute (variable or fixed length); nil when absent
  /// or not a string.
  func string(_ name: String) -> String? {
    guard has(name), let attr = try? H5Handle(H5Aopen(object, name, chdf5_p_default()), "H5Aopen")
    else { return nil }
    guard let type = try? H5Handle(H5Aget_type(attr.id), "H5Aget_type"),
      H5Tget_class(type.id) == H5T_STRING
    else { return nil }
    if H5Tis_variable_str(type.id) > 0 {
      let mem = try? H5Handle(H5Tcopy(chdf5_t_c_s1()), "H5Tcopy")
      guard let mem else { return nil }
      H5Tset_size(mem.id, chdf5_t_variable())
      H5Tset_cset(mem.id, H5Tget_cset(type.id))
      var p: UnsafeMutablePointer<CChar>? = nil
      guard H5Aread(attr.id, mem.id, &p) >= 0, let p else { _ = h5ErrorStack(); return nil }
      defer { H5free_memory(p) }
      return String(cString: p)
    }
    let size = H5Tget_size(type.id)
    var bytes = [UInt8](repeating: 0, count: size + 1)
    guard H5Aread(attr.id, type.id, &bytes) >= 0 else { _ = h5ErrorStack(); return nil }
    let end = bytes.firstIndex(of: 0) ?? size
    return String(decoding: bytes[..<end], as: UTF8.self)
  }

  func int64(_ name: String) -> Int64? {
    guard let v = numbers(name, memType: chdf5_t_native_int64(), as: Int64.self), v.count == 1 else { return nil }
    return v[0]
  }

  func double(_ name: String) -> Double? {
    guard let v = numbers(name, memType: chdf5_t_native_double(), as: Double.self), v.count == 1 else { return nil }
    return v[0]
  }

  private func numbers<T>(_ name: String, memType: hid_t, as: T.Type) -> [T]? {
    guard has(name), let attr = try? H5Handle(H5Aopen(object, name, chdf5_p_default()), "H5Aopen"),
      let type = try? H5Handle(H5Aget_type(attr.id), "H5Aget_type"),
      [H5T_INTEGER, H5T_FLOAT].contains(H5Tget_class(type.id)),
      let space = try? H5Handle(H5Aget_space(attr.id), "H5Aget_space")
    else { return nil }
    let n = Int(H5Sget_simple_extent_npoints(space.id))
    guard n >= 1 && n < 1 << 20 else { return nil }
    let values = [T](unsafeUninitializedCapacity: n) { buf, count in
      count = H5Aread(attr.id, memType, buf.baseAddress) >= 0 ? n : 0
    }
    return values.count == n ? values : nil
  }
}
