import CHDF5
import Foundation

/// An open HDF5 file. Files are written with the earliest library format
/// (never `libver=latest`) so that HDF5 1.10 and every h5py read them.
final class H5File: @unchecked Sendable {
  let handle: H5Handle
  let path: String

  private init(handle: H5Handle, path: String) {
    self.handle = handle
    self.path = path
  }

  /// Opens an existing file read-only.
  /// - Throws: `.fileNotFound` when missing, `.corruptFile` when not HDF5 or damaged.
  /// The corresponding HDF5 call is `H5Fopen`.
  static func open(_ path: String) throws -> H5File {
    H5Library.prepare()
    guard FileManager.default.fileExists(atPath: path) else {
      throw ColumnStoreError(.fileNotFound, path: path, "\(path): no such file")
    }
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw ColumnStoreError(.fileNotFound, path: path, "\(path): permission denied")
    }
    if H5Fis_hdf5(path) <= 0 {
      _ = h5ErrorStack()
      throw ColumnStoreError(.corruptFile, path: path, "\(path): not an HDF5 file (or truncated)")
    }
    let fapl = try H5Handle(H5Pcreate(chdf5_p_file_access()), "H5Pcreate")
    // Close every object with the file, so a damaged file cannot leak handles.
    H5Pset_fclose_degree(fapl.id, H5F_CLOSE_STRONG)
    let id = H5Fopen(path, chdf5_f_acc_rdonly(), fapl.id)
    if id < 0 {
      let detail = h5ErrorStack()
      throw ColumnStoreError(.corruptFile, path: path, "\(path): cannot open HDF5 file (\(detail))")
    }
    return H5File(handle: try H5Handle(id, "H5Fopen", path: path), path: path)
  }

  /// Creates (truncating) a file for writing. A failure names `reportedAs`
  /// (the file the user asked for, not the temporary one written first)
  /// and the system's reason.
  /// The corresponding HDF5 call is `H5Fcreate`.
  static func create(_ path: String, reportedAs: String? = nil) throws -> H5File {
    H5Library.prepare()
    let fapl = try H5Handle(H5Pcreate(chdf5_p_file_access()), "H5Pcreate")
    try h5check(H5Pset_libver_bounds(fapl.id, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18), "H5Pset_libver_bounds")
    H5Pset_fclose_degree(fapl.id, H5F_CLOSE_STRONG)
    errno = 0
    let id = H5Fcreate(path, chdf5_f_acc_trunc(), chdf5_p_default(), fapl.id)
    if id < 0, let reportedAs {
      let reason = errno != 0 ? String(cString: strerror(errno)) : "HDF5 cannot create it"
      _ = h5ErrorStack()
      throw ColumnStoreError(.io, path: reportedAs, "cannot write \(reportedAs): \(reason)")
    }
    return H5File(handle: try H5Handle(id, "cannot create HDF5 file", path: path), path: path)
  }

  /// Closes the file and every object still open in it (the file access
  /// property list asks for a strong close), so its bytes are complete on
  /// disk when this returns.
  /// The corresponding HDF5 call is `H5Fclose`.
  func close() throws {
    guard H5Iis_valid(handle.id) > 0 else { return }
    try h5check(H5Fclose(handle.id), "H5Fclose", path: path)
  }

  /// Opens the group at `path` (`/` for the root).
  func group(_ name: String) throws -> H5Group {
    let id = H5Gopen2(handle.id, name.isEmpty ? "/" : name, chdf5_p_default())
    if id < 0 {
      _ = h5ErrorStack()
      throw ColumnStoreError(.notFound, path: self.path, "\(self.path): no group '\(name)'")
    }
    return H5Group(handle: try H5Handle(id, "H5Gopen2"), file: self, name: name)
  }

  /// Creates a group (and missing parents).
  func createGroup(_ name: String) throws -> H5Group {
    let lcpl = try H5Handle(H5Pcreate(chdf5_p_link_create()), "H5Pcreate")
    H5Pset_create_intermediate_group(lcpl.id, 1)
    let id = H5Gcreate2(handle.id, name, lcpl.id, chdf5_p_default(), chdf5_p_default())
    return H5Group(handle: try H5Handle(id, "cannot create group '\(name)'", path: path), file: self, name: name)
  }
}

/// A group: a container of datasets, groups and attributes.
final class H5Group: @unchecked Sendable {
  let handle: H5Handle
  let file: H5File
  let name: String

  init(handle: H5Handle, file: H5File, name: String) {
    self.handle = handle
    self.file = file
    self.name = name
  }

  enum MemberKind { case group, dataset, other }

  /// The members in creation-independent (name) order with their kinds.
  /// The corresponding HDF5 calls are `H5Gget_info` and `H5Lget_name_by_idx`.
  func members() throws -> [(name: String, kind: MemberKind)] {
    var info = H5G_info_t()
    try h5check(H5Gget_info(handle.id, &info), "H5Gget_info", path: file.path)
    var out: [(String, MemberKind)] = []
    for i in 0..<info.nlinks {
      let n = H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, chdf5_p_default())
      guard n >= 0 else { continue }
      var bytes = [CChar](repeating: 0, count: Int(n) + 1)
      H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, &bytes, Int(n) + 1, chdf5_p_default())
      let name = String(decoding: bytes.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      var oinfo = H5O_info_t()
      let kind: MemberKind
      if H5Oget_info_by_name2(handle.id, name, &oinfo, UInt32(H5O_INFO_BASIC), chdf5_p_default()) < 0 {
        _ = h5ErrorStack()
        kind = .other
      } else {
        switch oinfo.type {
        case H5O_TYPE_GROUP: kind = .group
        case H5O_TYPE_DATASET: kind = .dataset
        default: kind = .other
        }
      }
      out.append((name, kind))
    }
    return out
  }

  func dataset(_ name: String) throws -> H5Dataset {
    let id = H5Dopen2(handle.id, name, chdf5_p_default())
    if id < 0 {
      _ = h5ErrorStack()
      throw ColumnStoreError(.unknownColumn, path: file.path, "\(file.path): no dataset '\(name)'")
    }
    return try H5Dataset(handle: H5Handle(id, "H5Dopen2"), file: file, name: name)
  }

  func subgroup(_ name: String) throws -> H5Group {
    let id = H5Gopen2(handle.id, name, chdf5_p_default())
    if id < 0 {
      _ = h5ErrorStack()
      throw ColumnStoreError(.notFound, path: file.path, "\(file.path): no group '\(name)'")
    }
    return H5Group(handle: try H5Handle(id, "H5Gopen2"), file: file, name: self.name + "/" + name)
  }

  func createSubgroup(_ name: String) throws -> H5Group {
    let id = H5Gcreate2(handle.id, name, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
    return H5Group(handle: try H5Handle(id, "cannot create group '\(name)'", path: file.path), file: file, name: self.name + "/" + name)
  }

  var attributes: H5Attributes { H5Attributes(owner: handle, path: file.path) }
}
