import Foundation

/// Opens a file named on the command line as a table:
/// `FILE.h5[:GROUP]` (any conforming HDF5 file), `FILE.root[:dir/tree]`
/// (a flat TTree, streamed basket by basket), `FILE.csv`.
public enum InputFile {
  /// Splits `spec` into a path and the part after the last `:` that follows
  /// the file extension (`data.h5:ntuple` → (`data.h5`, `ntuple`)).
  public static func split(_ spec: String) -> (path: String, inner: String?) {
    for ext in [".h5:", ".hdf5:", ".hdf:", ".root:"] {
      if let r = spec.range(of: ext, options: .backwards) {
        let path = String(spec[..<r.upperBound].dropLast())
        let inner = String(spec[r.upperBound...])
        return (path, inner.isEmpty ? nil : inner)
      }
    }
    return (spec, nil)
  }

  /// Opens the table named by `spec`.
  /// - Throws: `ColumnStoreError` naming the file and the problem.
  public static func open(_ spec: String) throws -> any ColumnSource {
    let (path, inner) = split(spec)
    guard FileManager.default.fileExists(atPath: path) else {
      throw ColumnStoreError(.fileNotFound, path: path, "\(path): no such file")
    }
    let lower = path.lowercased()
    if lower.hasSuffix(".csv") { return try CSVTable.read(path: path) }
    if lower.hasSuffix(".root") { return try ROOTFile(path: path).tree(named: inner) }
    return try HDF5Table(path: path, group: inner)
  }

  /// Branches of a ROOT tree that are not columns (strings, arrays,
  /// objects), with the reason, for a notice; empty for other sources.
  public static func skippedBranches(of source: any ColumnSource) -> [String] {
    guard let tree = source as? ROOTTree else { return [] }
    return tree.skippedBranches
  }
}
