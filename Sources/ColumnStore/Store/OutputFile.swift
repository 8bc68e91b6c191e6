import Foundation

/// Writing a file outside the store atomically: a temporary file beside it,
/// then a rename, so a failure half-way leaves the old file (or none).
public enum OutputFile {
  /// Writes `data` to `path`, creating its directory.
  public static func write(_ data: Data, to path: String, durable: Bool = false) throws {
    let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
    try DirectoryCreation.create(dir)
    try AtomicFile.write(data, to: path, durable: durable)
  }
}
