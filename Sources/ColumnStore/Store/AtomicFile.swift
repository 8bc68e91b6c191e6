import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes that are all-or-nothing: content goes to a temporary file in the
/// destination's directory, is flushed to disk (`fsync`), then renamed over
/// the destination, and the directory entry is flushed too. A crash or
/// `kill -9` at any moment leaves either the old file or the new one.
enum AtomicFile {
  /// The prefix of temporary files; readers and listings ignore such names.
  static let temporaryPrefix = ".tmp-"

  /// A fresh temporary path next to `destination`.
  static func temporaryPath(for destination: String) -> String {
    let url = URL(fileURLWithPath: destination)
    let name = "\(temporaryPrefix)\(getpid())-\(UUID().uuidString.prefix(8))-\(url.lastPathComponent)"
    return url.deletingLastPathComponent().appendingPathComponent(name).path
  }

  /// Flushes `temporary` to disk and renames it to `destination`.
  static func commit(_ temporary: String, to destination: String) throws {
    try fsyncPath(temporary)
    guard rename(temporary, destination) == 0 else {
      let e = String(cString: strerror(errno))
      unlink(temporary)
      throw ColumnStoreError(.io, path: destination, "\(destination): cannot rename into place: \(e)")
    }
    try fsyncPath(URL(fileURLWithPath: destination).deletingLastPathComponent().path)
  }

  /// Writes `data` to `path` atomically.
  static func write(_ data: Data, to path: String) throws {
    let tmp = temporaryPath(for: path)
    guard FileManager.default.createFile(atPath: tmp, contents: data) else {
      throw ColumnStoreError(.io, path: path, "\(path): cannot write \(tmp)")
    }
    try commit(tmp, to: path)
  }

  private static func fsyncPath(_ path: String) throws {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else {
      throw ColumnStoreError(.io, path: path, "\(path): cannot open for fsync: \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    guard fsync(fd) == 0 else {
      throw ColumnStoreError(.io, path: path, "\(path): fsync failed: \(String(cString: strerror(errno)))")
    }
  }
}
