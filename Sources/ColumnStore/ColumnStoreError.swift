/// An error from the column store, the readers or the writers: what went
/// wrong, where (a file, a column, a configuration path), and a one-line
/// message fit to print after `error: `.
public struct ColumnStoreError: Error, Sendable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    /// A file that does not exist or cannot be opened.
    case fileNotFound
    /// A file that exists but is not what it should be (truncated, corrupt, wrong format).
    case corruptFile
    /// A format feature this reader does not support.
    case unsupported
    /// A column name that is not in the table.
    case unknownColumn
    /// Arguments or data that are not acceptable (bad names, unequal lengths...).
    case invalidInput
    /// A mode, processing or sample that the store does not hold.
    case notFound
    /// A failure of the HDF5 library or the operating system.
    case io
  }

  /// What the user can do about it; the command line words it with its own
  /// commands and flags (the library names none).
  public enum Remedy: Sendable, Equatable {
    /// The store holds nothing yet: generate or ingest data.
    case addData
    /// The set cannot take the new files as it is: start it anew.
    case replaceSet
    /// Several sets match: name one (each `proc/sample`).
    case chooseSet([String])
    /// The file exists: allow overwriting it.
    case overwrite
    /// The set holds these rows already: allow adding them again.
    case allowDuplicate
  }

  public var kind: Kind
  /// The file, column or configuration path the error is about.
  public var path: String
  public var message: String
  public var remedy: Remedy?

  public init(_ kind: Kind, path: String, _ message: String, remedy: Remedy? = nil) {
    self.kind = kind
    self.path = path
    self.message = message
    self.remedy = remedy
  }

  public var description: String { message }
}
