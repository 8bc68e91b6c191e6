import ColumnStore
import Foundation
import Yams

/// A workflow configuration file (YAML or JSON): decoded into `T` with every
/// mistake reported at its key path (`tasks[1].proc: missing`), never as a
/// Swift `DecodingError`.
enum WorkflowConfig {
  static func load<T: Decodable>(_ type: T.Type, path: String) throws -> T {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ColumnStoreError(.fileNotFound, path: path, "cannot read workflow configuration '\(path)'")
    }
    let text = String(decoding: data, as: UTF8.self)
    do {
      // YAML is a superset of JSON: one decoder reads both
      return try YAMLDecoder().decode(T.self, from: text)
    } catch let e as DecodingError {
      throw ColumnStoreError(.invalidInput, path: path, "\(path): \(describe(e))")
    } catch let e as ColumnStoreError {
      throw ColumnStoreError(e.kind, path: path, "\(path): \(e.path.isEmpty ? "" : e.path + ": ")\(e.message)")
    } catch {
      throw ColumnStoreError(.invalidInput, path: path, "\(path): not valid YAML or JSON (\(error))")
    }
  }

  static func keyPath(_ keys: [any CodingKey]) -> String {
    var out = ""
    for k in keys {
      if let i = k.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + k.stringValue }
    }
    return out
  }

  static func describe(_ e: DecodingError) -> String {
    switch e {
    case .keyNotFound(let key, let c): return "\(keyPath(c.codingPath + [key])): missing"
    case .typeMismatch(let type, let c): return "\(keyPath(c.codingPath)): expected \(type)"
    case .valueNotFound(let type, let c): return "\(keyPath(c.codingPath)): expected \(type), found nothing"
    case .dataCorrupted(let c):
      return c.codingPath.isEmpty ? c.debugDescription : "\(keyPath(c.codingPath)): \(c.debugDescription)"
    @unknown default: return "\(e)"
    }
  }
}

/// Keys of a mapping, for configurations that report unknown keys.
struct AnyKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where K == AnyKey {
  /// Throws for a key outside `known`, with a did-you-mean.
  func rejectUnknownKeys(_ known: [String]) throws {
    for key in allKeys where !known.contains(key.stringValue) {
      let hint = NameSuggestions.closest(to: key.stringValue, in: known).map { "; did you mean '\($0)'?" } ?? ""
      throw DecodingError.dataCorrupted(.init(
        codingPath: codingPath + [key], debugDescription: "unknown key (known: \(known.joined(separator: ", ")))\(hint)"))
    }
  }
}
