import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes that are all-or-nothing: content goes to a temporary file in the
/// destination's directory, which is renamed over the destination once
/// complete. A killed process (even `kill -9`) therefore leaves either the
/// old file or the new one. A *durable* commit also flushes the file and the
/// directory entry to disk (`fsync`) before and after the rename, so that a
/// power loss or kernel crash cannot expose a partly written file either;
/// the store always commits durably.
enum AtomicFile {
  /// The prefix of temporary files; readers and listings ignore such names.
  static let temporaryPrefix = ".tmp-"

  /// A fresh temporary path next to `destination`.
  static func temporaryPath(for destination: String) -> String {
    let url = URL(fileURLWithPath: destination)
    let name = "\(temporaryPrefix)\(getpid())-\(UUID().uuidString.prefix(8))-\(url.lastPathComponent)"
    return url.deletingLastPathComponent().appendingPathComponent(name).path
  }

  /// Renames `temporary` to `destination`, flushing both to disk first when `durable`.
  static func commit(_ temporary: String, to destination: String, durable: Bool = true) throws {
    if durable { try fsyncPath(temporary) }
    guard rename(temporary, destination) == 0 else {
      let e = String(cString: strerror(errno))
      unlink(temporary)
      throw ColumnStoreError(.io, path: destination, "\(destination): cannot rename into place: \(e)")
    }
    if durable { try fsyncPath(URL(fileURLWithPath: destination).deletingLastPathComponent().path) }
  }

  /// Writes `data` to `path` atomically.
  static func write(_ data: Data, to path: String, durable: Bool = true) throws {
    let tmp = temporaryPath(for: path)
    guard FileManager.default.createFile(atPath: tmp, contents: data) else {
      throw ColumnStoreError(.io, path: path, "\(path): cannot write \(tmp)")
    }
    try commit(tmp, to: path, durable: durable)
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
