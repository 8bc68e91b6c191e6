import ColumnStore
import Foundation
import Testing
@testable import Tools

@Suite struct LsCommandTests {
  /// The ROOT fixtures of `Tests/fixtures/make_fixtures.py` (`make test` writes them).
  static let data: URL = {
    if let dir = ProcessInfo.processInfo.environment["SYSCORR_FIXTURES"], !dir.isEmpty {
      return URL(fileURLWithPath: dir)
    }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent(".build/fixtures")
  }()

  /// Opens a fixture; a missing one fails with how to make it.
  func open(_ rel: String) throws -> ROOTFile {
    let path = Self.data.appendingPathComponent(rel).path
    try #require(
      FileManager.default.fileExists(atPath: path),
      "\(rel) missing under \(Self.data.path): run `make test`, or `.build/venv/bin/python Tests/fixtures/make_fixtures.py`")
    return try ROOTFile(path: path)
  }

  @Test func textListsTreesBranchesAndSkips() throws {
    let root = try open("vars_multitree_zlib.root")
    let text = LsCommand.text(root, trees: root.trees)
    #expect(text.contains("directories: subdir"))
    #expect(text.contains("other objects: h_Mbc;1 (TH1D)"))
    #expect(text.contains("TTree subdir/variables;1 (v20): 500 entries, 2 flat branches"))
    #expect(text.contains("  __event__  uint32   TLeafI, 2 baskets"))

    let sample = try open("real-root/uproot-sample-6.20.04-zlib.root")
    let s = LsCommand.text(sample, trees: sample.trees)
    #expect(s.contains("TTree sample;1 (v20): 30 entries, 12 flat branches, 23 skipped"))
    #expect(s.contains("  str  skipped: string (TLeafC)"))
    #expect(!s.contains("nothing flat here"))
    #expect(!text.contains("nothing flat here"))
  }

  @Test func jsonRoundTrips() throws {
    let root = try open("vars_lz4.root")
    let json = try LsCommand.json(root, trees: root.trees)
    let listing = try JSONDecoder().decode(LsCommand.Listing.self, from: Data(json.utf8))
    #expect(listing.trees.count == 1)
    #expect(listing.trees[0].entries == 30000)
    #expect(listing.trees[0].branches.first { $0.name == "__event__" }?.type == .uint32)
    #expect(listing.rootVersion == "6.24/00")
  }

  @Test func helpHasAnExample() {
    let help = LsCommand.helpMessage()
    #expect(help.contains("syscorr ls ntuple.root"))
  }
}
