import ColumnStore
import Foundation

/// Writing a plot: the SVG and, beside it, every number it draws as JSON
/// (same name, `.json`), so users can restyle it in Python. Both atomic.
public enum PlotFile {
  /// - Returns: the two paths written.
  @discardableResult
  public static func write(svg: String, data: some Encodable, to path: String) throws -> [String] {
    let json = (path.hasSuffix(".svg") ? String(path.dropLast(4)) : path) + ".json"
    try OutputFile.write(Data(svg.utf8), to: path)
    try OutputFile.write(try OutputFile.json(data), to: json)
    return [path, json]
  }
}
