/// Rules for names that become paths or HDF5 object names.
public enum StoreNames {
  /// Accepts names of processings, modes, samples and friend sets: letters,
  /// digits, `_`, `-`, `.`, `+`, not starting with `.`, no `/`, `..` or
  /// control characters.
  public static func validatePathComponent(_ name: String, what: String) throws {
    let allowed = name.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        || "_-.+".unicodeScalars.contains($0)
    }
    guard !name.isEmpty, allowed, !name.hasPrefix("."), !name.contains("..") else {
      throw ColumnStoreError(
        .invalidInput, path: name,
        "invalid \(what) '\(printable(name))': use letters, digits, '_', '-', '.', '+' (no '/', '..' or control characters)")
    }
  }

  /// Accepts column names: no `/`, no `..`, no control characters, not empty,
  /// not starting with `.` (HDF5 link names), at most 255 bytes.
  public static func validateColumn(_ name: String) throws {
    let bad = name.isEmpty || name.contains("/") || name.contains("..") || name.hasPrefix(".")
      || name.utf8.count > 255
      || name.unicodeScalars.contains { $0.properties.generalCategory == .control }
    if bad {
      throw ColumnStoreError(
        .invalidInput, path: name,
        "invalid column name '\(printable(name))': no '/', '..', leading '.' or control characters")
    }
  }

  /// `name` with control characters shown as escapes, for messages.
  static func printable(_ name: String) -> String {
    name.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }
      .joined()
  }
}
