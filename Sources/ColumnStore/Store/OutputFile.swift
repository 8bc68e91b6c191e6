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

extension OutputFile {
  /// The JSON of result files: pretty, keys sorted, non-finite numbers as
  /// the strings "nan", "inf", "-inf" (JSON has no NaN).
  public static func json<T: Encodable>(_ value: T) throws -> Data {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try e.encode(value)
  }
}

extension OutputFile {
  /// Reads what `json(_:)` wrote (the strings "nan", "inf", "-inf" back to numbers).
  public static func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
    let d = JSONDecoder()
    d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try d.decode(type, from: data)
  }
}
