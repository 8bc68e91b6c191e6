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

  /// Writes `data` to `path` atomically. (POSIX calls, not
  /// `FileManager.createFile`, which flushes every file to disk: a
  /// non-durable write must not cost an fsync.)
  static func write(_ data: Data, to path: String, durable: Bool = true) throws {
    let tmp = temporaryPath(for: path)
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else {
      throw ColumnStoreError(.io, path: path, "cannot write \(path): \(String(cString: strerror(errno)))")
    }
    var failure: Int32 = 0
    data.withUnsafeBytes { (b: UnsafeRawBufferPointer) in
      var offset = 0
      while offset < b.count {
        let n = Glibc.write(fd, b.baseAddress! + offset, b.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        offset += n
      }
    }
    if close(fd) != 0 && failure == 0 { failure = errno }
    guard failure == 0 else {
      unlink(tmp)
      throw ColumnStoreError(.io, path: path, "cannot write \(path): \(String(cString: strerror(failure)))")
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
