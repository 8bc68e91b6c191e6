#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Random access to the bytes of a ROOT file: an open file descriptor read
/// with `pread` (thread-safe, no shared offset) or an in-memory copy (the
/// fuzzer and tests).
final class ROOTByteSource: @unchecked Sendable {
  private let fd: Int32
  private let memory: [UInt8]?
  let size: Int
  let file: ROOTFileName

  init(path: String) throws {
    file = ROOTFileName(path: path)
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else {
      throw ColumnStoreError(.fileNotFound, path: path, "\(file.name): cannot open file")
    }
    var st = stat()
    guard fstat(fd, &st) == 0 else {
      close(fd)
      throw ColumnStoreError(.io, path: path, "\(file.name): cannot stat file")
    }
    guard (st.st_mode & S_IFMT) == S_IFREG else {
      close(fd)
      throw ColumnStoreError(.fileNotFound, path: path, "\(file.name): not a regular file")
    }
    self.fd = fd
    self.memory = nil
    self.size = Int(st.st_size)
  }

  init(bytes: [UInt8], name: String) {
    file = ROOTFileName(path: name)
    fd = -1
    memory = bytes
    size = bytes.count
  }

  deinit {
    if fd >= 0 { close(fd) }
  }

  /// `count` bytes at `offset`; throws unless they lie inside the file.
  /// `what` names the structure for the error message.
  func read(_ offset: Int, _ count: Int, _ what: @autoclosure () -> String) throws -> [UInt8] {
    guard offset >= 0, count >= 0, let end = offset.adding(count), end <= size else {
      throw file.corrupt(
        "\(what()): \(count) bytes at offset \(offset) lie outside the \(size)-byte file")
    }
    if let memory { return Array(memory[offset..<end]) }
    if count == 0 { return [] }
    return try [UInt8](unsafeUninitializedCapacity: count) { buf, initialized in
      guard let p = buf.baseAddress else { return }
      var done = 0
      while done < count {
        let r = pread(fd, p + done, count - done, off_t(offset + done))
        if r < 0 {
          if errno == EINTR { continue }
          throw ColumnStoreError(.io, path: file.path, "\(file.name): read error at offset \(offset + done)")
        }
        if r == 0 {
          throw file.corrupt("\(what()): file ended at offset \(offset + done) (was it truncated while open?)")
        }
        done += r
      }
      initialized = count
    }
  }

  /// Up to `count` bytes at `offset` (fewer at the end of the file).
  func readUpTo(_ offset: Int, _ count: Int, _ what: @autoclosure () -> String) throws -> [UInt8] {
    guard offset >= 0, offset <= size else {
      throw file.corrupt("\(what()): offset \(offset) lies outside the \(size)-byte file")
    }
    return try read(offset, min(count, size - offset), what())
  }
}
