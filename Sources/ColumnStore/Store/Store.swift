import Foundation
import Numerics

#if canImport(Glibc)
  import Glibc
#endif

/// A store directory laid out like the calibration framework's production
/// area:
///
///     production/{proc}/{mode}/{sample}/manifest.json, part-*.h5, friend files, *.h5.index
///     fit_results/  plots/  validation/
///
/// The catalog is the set of `manifest.json` files: listing the store reads
/// one small JSON file per set (never the HDF5 files), and writers of
/// different sets never touch the same file. Writers of one set serialise
/// on an `flock` of the set's `.lock` file.
public struct Store: Sendable {
  public let root: String

  public static let samples = ["data", "mc"]

  public init(path: String) {
    self.root = URL(fileURLWithPath: path).standardizedFileURL.path
  }

  var productionPath: String { root + "/production" }

  func setPath(proc: String, mode: String, sample: String) -> String {
    "\(productionPath)/\(proc)/\(mode)/\(sample)"
  }

  /// Every set in the store, sorted by processing, mode and sample.
  /// - Throws: `.corruptFile` naming a manifest that cannot be decoded.
  /// - Throws: `.fileNotFound` when the store directory does not exist (a
  ///   misspelled path is not an empty store).
  public func sets() throws -> [SetManifest] {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: root, isDirectory: &isDirectory) else {
      throw ColumnStoreError(.fileNotFound, path: root, "no store at \(root) (no such directory)", remedy: .addData)
    }
    guard isDirectory.boolValue else {
      throw ColumnStoreError(.fileNotFound, path: root, "no store at \(root): it is a file, not a directory")
    }
    var out: [SetManifest] = []
    for proc in (try? fm.contentsOfDirectory(atPath: productionPath)) ?? [] where !proc.hasPrefix(".") {
      for mode in (try? fm.contentsOfDirectory(atPath: "\(productionPath)/\(proc)")) ?? [] where !mode.hasPrefix(".") {
        for sample in (try? fm.contentsOfDirectory(atPath: "\(productionPath)/\(proc)/\(mode)")) ?? [] where !sample.hasPrefix(".") {
          let dir = setPath(proc: proc, mode: mode, sample: sample)
          if let m = try Self.readManifest(dir) { out.append(m) }
        }
      }
    }
    return out.sorted { ($0.proc, $0.mode, $0.sample) < ($1.proc, $1.mode, $1.sample) }
  }

  /// A digest of one set's manifest file (its bytes): changes whenever the
  /// set does (a new file, friend version or sWeight version). Workflows
  /// compare it to skip work that is up to date.
  /// - Throws: like `manifest(proc:mode:sample:)` when the set does not exist.
  public func manifestDigest(proc: String, mode: String, sample: String) throws -> UInt64 {
    Self.digest(try storedManifest(proc: proc, mode: mode, sample: sample).bytes)
  }

  /// A digest of a manifest's bytes.
  static func digest(_ bytes: Data) -> UInt64 {
    var h = StableHash()
    for b in bytes { h.add(byte: b) }
    return h.value
  }

  /// The manifest of one set.
  /// - Throws: `.notFound` listing what the store does hold.
  public func manifest(proc: String, mode: String, sample: String) throws -> SetManifest {
    try storedManifest(proc: proc, mode: mode, sample: sample).manifest
  }

  /// The manifest of one set and the bytes it was read from (one read).
  /// - Throws: `.notFound` listing what the store does hold.
  func storedManifest(proc: String, mode: String, sample: String) throws -> (manifest: SetManifest, bytes: Data) {
    try StoreNames.validatePathComponent(proc, what: "processing")
    try StoreNames.validatePathComponent(mode, what: "mode")
    try StoreNames.validatePathComponent(sample, what: "sample")
    if let m = try Self.readStoredManifest(setPath(proc: proc, mode: mode, sample: sample)) { return m }
    let all = try sets()
    func known(_ values: [String]) -> String {
      let u = Array(Set(values)).sorted()
      return u.isEmpty ? "none" : u.joined(separator: ", ")
    }
    let message: String
    if all.isEmpty {
      throw ColumnStoreError(.notFound, path: "\(proc)/\(mode)/\(sample)", "the store \(root) is empty", remedy: .addData)
    } else if !all.contains(where: { $0.mode == mode }) {
      message = "unknown mode '\(mode)'; known modes: \(known(all.map(\.mode)))"
    } else if !all.contains(where: { $0.mode == mode && $0.proc == proc }) {
      message = "no processing '\(proc)' for mode \(mode); known: \(known(all.filter { $0.mode == mode }.map(\.proc)))"
    } else {
      message = "no \(sample) sample for \(mode) in \(proc); known: \(known(all.filter { $0.mode == mode && $0.proc == proc }.map(\.sample)))"
    }
    throw ColumnStoreError(.notFound, path: "\(proc)/\(mode)/\(sample)", message)
  }

  /// Opens a set for reading: its base files joined with all friend columns.
  public func open(proc: String, mode: String, sample: String) throws -> NtupleSet {
    let m = try storedManifest(proc: proc, mode: mode, sample: sample)
    return try NtupleSet(directory: setPath(proc: proc, mode: mode, sample: sample), manifest: m.manifest, manifestBytes: m.bytes)
  }

  static func readManifest(_ dir: String) throws -> SetManifest? { try readStoredManifest(dir)?.manifest }

  static func readStoredManifest(_ dir: String) throws -> (manifest: SetManifest, bytes: Data)? {
    let path = dir + "/" + SetManifest.fileName
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    do {
      return (try JSONDecoder().decode(SetManifest.self, from: data), data)
    } catch {
      throw ColumnStoreError(.corruptFile, path: path, "\(path): not a valid set manifest (\(error))")
    }
  }

  /// Creates the standard top-level folders.
  func createLayout() throws {
    for sub in ["production", "fit_results", "plots", "validation"] {
      try DirectoryCreation.create(root + "/" + sub)
    }
  }
}

/// An exclusive write session on one set: holds the set's lock, hands out
/// file paths, and commits a new manifest atomically. Files written during
/// the session become visible only with `commit`; a session that ends
/// without committing (error, crash, `kill -9`) leaves the catalog as it
/// was, and its files are removed by the next session on the set.
public final class SetTransaction {
  public let store: Store
  public let directory: String
  public private(set) var manifest: SetManifest
  public let isNew: Bool
  private let lockDescriptor: Int32
  private var closed = false

  /// Starts a session on `proc/mode/sample`, waiting for other writers.
  public init(store: Store, proc: String, mode: String, sample: String, command: String) throws {
    try StoreNames.validatePathComponent(proc, what: "processing")
    try StoreNames.validatePathComponent(mode, what: "mode")
    try StoreNames.validatePathComponent(sample, what: "sample")
    guard Store.samples.contains(sample) else {
      throw ColumnStoreError(.invalidInput, path: sample, "unknown sample '\(sample)'; use data or mc")
    }
    try store.createLayout()
    let dir = store.setPath(proc: proc, mode: mode, sample: sample)
    try DirectoryCreation.create(dir)
    let fd = open(dir + "/.lock", O_RDWR | O_CREAT, 0o644)
    guard fd >= 0 else { throw ColumnStoreError(.io, path: dir, "\(dir): cannot create the lock file") }
    guard flock(fd, LOCK_EX) == 0 else {
      close(fd)
      throw ColumnStoreError(.io, path: dir, "\(dir): cannot lock the set")
    }
    self.store = store
    self.directory = dir
    self.lockDescriptor = fd
    let now = ISO8601DateFormatter().string(from: Date())
    do {
      if let existing = try Store.readManifest(dir) {
        manifest = existing
        isNew = false
      } else {
        manifest = SetManifest(
          proc: proc, mode: mode, sample: sample, shortName: "", decay: "", cmsEnergy: 0, columns: [], files: [],
          friends: [], created: now, updated: now, history: [])
        isNew = true
      }
      manifest.history.append(command)
      try collectGarbage()
    } catch {
      close(fd)
      throw error
    }
  }

  deinit {
    if !closed { close(lockDescriptor) }
  }

  /// A new, unused file name in the set (`part-<id>.h5` or `<prefix>-<id>.h5`).
  public func newFilePath(prefix: String = "part") -> String {
    "\(directory)/\(prefix)-\(UUID().uuidString.prefix(12).lowercased()).h5"
  }

  /// Records a finished base file. Its columns must match the set's, and
  /// unless `allowDuplicate` its rows must not be ones the set already holds.
  /// `source` names the input in errors (not the store's internal file name).
  public func addFile(_ path: String, source: String? = nil, allowDuplicate: Bool = false) throws {
    let t = try HDF5Table(path: path)
    let name = source ?? URL(fileURLWithPath: path).lastPathComponent
    let content = Self.contentDigest(t)
    if !allowDuplicate, let same = manifest.files.first(where: { $0.content == content }) {
      throw ColumnStoreError(
        .invalidInput, path: path,
        "\(name): the set \(manifest.proc)/\(manifest.mode)/\(manifest.sample) already holds the same \(t.rowCount) rows (\(same.name)); nothing added",
        remedy: .allowDuplicate)
    }
    if manifest.columns.isEmpty {
      manifest.columns = t.columns
      let a = try t.attributes
      manifest.shortName = a.shortName
      manifest.decay = a.decay
      manifest.cmsEnergy = a.cmsEnergy
    } else if manifest.columns.map(\.name) != t.columns.map(\.name) || manifest.columns.map(\.type) != t.columns.map(\.type) {
      let have = Set(manifest.columns.map { "\($0.name):\($0.type)" })
      let new = Set(t.columns.map { "\($0.name):\($0.type)" })
      let diff = (have.symmetricDifference(new)).sorted().prefix(5).joined(separator: ", ")
      throw ColumnStoreError(
        .invalidInput, path: path,
        "\(name): its columns differ from the set \(manifest.proc)/\(manifest.mode)/\(manifest.sample) (\(diff))",
        remedy: .replaceSet)
    }
    if !manifest.friends.isEmpty {
      throw ColumnStoreError(
        .invalidInput, path: path,
        "the set has friend columns (\(manifest.friends.map(\.name).joined(separator: ", "))); new base files would lack them",
        remedy: .replaceSet)
    }
    manifest.files.append(.init(
      name: URL(fileURLWithPath: path).lastPathComponent, entries: t.rowCount, bytes: t.fileBytes, codec: t.codecName,
      content: content))
  }

  /// A stable hash of the row count, the column names and types, and the bit
  /// patterns of every chunk's min, max, NaN count and count.
  static func contentDigest(_ t: HDF5Table) -> String {
    var h = StableHash()
    h.add(UInt64(t.rowCount))
    for c in t.columns {
      h.add(c.name + ":" + c.type.rawValue)
      for k in t.chunkRanges.indices {
        if let s = t.statistics(column: c.name, chunk: k) {
          for word in [s.min.bitPattern, s.max.bitPattern, UInt64(s.nanCount), UInt64(s.count)] { h.add(word) }
        } else {
          h.add(UInt64.max)
        }
      }
    }
    return String(h.value, radix: 16)
  }


  /// Drops every file and friend set (for `--replace`); the old files stay
  /// until the commit succeeds.
  public func removeAll() {
    manifest.files = []
    manifest.friends = []
    manifest.columns = []
  }

  /// Records a friend column set whose files parallel the base files.
  public func addFriend(name: String, files: [String]) throws {
    try StoreNames.validatePathComponent(name, what: "friend set name")
    guard files.count == manifest.files.count else {
      throw ColumnStoreError(.invalidInput, path: name, "friend set '\(name)' has \(files.count) files for \(manifest.files.count) base files")
    }
    var columns: [ColumnInfo] = []
    for (path, base) in zip(files, manifest.files) {
      let t = try HDF5Table(path: path)
      guard t.rowCount == base.entries else {
        throw ColumnStoreError(.invalidInput, path: path, "\(path): \(t.rowCount) rows, but base file \(base.name) has \(base.entries)")
      }
      if columns.isEmpty { columns = t.columns }
    }
    let taken = Set(manifest.columns.map(\.name) + manifest.friends.filter { $0.name != name }.flatMap { $0.columns.map(\.name) })
    if let clash = columns.first(where: { taken.contains($0.name) }) {
      throw ColumnStoreError(.invalidInput, path: clash.name, "friend column '\(clash.name)' already exists in the set")
    }
    manifest.friends.removeAll { $0.name == name }
    manifest.friends.append(
      .init(name: name, columns: columns, files: files.map { URL(fileURLWithPath: $0).lastPathComponent },
            created: ISO8601DateFormatter().string(from: Date())))
  }

  /// Writes the new manifest atomically, removes unreferenced files and
  /// releases the lock. An empty set is removed from the catalog.
  public func commit() throws {
    precondition(!closed)
    manifest.updated = ISO8601DateFormatter().string(from: Date())
    let path = directory + "/" + SetManifest.fileName
    if manifest.files.isEmpty {
      if FileManager.default.fileExists(atPath: path) { unlink(path) }
    } else {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try AtomicFile.write(try encoder.encode(manifest), to: path)
    }
    try collectGarbage()
    close(lockDescriptor)
    closed = true
  }

  /// Removes files of the set directory that the manifest does not name
  /// (with their chunk indexes): leftovers of sessions that died before
  /// committing.
  private func collectGarbage() throws {
    var keep: Set<String> = [SetManifest.fileName, ".lock"]
    keep.formUnion(manifest.files.map(\.name))
    keep.formUnion(manifest.friends.flatMap(\.files))
    keep.formUnion(keep.map(ChunkIndex.path(for:)))
    let fm = FileManager.default
    for name in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where !keep.contains(name) {
      if name.hasSuffix(".h5") || name.hasSuffix(".h5" + ChunkIndex.suffix) || name.hasPrefix(AtomicFile.temporaryPrefix) {
        try? fm.removeItem(atPath: directory + "/" + name)
      }
    }
  }
}

extension Store {
  /// Fills in a missing processing or sample when the store holds exactly
  /// one candidate for the rest of the selection.
  /// - Throws: `.notFound` listing the candidates when ambiguous or absent.
  public func resolve(mode: String, proc: String?, sample: String?) throws -> (proc: String, mode: String, sample: String) {
    // Fully named: nothing to resolve (opening the set reports what is missing).
    if let proc, let sample { return (proc, mode, sample) }
    let all = try sets()
    let modes = Set(all.map(\.mode)).sorted()
    guard !modes.isEmpty else {
      throw ColumnStoreError(.notFound, path: mode, "the store \(root) is empty", remedy: .addData)
    }
    guard modes.contains(mode) else {
      let hint = NameSuggestions.closest(to: mode, in: modes).map { "; did you mean '\($0)'?" } ?? ""
      throw ColumnStoreError(.notFound, path: mode, "unknown mode '\(mode)'; known modes: \(modes.joined(separator: ", "))\(hint)")
    }
    let matching = all.filter { $0.mode == mode && (proc == nil || $0.proc == proc) && (sample == nil || $0.sample == sample) }
    if matching.count == 1 { return (matching[0].proc, mode, matching[0].sample) }
    if matching.isEmpty {
      throw ColumnStoreError(
        .notFound, path: mode,
        "no set matches mode \(mode)\(proc.map { " proc \($0)" } ?? "")\(sample.map { " sample \($0)" } ?? ""); known: \(all.filter { $0.mode == mode }.map { "\($0.proc)/\($0.sample)" }.joined(separator: ", "))")
    }
    throw ColumnStoreError(
      .notFound, path: mode, "several sets match mode \(mode)", remedy: .chooseSet(matching.map { "\($0.proc)/\($0.sample)" }))
  }
}

extension Store {
  /// The folders beside `production/` that hold what analyses derive from the sets.
  public enum OutputFolder: String, Sendable, CaseIterable {
    case fitResults = "fit_results"
    case plots
    case validation
    /// Workflow reports (HTML) and their resume state.
    case workflows
  }

  /// The path of `file` in one of the output folders.
  public func outputPath(_ folder: OutputFolder, _ file: String) -> String {
    "\(root)/\(folder.rawValue)/\(file)"
  }

  /// Writes `data` atomically (temporary file, fsync, rename) to an output
  /// folder, creating it when needed; returns the path.
  @discardableResult
  public func writeOutput(_ data: Data, to folder: OutputFolder, named file: String) throws -> String {
    try StoreNames.validatePathComponent(file, what: "output file name")
    try DirectoryCreation.create("\(root)/\(folder.rawValue)")
    let path = outputPath(folder, file)
    try AtomicFile.write(data, to: path)
    return path
  }
}
