import Foundation
import Testing
@testable import ColumnStore

/// Locates the ROOT test files that `Tests/fixtures/make_fixtures.py` writes
/// (`make test` runs it first): `<repo>/.build/fixtures`, or
/// `$SYSCORR_FIXTURES` when set. A missing file fails the test with a message
/// saying how to make the fixtures; nothing is skipped silently.
enum ROOTTestFiles {
  static let directory: URL = {
    if let dir = ProcessInfo.processInfo.environment["SYSCORR_FIXTURES"], !dir.isEmpty {
      return URL(fileURLWithPath: dir)
    }
    var url = URL(fileURLWithPath: #filePath)
    // Tests/ColumnStoreTests/ROOTTestSupport.swift -> repo root
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent(".build/fixtures")
  }()

  static var missingMessage: String {
    "ROOT test fixtures are missing under \(directory.path): run `make test`, or "
      + "`.build/venv/bin/python Tests/fixtures/make_fixtures.py` (needs uproot and scikit-hep-testdata)"
  }

  struct Missing: Error, CustomStringConvertible {
    var file: String
    var description: String { "\(file): \(ROOTTestFiles.missingMessage)" }
  }

  /// Relative paths (e.g. `vars_zlib.root`, `real-root/uproot-issue21.root`) of every test file.
  static let all: [String] = {
    let fm = FileManager.default
    var out: [String] = []
    for sub in ["", "real-root/"] {
      let dir = directory.appendingPathComponent(sub)
      let names = (try? fm.contentsOfDirectory(atPath: dir.path)) ?? []
      out += names.filter { $0.hasSuffix(".root") }.sorted().map { sub + $0 }
    }
    return out
  }()

  /// The path of a fixture; records a test failure naming the fixture script when it is missing.
  static func path(_ rel: String) -> String {
    let path = directory.appendingPathComponent(rel).path
    if !FileManager.default.fileExists(atPath: path) {
      Issue.record(Comment(rawValue: Missing(file: rel).description))
    }
    return path
  }

  static func bytes(_ rel: String) throws -> [UInt8] {
    let url = directory.appendingPathComponent(rel)
    guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(file: rel) }
    return [UInt8](try Data(contentsOf: url))
  }

  static func sidecar(_ rel: String) throws -> [String: Any] {
    let url = directory.appendingPathComponent(String(rel.dropLast(5)) + ".json")
    guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(file: url.lastPathComponent) }
    var parser = ExactJSON(bytes: [UInt8](try Data(contentsOf: url)))
    return try parser.value() as? [String: Any] ?? [:]
  }
}

/// A minimal JSON parser that keeps numbers exact: Foundation's parser on
/// Linux can be off by a few ulps. Integers become `Int`, other numbers
/// `Double` (correctly rounded by `Double(String)`), null becomes `NSNull`.
struct ExactJSON {
  let bytes: [UInt8]
  var i = 0
  struct Bad: Error { var at: Int }

  init(bytes: [UInt8]) { self.bytes = bytes }

  mutating func ws() { while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 } }

  mutating func value() throws -> Any {
    ws()
    guard i < bytes.count else { throw Bad(at: i) }
    switch bytes[i] {
    case UInt8(ascii: "{"):
      i += 1
      var out: [String: Any] = [:]
      ws()
      if bytes[i] == UInt8(ascii: "}") { i += 1; return out }
      while true {
        ws()
        let k = try string()
        ws()
        guard bytes[i] == UInt8(ascii: ":") else { throw Bad(at: i) }
        i += 1
        out[k] = try value()
        ws()
        if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
        guard bytes[i] == UInt8(ascii: "}") else { throw Bad(at: i) }
        i += 1
        return out
      }
    case UInt8(ascii: "["):
      i += 1
      var out: [Any] = []
      ws()
      if bytes[i] == UInt8(ascii: "]") { i += 1; return out }
      while true {
        out.append(try value())
        ws()
        if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
        guard bytes[i] == UInt8(ascii: "]") else { throw Bad(at: i) }
        i += 1
        return out
      }
    case UInt8(ascii: "\""): return try string()
    case UInt8(ascii: "t"): i += 4; return true
    case UInt8(ascii: "f"): i += 5; return false
    case UInt8(ascii: "n"): i += 4; return NSNull()
    default:
      let start = i
      while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
      let text = String(decoding: bytes[start..<i], as: UTF8.self)
      if let v = Int(text) { return v }
      if let v = UInt64(text) { return Double(v) }
      guard let d = Double(text) else { throw Bad(at: start) }
      return d
    }
  }

  mutating func string() throws -> String {
    guard bytes[i] == UInt8(ascii: "\"") else { throw Bad(at: i) }
    i += 1
    var out: [UInt8] = []
    while bytes[i] != UInt8(ascii: "\"") {
      if bytes[i] == UInt8(ascii: "\\") {
        i += 1
        switch bytes[i] {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          let hex = String(decoding: bytes[(i + 1)...(i + 4)], as: UTF8.self)
          let scalar = Unicode.Scalar(UInt32(hex, radix: 16) ?? 63) ?? "?"
          out.append(contentsOf: Array(String(Character(scalar)).utf8))
          i += 4
        default: out.append(bytes[i])
        }
      } else {
        out.append(bytes[i])
      }
      i += 1
    }
    i += 1
    return String(decoding: out, as: UTF8.self)
  }
}

/// A small SHA-256 (FIPS 180-4) for comparing columns with the sidecars.
enum SHA256 {
  static let k: [UInt32] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]

  static func hex(_ message: [UInt8]) -> String {
    var h: [UInt32] = [
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]
    var msg = message
    let bitLen = UInt64(message.count) * 8
    msg.append(0x80)
    while msg.count % 64 != 56 { msg.append(0) }
    for i in (0..<8).reversed() { msg.append(UInt8((bitLen >> (UInt64(i) * 8)) & 0xff)) }
    var w = [UInt32](repeating: 0, count: 64)
    @inline(__always) func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
    for chunk in stride(from: 0, to: msg.count, by: 64) {
      for i in 0..<16 {
        let j = chunk + 4 * i
        w[i] = UInt32(msg[j]) << 24 | UInt32(msg[j + 1]) << 16 | UInt32(msg[j + 2]) << 8 | UInt32(msg[j + 3])
      }
      for i in 16..<64 {
        let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
        let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
        w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
      for i in 0..<64 {
        let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
        let ch = (e & f) ^ (~e & g)
        let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
        let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
        let maj = (a & b) ^ (a & c) ^ (b & c)
        let t2 = s0 &+ maj
        hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
      }
      h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
      h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
    }
    return h.map { v in
      let s = String(v, radix: 16)
      return String(repeating: "0", count: 8 - s.count) + s
    }.joined()
  }
}

extension ColumnBuffer {
  /// The values as big-endian bytes (bool: one byte 0/1), as the sidecars hash them.
  var bigEndianBytes: [UInt8] {
    let w = type.byteWidth
    var out = withUnsafeBytes { [UInt8]($0) }
    if w > 1 {
      out.withUnsafeMutableBytes { p in
        guard let base = p.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var i = 0
        let n = p.count
        while i < n {
          var a = i
          var b = i + w - 1
          while a < b {
            let t = base[a]; base[a] = base[b]; base[b] = t
            a += 1; b -= 1
          }
          i += w
        }
      }
    }
    return out
  }
}

/// SHA-256 as hex, by `sha256sum` when available (fast in debug builds),
/// otherwise by the Swift implementation.
func sha256Hex(_ data: [UInt8]) -> String {
  for tool in ["/usr/bin/sha256sum", "/bin/sha256sum"] where FileManager.default.isExecutableFile(atPath: tool) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    let input = Pipe()
    let output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    do {
      try p.run()
      let writer = Thread {
        input.fileHandleForWriting.write(Data(data))
        try? input.fileHandleForWriting.close()
      }
      writer.start()
      let result = output.fileHandleForReading.readDataToEndOfFile()
      p.waitUntilExit()
      let text = String(decoding: result, as: UTF8.self)
      if p.terminationStatus == 0, let hex = text.split(separator: " ").first, hex.count == 64 {
        return String(hex)
      }
    } catch {}
  }
  return SHA256.hex(data)
}
