import ArgumentParser
import ColumnStore
import Modes

/// Resolves `--mode NAME` (a built-in) or `--mode-file FILE.yaml` (a custom
/// mode in the format of schemas/modes/).
enum ModeLookup {
  static func resolve(name: String, file: String?) throws -> CalibrationMode {
    if let file {
      let mode = try CalibrationMode.load(contentsOf: file)
      guard mode.name == name else {
        throw CommandError("\(file) defines mode '\(mode.name)', not '\(name)'")
      }
      return mode
    }
    if let mode = CalibrationMode.builtin(named: name) { return mode }
    let known = CalibrationMode.builtins.map(\.name)
    let hint = NameSuggestions.closest(to: name, in: known).map { "; did you mean '\($0)'?" } ?? ""
    throw CommandError(
      "unknown mode '\(name)'; known modes: \(known.joined(separator: ", "))\(hint) (or give --mode-file FILE.yaml)")
  }
}
