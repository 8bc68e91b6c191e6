import Foundation
import Testing

/// The module graph of docs/architecture.md: every module may import only the
/// modules before it in `order`, plus its listed system and package modules.
/// Read from the sources' `import` lines, so a new dependency fails here first.
@Suite struct ModuleGraphTests {
  static let order = ["Numerics", "ColumnStore", "Modes", "Query", "Toys", "Analysis", "Report", "Workflow", "Tools"]
  static let system: Set<String> = ["Foundation", "Dispatch", "Glibc", "Darwin", "Synchronization", "Musl"]
  static let external: [String: Set<String>] = [
    "ColumnStore": ["CHDF5", "CZlib", "CDeflate", "CZstd", "CLZ4", "CLZMA", "CMalloc", "CKernels"],
    "Modes": ["Yams"],
    "Query": ["CKernels"],
    "Workflow": ["Yams"],
    "Tools": ["ArgumentParser"],
  ]

  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Module → (file, imported module) for every `import` line of its sources.
  static func imports(of module: String) throws -> [(file: String, module: String)] {
    try imports(in: root.appendingPathComponent("Sources/\(module)"), label: module)
  }

  static func imports(in dir: URL, label module: String) throws -> [(file: String, module: String)] {
    var result: [(String, String)] = []
    guard let walker = FileManager.default.enumerator(atPath: dir.path) else { return [] }
    for case let file as String in walker where file.hasSuffix(".swift") {
      let text = try String(contentsOfFile: dir.appendingPathComponent(file).path, encoding: .utf8)
      // top-level lines only: an indented "import …" is text inside a string
      for line in text.split(separator: "\n") where line.first.map({ !$0.isWhitespace }) ?? false {
        var words = line.split(separator: " ").map(String.init)
        while let w = words.first, ["@testable", "@_exported", "@preconcurrency", "public", "package",
                                     "internal", "@_implementationOnly"].contains(w) { words.removeFirst() }
        guard words.count >= 2, words[0] == "import" else { continue }
        result.append(("\(module)/\(file)", String(words[1].split(separator: ".")[0])))
      }
    }
    return result
  }

  @Test func everyModuleImportsOnlyModulesToItsLeft() throws {
    var violations: [String] = []
    for (i, module) in Self.order.enumerated() {
      let allowed = Set(Self.order[..<i]).union(Self.system).union(Self.external[module] ?? [])
      let found = try Self.imports(of: module)
      #expect(!found.isEmpty || ["Analysis", "Report", "Workflow"].contains(module), "no sources for \(module)")
      for (file, imported) in found where !allowed.contains(imported) {
        violations.append("\(file) imports \(imported)")
      }
    }
    #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
  }

  @Test func numericsHasNoDependencies() throws {
    let found = try Self.imports(of: "Numerics").filter { !Self.system.contains($0.module) }
    #expect(found.isEmpty, "\(found)")
  }

  @Test func everySourceDirectoryIsAKnownModule() throws {
    let dirs = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources").path)
    let known = Set(Self.order + ["CKernels"])
    #expect(Set(dirs.filter { !$0.hasPrefix(".") }) == known)
  }

  @Test func architectureDocumentNamesEveryModule() throws {
    let doc = try String(contentsOfFile: Self.root.appendingPathComponent("docs/architecture.md").path, encoding: .utf8)
    #expect(doc.contains(Self.order.joined(separator: " ← ")))
    for module in Self.order { #expect(doc.contains("`\(module)`"), "docs/architecture.md lacks \(module)") }
  }

  /// The checker itself: a top-level import is found (with attributes and
  /// submodules), an indented "import" inside a string is not.
  @Test func checkerReadsImportLines() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graph-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let text = "@testable import Query\nimport Foundation.NSData\nlet s = \"\"\"\n  import Yams\n  \"\"\"\n"
    try text.write(to: dir.appendingPathComponent("Probe.swift"), atomically: true, encoding: .utf8)
    let found = try Self.imports(in: dir, label: "Probe").map(\.module)
    #expect(found == ["Query", "Foundation"])
  }
}
