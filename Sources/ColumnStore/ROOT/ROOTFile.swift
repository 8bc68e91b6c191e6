/// One branch of a ROOT tree: its column type when it is flat, or why it is skipped.
public struct ROOTBranchInfo: Sendable, Equatable, Codable {
  public var name: String
  /// The branch title (the leaf list, e.g. `K_p/D`).
  public var title: String
  /// The ROOT class of the branch (`TBranch`, `TBranchElement`, ...).
  public var branchClass: String
  /// The leaf class (`TLeafD`, ...), empty when not known.
  public var leafClass: String
  /// The column type of a flat branch; nil when skipped.
  public var type: ColumnType?
  /// Why the branch is skipped; nil for a flat branch that is read.
  public var skipReason: String?
  /// The branch's entry count (fEntries).
  public var entries: Int
  /// The number of baskets that hold its values (on disk plus embedded).
  public var baskets: Int

  public var isFlat: Bool { type != nil }

  enum CodingKeys: String, CodingKey {
    case name, title, branchClass = "branch_class", leafClass = "leaf_class", type, skipReason = "skip_reason"
    case entries, baskets
  }
}

/// A tree (TTree, TNtuple or TNtupleD) of a ROOT file; the highest cycle of its name.
public struct ROOTTreeInfo: Sendable, Equatable, Codable {
  /// `dir/sub/name`, or just `name` at the top level.
  public var path: String
  /// The directory path (empty at the top level).
  public var directory: String
  public var name: String
  public var title: String
  public var className: String
  /// The TTree class version (16...20).
  public var classVersion: Int
  public var cycle: Int
  public var entries: Int
  public var branches: [ROOTBranchInfo]
  /// Why the tree cannot be read (its metadata is damaged or of an unknown
  /// class version); nil when it can. Other trees of the file stay readable.
  public var error: String?

  public var skippedBranches: [ROOTBranchInfo] { branches.filter { !$0.isFlat } }

  enum CodingKeys: String, CodingKey {
    case path, directory, name, title, className = "class_name", classVersion = "class_version", cycle, entries
    case branches, error
  }
}

/// A key of the file (any class), with its directory path.
public struct ROOTObjectInfo: Sendable, Equatable, Codable {
  public var path: String
  public var className: String
  public var cycle: Int

  enum CodingKeys: String, CodingKey { case path, className = "class_name", cycle }
}

/// A ROOT file opened for reading flat TTrees, without ROOT.
///
/// Opening reads the header, every directory and key list, and the metadata
/// of every tree (highest cycle); basket data is read only by `ROOTTree.read`.
///
/// ```swift
/// let file = try ROOTFile(path: "ntuple.root")
/// let tree = try file.tree()            // `variables`, or the only tree
/// let kaonID = try tree.readAll("K_kaonID")
/// ```
public final class ROOTFile: Sendable {
  public let path: String
  /// fVersion as stored (≥ 1,000,000 for the 64-bit header layout).
  public let version: Int
  /// The file's fCompress setting (advisory).
  public let compression: Int
  public let isBigFile: Bool
  /// Every key, recursively, in file order.
  public let objects: [ROOTObjectInfo]
  /// The trees (highest cycle of each path), in file order.
  public let trees: [ROOTTreeInfo]
  /// Sub-directory paths.
  public let directories: [String]

  let source: ROOTByteSource
  let layouts: [String: ROOTTreeLayout]
  /// Trees whose metadata could not be read.
  let treeErrors: [String: ColumnStoreError]
  /// The chosen key of each tree.
  let treeKeys: [String: ROOTKey]
  /// File ranges holding structure (header, directories, key lists, tree
  /// metadata, basket headers): where the fuzzer aims its mutations.
  let structureRanges: [Range<Int>]

  /// The file size in bytes.
  public var fileSize: Int { source.size }

  /// The writer's version as `M.mm/pp`, e.g. `6.24/00`.
  public var writerVersion: String {
    let v = version % 1_000_000
    let minor = (v / 100) % 100
    let patch = v % 100
    return "\(v / 10000).\(minor < 10 ? "0" : "")\(minor)/\(patch < 10 ? "0" : "")\(patch)"
  }

  /// Opens the file at `path`.
  /// - Throws: `ColumnStoreError` (`.fileNotFound`, `.corruptFile` naming the
  ///   broken structure, `.unsupported` naming a class and version).
  ///
  /// With `recover`, the key lists are not used: the records are scanned
  /// from the start of the file instead (what ROOT's `TFile::Recover` does),
  /// which finds the trees of a file whose writer never closed it. This
  /// works for files written by C++ ROOT (contiguous records), not for
  /// uproot's files (zero-filled gaps end the scan).
  public convenience init(path: String, recover: Bool = false) throws {
    try self.init(source: ROOTByteSource(path: path), recover: recover)
  }

  /// Reads a ROOT file held in memory; `name` is used in messages.
  public convenience init(bytes: [UInt8], name: String, recover: Bool = false) throws {
    try self.init(source: ROOTByteSource(bytes: bytes, name: name), recover: recover)
  }

  init(source: ROOTByteSource, recover: Bool = false) throws {
    self.source = source
    self.path = source.file.path
    let header = try ROOTHeader.read(source)
    version = header.version
    compression = header.compress
    isBigFile = header.isBig

    var objects: [ROOTObjectInfo] = []
    var directories: [String] = []
    // Tree keys by path: the highest cycle wins.
    var treeKeys: [(path: String, dir: String, key: ROOTKey)] = []
    var visited = Set<Int>()
    var dirRanges: [Range<Int>] = []

    func walk(_ offset: Int, _ dirPath: String, depth: Int) throws {
      guard depth < 32, visited.insert(offset).inserted else {
        throw source.file.corrupt("directory at offset \(offset): directory loop")
      }
      let what = dirPath.isEmpty ? "root directory" : "directory '\(dirPath)'"
      let dir = try ROOTDirectory.read(source, at: offset, what: what)
      dirRanges.append(offset..<(offset + 64))
      dirRanges.append(dir.seekKeys..<(dir.seekKeys + dir.nbytesKeys))
      for key in dir.keys {
        let p = dirPath.isEmpty ? key.name : "\(dirPath)/\(key.name)"
        objects.append(ROOTObjectInfo(path: p, className: key.className, cycle: key.cycle))
        switch key.className {
        case "TDirectory", "TDirectoryFile":
          directories.append(p)
          guard let sub = key.seekKey.adding(key.keylen) else {
            throw source.file.corrupt("TKey at offset \(key.offset): bad directory position")
          }
          try walk(sub, p, depth: depth + 1)
        case "TTree", "TNtuple", "TNtupleD":
          if let i = treeKeys.firstIndex(where: { $0.path == p }) {
            if key.cycle > treeKeys[i].key.cycle { treeKeys[i].key = key }
          } else {
            treeKeys.append((p, dirPath, key))
          }
        default: break
        }
      }
    }
    guard let rootDir = header.begin.adding(header.nbytesName) else {
      throw source.file.corrupt("file header: bad root directory position")
    }
    if recover {
      let found = try Self.recoverKeys(source, begin: header.begin)
      objects = found.objects
      directories = found.directories
      treeKeys = found.trees
    } else {
      try walk(rootDir, "", depth: 0)
    }

    var trees: [ROOTTreeInfo] = []
    var layouts: [String: ROOTTreeLayout] = [:]
    var ranges: [Range<Int>] = [0..<min(source.size, 64), rootDir..<(rootDir + 64)]
    ranges += dirRanges
    var treeErrors: [String: ColumnStoreError] = [:]
    for (p, dir, key) in treeKeys {
      let what = "\(key.className) '\(p)'"
      do {
        let object = try key.readObject(source, what: what)
        var parser = ROOTTreeParser(
          object: object, keylen: key.keylen, file: source.file,
          context: "\(what) (TKey at offset \(key.seekKey))")
        let model = try parser.parseTree(className: key.className)
        let layout = try ROOTTreeLayout(model: model, source: source, treePath: p)
        layouts[p] = layout
        ranges.append(key.seekKey..<(key.seekKey + max(0, key.nbytes)))
        for column in layout.baskets {
          for b in column {
            if case .disk(let seek, let bytes, _) = b.location {
              ranges.append(seek..<(seek + min(bytes, 128)))
            }
          }
        }
        trees.append(
          ROOTTreeInfo(
            path: p, directory: dir, name: key.name, title: model.title,
            className: key.className, classVersion: model.classVersion, cycle: key.cycle,
            entries: model.entries, branches: layout.infos))
      } catch let e as ColumnStoreError {
        // One damaged tree (or one of an unknown class version) must not
        // hide the others: it is listed with its error, thrown by `tree(named:)`.
        treeErrors[p] = e
        trees.append(
          ROOTTreeInfo(
            path: p, directory: dir, name: key.name, title: key.title, className: key.className,
            classVersion: 0, cycle: key.cycle, entries: 0, branches: [], error: e.message))
      }
    }
    self.objects = objects
    self.directories = directories
    self.trees = trees
    self.layouts = layouts
    self.treeErrors = treeErrors
    self.treeKeys = Dictionary(treeKeys.map { ($0.path, $0.key) }, uniquingKeysWith: { a, _ in a })
    self.structureRanges = ranges.filter { $0.lowerBound >= 0 && $0.upperBound <= source.size && !$0.isEmpty }
  }

  /// Scans the records from fBEGIN (each starts with a TKey header; a
  /// negative fNbytes is a free gap) and returns the keys found. Directory
  /// paths come from the TDirectory keys: a key's fSeekPdir is the position
  /// of its directory's key (fBEGIN for the top directory).
  static func recoverKeys(_ source: ROOTByteSource, begin: Int) throws -> (
    objects: [ROOTObjectInfo], directories: [String],
    trees: [(path: String, dir: String, key: ROOTKey)]
  ) {
    var keys: [ROOTKey] = []
    var pos = begin
    var steps = 0
    while pos < source.size - 18, steps < source.size / 18 {
      steps += 1
      let head = try source.readUpTo(pos, 1024, "record at offset \(pos)")
      var c = ROOTCursor(head, base: pos, file: source.file, context: "record at offset \(pos)")
      let nbytes = try c.int32()
      if nbytes < 0 {
        pos += -nbytes
        continue
      }
      c.pos = 0
      guard nbytes > 0, let key = try? ROOTKey.parse(&c), key.seekKey == pos, key.keylen <= nbytes else {
        break  // a zero-filled gap or the end of the written records
      }
      keys.append(key)
      pos += nbytes
    }
    if keys.isEmpty {
      throw source.file.corrupt("recovery scan: no records found from offset \(begin)")
    }
    // Directories: key position -> (name, parent key position).
    var dirs: [Int: (name: String, parent: Int)] = [:]
    for k in keys where k.className == "TDirectory" || k.className == "TDirectoryFile" {
      dirs[k.seekKey] = (k.name, k.seekPdir)
    }
    func path(of dir: Int) -> String {
      var parts: [String] = []
      var d = dir
      var depth = 0
      while d != begin, let entry = dirs[d], depth < 32 {
        parts.append(entry.name)
        d = entry.parent
        depth += 1
      }
      return parts.reversed().joined(separator: "/")
    }
    var objects: [ROOTObjectInfo] = []
    var directories: [String] = []
    var trees: [(path: String, dir: String, key: ROOTKey)] = []
    for k in keys {
      // Skip the file's own records and the baskets.
      guard k.seekKey != begin, k.className != "TFile", k.className != "TBasket",
        k.className != "TList" || k.name != "StreamerInfo"
      else { continue }
      let dir = path(of: k.seekPdir)
      let p = dir.isEmpty ? k.name : "\(dir)/\(k.name)"
      switch k.className {
      case "TDirectory", "TDirectoryFile":
        // A directory's key list record has the directory's class too.
        if dirs[k.seekKey] != nil, !directories.contains(p) {
          directories.append(p)
          objects.append(ROOTObjectInfo(path: p, className: k.className, cycle: k.cycle))
        }
      case "TTree", "TNtuple", "TNtupleD":
        objects.append(ROOTObjectInfo(path: p, className: k.className, cycle: k.cycle))
        if let i = trees.firstIndex(where: { $0.path == p }) {
          if k.cycle > trees[i].key.cycle { trees[i].key = k }
        } else {
          trees.append((p, dir, k))
        }
      default:
        objects.append(ROOTObjectInfo(path: p, className: k.className, cycle: k.cycle))
      }
    }
    return (objects, directories, trees)
  }

  /// Opens a tree for reading. `path` is `name` or `dir/name`; nil picks
  /// `variables` at the top level, or else the only tree of the file.
  public func tree(named path: String? = nil) throws -> ROOTTree {
    let chosen: ROOTTreeInfo
    if let path {
      let p = path.hasPrefix("/") ? String(path.dropFirst()) : path
      guard let t = trees.first(where: { $0.path == p }) else {
        throw ColumnStoreError(
          .notFound, path: self.path,
          "\(source.file.name): no tree '\(p)' (trees: \(treeList))")
      }
      chosen = t
    } else if let t = trees.first(where: { $0.path == "variables" }) {
      chosen = t
    } else if trees.count == 1 {
      chosen = trees[0]
    } else {
      throw ColumnStoreError(
        .notFound, path: self.path,
        trees.isEmpty
          ? "\(source.file.name): the file holds no tree"
          : "\(source.file.name): no tree 'variables'; choose one of: \(treeList)")
    }
    if let e = treeErrors[chosen.path] { throw e }
    guard let layout = layouts[chosen.path] else {
      throw ColumnStoreError(.notFound, path: self.path, "\(source.file.name): no tree '\(chosen.path)'")
    }
    return ROOTTree(info: chosen, layout: layout, source: source)
  }

  private var treeList: String { trees.map(\.path).joined(separator: ", ") }
}
