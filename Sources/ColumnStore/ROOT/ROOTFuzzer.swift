import Numerics
import Dispatch
import Foundation
import Synchronization

/// The outcome of a fuzz run over damaged copies of ROOT files.
package struct ROOTFuzzReport: Sendable, CustomStringConvertible {
  /// Cases run.
  package var cases = 0
  /// Cases that opened and read every flat branch of every tree.
  package var read = 0
  /// Cases rejected with a `ColumnStoreError`, by kind.
  package var rejected: [String: Int] = [:]
  /// Problems: errors that are not `ColumnStoreError`, or messages that do
  /// not start with the file name. Empty when the run passed.
  package var failures: [String] = []
  /// A few rejection messages, for a look at their quality.
  package var sampleMessages: [String] = []
  package var seconds = 0.0

  package var passed: Bool { failures.isEmpty }

  package var description: String {
    let rej = rejected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    var s = "\(cases) cases in \(String(format: "%.1f", seconds)) s: \(read) read, "
      + "\(rejected.values.reduce(0, +)) rejected (\(rej)), \(failures.count) failures"
    for f in failures.prefix(10) { s += "\n  FAILURE: \(f)" }
    for m in sampleMessages.prefix(12) { s += "\n  e.g. \(m)" }
    return s
  }
}

/// Reads truncated and bit-flipped copies of ROOT files: every case must be
/// read completely or rejected with a `ColumnStoreError` naming the file
/// (never a crash or a hang).
package enum ROOTFuzzer {
  /// Runs `cases` mutations spread over `files` (paths of valid ROOT files),
  /// reproducibly from `seed`. Mutations aim mostly at structure (header,
  /// directories, key lists, tree metadata, basket headers). Every fourth
  /// case uses the recovery scan (`ROOTFile(bytes:name:recover:)`).
  package static func run(files: [String], cases: Int, seed: UInt64 = 1) throws -> ROOTFuzzReport {
    struct Seed: Sendable { var name: String; var bytes: [UInt8]; var regions: [Range<Int>] }
    var seeds: [Seed] = []
    for path in files {
      let original = try ROOTFile(path: path)
      let data = try original.source.read(0, original.source.size, "whole file")
      seeds.append(Seed(name: original.source.file.name, bytes: data, regions: original.structureRanges))
    }
    guard !seeds.isEmpty, cases > 0 else { return ROOTFuzzReport() }
    let start = Date()
    let results = Mutex<[Int: (outcome: String, message: String?, failure: String?)]>([:])
    let seedList = seeds
    DispatchQueue.concurrentPerform(iterations: cases) { i in
      var rng = SplitMix64(seed: seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
      let s = seedList[i % seedList.count]
      let (bytes, what) = mutate(s.bytes, regions: s.regions, rng: &rng)
      // Every fourth case opens the file with the recovery scan.
      let r = runCase(bytes, name: s.name, what: what, recover: i % 4 == 3)
      results.withLock { $0[i] = r }
    }
    var report = ROOTFuzzReport()
    report.cases = cases
    let all = results.withLock { $0 }
    for i in 0..<cases {
      guard let r = all[i] else { continue }
      if r.outcome == "read" {
        report.read += 1
      } else {
        report.rejected[r.outcome, default: 0] += 1
      }
      if let f = r.failure { report.failures.append(f) }
      if let m = r.message, report.sampleMessages.count < 40, i % 17 == 0 { report.sampleMessages.append(m) }
    }
    report.seconds = Date().timeIntervalSince(start)
    return report
  }

  static func runCase(_ bytes: [UInt8], name: String, what: String, recover: Bool = false)
    -> (outcome: String, message: String?, failure: String?)
  {
    do {
      let file = try ROOTFile(bytes: bytes, name: name, recover: recover)
      for info in file.trees {
        let tree = try file.tree(named: info.path)
        let names = tree.columns.map(\.name)
        for chunk in tree.chunkRanges.indices {
          let out = try tree.read(columns: names, chunk: chunk)
          for (n, b) in out where b.count != tree.chunkRanges[chunk].count {
            return ("read", nil, "\(name) [\(what)]: column \(n) has \(b.count) rows in chunk \(chunk)")
          }
        }
      }
      return ("read", nil, nil)
    } catch let e as ColumnStoreError {
      let failure = e.message.hasPrefix("\(name): ") ? nil : "\(name) [\(what)]: message lacks the file name: \(e.message)"
      return (e.kind.rawValue, e.message, failure)
    } catch {
      return ("other", nil, "\(name) [\(what)]: not a ColumnStoreError: \(error)")
    }
  }

  /// One mutation of `data`; returns the damaged bytes and a description.
  static func mutate(_ data: [UInt8], regions: [Range<Int>], rng: inout SplitMix64)
    -> ([UInt8], String)
  {
    var d = data
    let n = d.count
    guard n > 0 else { return (d, "empty") }
    func structural() -> Int {
      guard !regions.isEmpty else { return rng.below(n) }
      let r = regions[rng.below(regions.count)]
      return r.lowerBound + rng.below(r.count)
    }
    switch rng.below(8) {
    case 0:
      let cut = rng.below(n)
      return (Array(d[0..<cut]), "truncated to \(cut) bytes")
    case 1:
      let cut = structural()
      return (Array(d[0..<cut]), "truncated to \(cut) bytes (in a structure)")
    case 2, 3:
      let p = structural()
      let bit = rng.below(8)
      d[p] ^= UInt8(1 << bit)
      return (d, "bit \(bit) of byte \(p) flipped (structure)")
    case 4:
      var text: [String] = []
      for _ in 0..<(1 + rng.below(4)) {
        let p = rng.below(n)
        let bit = rng.below(8)
        d[p] ^= UInt8(1 << bit)
        text.append("\(p).\(bit)")
      }
      return (d, "bits flipped at \(text.joined(separator: ","))")
    case 5:
      let p = structural()
      let values: [UInt32] = [0, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, 0x4000_0000, 0x4000_FFFF, 1, 0xFFFF]
      let v = values[rng.below(values.count)]
      for k in 0..<4 where p + k < n { d[p + k] = UInt8(truncatingIfNeeded: v >> (24 - 8 * k)) }
      return (d, "4 bytes at \(p) set to \(String(v, radix: 16))")
    case 6:
      let p = structural()
      let v = UInt8(truncatingIfNeeded: rng.next())
      d[p] = v
      return (d, "byte \(p) set to \(v)")
    default:
      let p = structural()
      let len = 1 + rng.below(64)
      for k in p..<min(n, p + len) { d[k] = 0 }
      return (d, "\(len) bytes zeroed at \(p)")
    }
  }
}

extension SplitMix64 {
  /// A value in `0..<n` (0 when n <= 1); the modulo bias is irrelevant for fuzzing.
  mutating func below(_ n: Int) -> Int {
    n <= 1 ? 0 : Int(next() % UInt64(n))
  }
}
