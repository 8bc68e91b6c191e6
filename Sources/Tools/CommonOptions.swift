import ArgumentParser
import Foundation

/// `--threads N`, shared by every command that runs queries or fits.
struct ThreadsOption: ParsableArguments {
  @Option(help: "Worker threads (default: the number of cores).")
  var threads: Int?

  func validate() throws {
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
  }
}

/// `--codec` and `--sync` of a standalone file a command writes (`--out`).
struct FileOutputOptions: ParsableArguments {
  @Option(help: "Codec of the written file: none, lz4, zstd[:level], deflate[:level].")
  var codec: String = "deflate:1"

  @Flag(help: "Flush the written file to disk before returning (it is always written atomically).")
  var sync = false

  @Flag(help: "Replace the --out file if it exists.")
  var force = false

  /// Refuses a path inside a store set (sets change only through their own
  /// transactions) and, without --force, an existing file.
  func checkTarget(_ path: String) throws { try Self.checkTarget(path, force: force) }

  static func checkTarget(_ path: String, force: Bool) throws {
    let fm = FileManager.default
    var dir = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
    while dir.path != "/" && !dir.path.isEmpty {
      if fm.fileExists(atPath: dir.appendingPathComponent("manifest.json").path) {
        throw CommandError(
          "\(path) is inside the store set \(dir.path); sets change only through syscorr ingest, add-columns and fit")
      }
      dir = dir.deletingLastPathComponent()
    }
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
      if isDirectory.boolValue { throw CommandError("\(path) is a directory; --out takes a file name") }
      if !force { throw CommandError("\(path) exists; use --force to replace it") }
    }
  }
}
