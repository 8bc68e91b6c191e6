import Foundation

/// Creating directories (and their parents) with a plain error: which path
/// is in the way and why, instead of Foundation's NSCocoaErrorDomain text.
enum DirectoryCreation {
  /// - Throws: `.io` naming the component that could not be made a
  ///   directory and the system's reason.
  static func create(_ path: String) throws {
    var prefix = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
      prefix += "/" + part
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: prefix, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else {
          throw ColumnStoreError(.io, path: path, "cannot create \(path): \(prefix) is a file, not a directory")
        }
        continue
      }
      if mkdir(prefix, 0o777) != 0 && errno != EEXIST {
        throw ColumnStoreError(.io, path: path, "cannot create the directory \(prefix): \(String(cString: strerror(errno)))")
      }
    }
  }
}
