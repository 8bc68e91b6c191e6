import Foundation

/// A small HDF5 file of named float64 arrays (any rank, at the root) and
/// string attributes of the root: what a kernel density estimate is saved
/// as. h5py reads it directly (`f["density"][()]`, `f.attrs["settings"]`).
/// Written atomically (temporary file, then rename).
public struct ArrayFile: Sendable, Equatable {
  public struct Array: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Double]

    public init(shape: [Int], values: [Double]) {
      self.shape = shape
      self.values = values
    }
  }

  public var arrays: [String: Array]
  public var attributes: [String: String]

  public init(arrays: [String: Array] = [:], attributes: [String: String] = [:]) {
    self.arrays = arrays
    self.attributes = attributes
  }

  /// - Throws: `ColumnStoreError` when the file cannot be written; nothing
  ///   is left behind then.
  public func write(to path: String, durable: Bool = false) throws {
    for (name, a) in arrays where a.shape.reduce(1, *) != a.values.count {
      throw ColumnStoreError(.invalidInput, path: path, "array '\(name)' has \(a.values.count) values for shape \(a.shape)")
    }
    let temporary = AtomicFile.temporaryPath(for: path)
    do {
      let file = try H5File.create(temporary, reportedAs: path)
      let root = try file.group("/")
      for (k, v) in attributes.sorted(by: { $0.key < $1.key }) { try root.attributes.set(k, v) }
      for (name, a) in arrays.sorted(by: { $0.key < $1.key }) {
        try H5Dataset.createArray(in: root, name: name, shape: a.shape, values: a.values)
      }
      try file.close()
      try AtomicFile.commit(temporary, to: path, durable: durable)
    } catch {
      unlink(temporary)
      throw error
    }
  }

  /// Reads every float64 dataset of the root and its string attributes `names` (those present).
  /// - Throws: `ColumnStoreError` for a missing or damaged file.
  public static func read(_ path: String, attributes names: [String]) throws -> ArrayFile {
    let file = try H5File.open(path)
    defer { try? file.close() }
    let root = try file.group("/")
    var out = ArrayFile()
    for (name, kind) in try root.members() where kind == .dataset {
      let (shape, values) = try root.dataset(name).readArray()
      out.arrays[name] = Array(shape: shape, values: values)
    }
    for name in names where root.attributes.has(name) {
      if let v = root.attributes.string(name) { out.attributes[name] = v }
    }
    return out
  }
}
