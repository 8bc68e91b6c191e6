import Foundation

/// A self-contained HTML page: one section per task with its status, a
/// key–value table and the task's plots (linked SVG files beside the page).
public struct HTMLReport: Sendable {
  public struct Section: Sendable {
    public var title: String
    /// "done", "skipped (up to date)", "failed: …"
    public var status: String
    public var rows: [(String, String)]
    /// Paths of SVG plots, relative to the page.
    public var plots: [String]
    /// Data tables: a caption, the header and the rows (numbers already formatted).
    public var tables: [(caption: String, header: [String], rows: [[String]])]

    public init(
      title: String, status: String, rows: [(String, String)] = [], plots: [String] = [],
      tables: [(caption: String, header: [String], rows: [[String]])] = []
    ) {
      self.title = title
      self.status = status
      self.rows = rows
      self.plots = plots
      self.tables = tables
    }
  }

  public var title: String
  public var summary: [(String, String)]
  public var sections: [Section]

  public init(title: String, summary: [(String, String)] = [], sections: [Section] = []) {
    self.title = title
    self.summary = summary
    self.sections = sections
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  static func table(_ rows: [(String, String)]) -> String {
    guard !rows.isEmpty else { return "" }
    return "<table>" + rows.map { "<tr><th>\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined() + "</table>"
  }

  public func render() -> String {
    var html = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
      <style>
      body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 980px; color: #222; }
      h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ccc; }
      table { border-collapse: collapse; margin: 0.5em 0; } th, td { padding: 2px 10px; text-align: left; }
      th { font-weight: normal; color: #555; } td { font-family: "DejaVu Sans Mono", monospace; }
      .ok { color: #2a7a2a; } .fail { color: #b22; } .skip { color: #777; }
      img { max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
      table.data { font-size: 0.85em; } table.data td { text-align: right; } table.data th { border-bottom: 1px solid #ccc; }
      caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
      </style></head><body>
      <h1>\(Self.escape(title))</h1>
      \(Self.table(summary))

      """
    for s in sections {
      let cls = s.status.hasPrefix("failed") ? "fail" : s.status.hasPrefix("skipped") ? "skip" : "ok"
      html += "<h2>\(Self.escape(s.title))</h2>\n<p class=\"\(cls)\">\(Self.escape(s.status))</p>\n"
      html += Self.table(s.rows) + "\n"
      for t in s.tables {
        html += "<table class=\"data\"><caption>\(Self.escape(t.caption))</caption><tr>"
          + t.header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>"
          + t.rows.map { "<tr>" + $0.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>" }.joined() + "</table>\n"
      }
      for p in s.plots { html += "<p><img src=\"\(Self.escape(p))\" alt=\"\(Self.escape(p))\"></p>\n" }
    }
    return html + "</body></html>\n"
  }
}
