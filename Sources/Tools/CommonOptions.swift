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
}
