import CHDF5

/// An HDF5 identifier that is released when the last reference goes away.
/// The corresponding HDF5 call is `H5Idec_ref`.
final class H5Handle: @unchecked Sendable {
  let id: hid_t

  /// Takes ownership of `id`.
  /// - Throws: when `id` is negative (the call that produced it failed).
  init(_ id: hid_t, _ what: @autoclosure () -> String, path: String = "") throws {
    try h5check(id, what(), path: path)
    self.id = id
  }

  deinit {
    if H5Iis_valid(id) > 0 { _ = H5Idec_ref(id) }
  }
}

/// Keeps the process-wide HDF5 state initialised and silent.
enum H5Library {
  /// Called once per thread before HDF5 work.
  static func prepare() {
    _ = H5open()
    h5silence()
  }
}
