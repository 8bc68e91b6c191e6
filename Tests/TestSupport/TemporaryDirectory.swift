import Foundation

/// A fresh directory under the system temp dir, removed by `cleanup()`.
public struct TemporaryDirectory {
  public let path: String

  public init() {
    path = NSTemporaryDirectory() + "syscorr-test-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  public func file(_ name: String) -> String { path + "/" + name }

  public func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}
