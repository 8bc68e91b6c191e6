import Foundation

/// The catalog entry of one ntuple set (a processing × mode × sample): the
/// files, their columns and the friend column sets added later (sWeights,
/// resampled PID). Stored as `manifest.json` in the set's directory and
/// replaced atomically by every write, so a reader sees either the old or
/// the new set, never a mixture. Spec: `schemas/manifest.schema.json`.
public struct SetManifest: Codable, Sendable, Equatable {
  public static let formatVersion = "syscorr-set/1"
  public static let fileName = "manifest.json"

  public var format: String = SetManifest.formatVersion
  public var proc: String
  public var mode: String
  public var sample: String
  public var shortName: String
  public var decay: String
  public var cmsEnergy: Double
  public var columns: [ColumnInfo]
  public var files: [FileEntry]
  public var friends: [FriendSet]
  public var created: String
  public var updated: String
  /// The commands that changed the set, oldest first.
  public var history: [String]

  /// One base file of the set.
  public struct FileEntry: Codable, Sendable, Equatable {
    public var name: String
    public var entries: Int
    public var bytes: Int
    public var codec: String
    /// A digest of the file's rows (row count, column types, every chunk's
    /// statistics): the same rows added twice are refused unless asked for.
    /// Absent in manifests written before it existed.
    public var content: String?
  }

  /// Columns added later without rewriting the base files: one friend file
  /// per base file, with the same rows in the same order. The name carries
  /// the version (`sweights_v1`).
  public struct FriendSet: Codable, Sendable, Equatable {
    public var name: String
    public var columns: [ColumnInfo]
    /// File names, parallel to `SetManifest.files`.
    public var files: [String]
    public var created: String
  }

  public var entries: Int { files.reduce(0) { $0 + $1.entries } }

  public var bytes: Int { files.reduce(0) { $0 + $1.bytes } }

  enum CodingKeys: String, CodingKey {
    case format, proc, mode, sample, decay, columns, files, friends, created, updated, history
    case shortName = "short_name"
    case cmsEnergy = "cms_energy"
  }
}
