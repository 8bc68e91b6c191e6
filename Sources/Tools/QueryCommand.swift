import ArgumentParser
import ColumnStore
import Modes
import Foundation
import Query

/// `syscorr query`: count or histogram the rows passing a cut.
struct QueryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "query",
    abstract: "Count or histogram the rows passing a cut.",
    discussion: """
      The cut uses the basf2 cut grammar with C spellings added (&&, ||, !), \
      arithmetic, functions (abs, sqrt, min, max, where, ...) and chained \
      comparisons. See docs/expression-language.md.

      Examples:
        # Q1: count kaon candidates passing PID and track cuts
        syscorr query --mode Dst --proc proc12 --sample data --count \\
          --cut 'K_kaonID > 0.2 && K_charge > 0 && abs(K_dz) < 4'

        # weighted 2-D histogram (variable p edges x 10 cosTheta bins)
        syscorr query --input ntuple.h5 --weight sWeight \\
          --cut '0.1439 < Dst_Q < 0.1469' \\
          --hist K_p --edges 0.5,1,1.5,2,3,4.5 \\
          --hist K_cosTheta --bins 10 --range=-0.866,0.9563 --json

        # an alias for a basf2 metavariable column
        syscorr query --input ntuple.h5 --cut 'pid > 0.5' \\
          --alias 'pid=K_binaryPID(321, 211)' \\
          --hist D0_M --bins 100 --range 1.8,1.93

      With --mode, the alias `selection` is the mode's default selection
      (schemas/modes/), e.g. --cut 'selection && D0_K_kaonID > 0.2'.

      Options taking expressions or numbers accept values starting with '-':
        --cut '-0.8 < D0_K_cosTheta < 0.9563' --range -1,1
      """)

  @OptionGroup var input: InputOptions

  @Option(parsing: .unconditional, help: "The cut: rows for which it is true are selected (default: all rows).")
  var cut: String = ""

  @Option(parsing: .unconditional, help: "A weight expression (default: 1 per row).")
  var weight: String?

  @Option(name: .customLong("alias"), parsing: .unconditionalSingleValue, help: "An alias name=expr, usable in expressions (repeatable).")
  var aliases: [String] = []

  @Option(help: "A file of aliases, one name=expr per line; '#' starts a comment.")
  var aliasFile: String?

  @Option(help: "Worker threads (default: the number of cores).")
  var threads: Int?

  @Flag(help: "Print the number of passing rows, Σw and Σw² (the default).")
  var count = false

  @Option(parsing: .unconditionalSingleValue, help: "A histogram axis expression (repeatable: one per axis, N-D).")
  var hist: [String] = []

  @Option(help: "Regular bins of the next axis (with --range).")
  var bins: [Int] = []

  @Option(parsing: .unconditionalSingleValue, help: "LO,HI of the next regular axis (with --bins).")
  var range: [String] = []

  @Option(parsing: .unconditionalSingleValue, help: "Bin edges e0,e1,... of the next variable axis.")
  var edges: [String] = []

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  @Flag(help: "Print the query plan (columns read, chunks skipped, threads, expression tree) and stop.")
  var explain = false

  @Flag(help: "Compare floats with == and != within 2 ULPs, as basf2 does (default: exact IEEE).")
  var basf2Equality = false

  @Option(parsing: .unconditionalSingleValue, help: "A cut defining passing rows among the selected ones: prints the efficiency per --hist bin (repeatable).")
  var pass: [String] = []

  @Flag(help: "With --pass: floor each bin's variance with the Jeffreys/Kish term (non-zero errors at ε = 0 or 1).")
  var jeffreys = false

  @Option(help: "Write to this HDF5 file: the passing rows (with --columns) or the histograms (with --hist; UHI layout).")
  var out: String?

  @Option(parsing: .unconditional, help: "Columns to write with --out: names or name=expr, comma-separated.")
  var columns: String?

  @Option(help: "Codec of the --out file: none, lz4, zstd[:level], deflate[:level].")
  var codec: String = "deflate:1"

  @Flag(help: "Flush the --out file to disk before returning (it is always written atomically).")
  var sync = false

  func validate() throws {
    if columns != nil && out == nil {
      throw ValidationError("--columns needs --out FILE.h5")
    }
    if out != nil && columns == nil && hist.isEmpty {
      throw ValidationError("--out needs --columns a,b,... (rows) or --hist (a histogram in the UHI layout)")
    }
    if !pass.isEmpty && hist.isEmpty {
      throw ValidationError("--pass needs at least one --hist axis to bin the efficiency in")
    }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    if bins.count != range.count {
      throw ValidationError("each --bins needs a --range (got \(bins.count) --bins and \(range.count) --range)")
    }
    if hist.count != bins.count + edges.count {
      throw ValidationError(
        "each --hist needs either --bins N --range LO,HI or --edges e0,e1,... "
          + "(got \(hist.count) --hist, \(bins.count) --bins, \(edges.count) --edges)")
    }
    if hist.isEmpty, !bins.isEmpty || !edges.isEmpty {
      throw ValidationError("--bins, --range and --edges need --hist")
    }
  }

  func run() throws {
    let source = try input.openSource()
    do {
      print(try execute(source: source, arguments: CommandLine.arguments), terminator: "")
    } catch let error as QueryError {
      FileHandle.standardError.write(Data((error.description + "\n").utf8))
      throw ExitCode.failure
    }
  }

  // MARK: - Implementation (testable without a store)

  static func parseNumbers(_ text: String, option: String) throws -> [Double] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    var values: [Double] = []
    for p in parts {
      guard let v = Double(p) else { throw ValidationError("\(option): '\(p)' in '\(text)' is not a number") }
      values.append(v)
    }
    return values
  }

  /// Aliases from --alias and --alias-file; with --mode, `selection` is the mode's default selection.
  func allAliases() throws -> [String: String] {
    var definitions = AliasDefinitions()
    if let name = input.mode, let mode = CalibrationMode.builtin(named: name) {
      definitions.predefine("selection", mode.selection)
    }
    for line in aliases { try definitions.add(line: line, origin: "--alias") }
    if let aliasFile { try definitions.add(filePath: aliasFile) }
    return definitions.expressions
  }

  /// The axes in command-line order. With both --bins and --edges, the order
  /// of those options in `arguments` decides which axis gets which.
  func axes(arguments: [String]) throws -> [(String, HistogramAxis)] {
    var kinds: [Bool] = []  // true: regular
    if edges.isEmpty {
      kinds = Array(repeating: true, count: bins.count)
    } else if bins.isEmpty {
      kinds = Array(repeating: false, count: edges.count)
    } else {
      for a in arguments {
        if a == "--bins" || a.hasPrefix("--bins=") { kinds.append(true) }
        if a == "--edges" || a.hasPrefix("--edges=") { kinds.append(false) }
      }
      guard kinds.count == hist.count else {
        throw ValidationError("cannot tell which --hist each --bins/--edges belongs to")
      }
    }
    var b = 0
    var e = 0
    var result: [(String, HistogramAxis)] = []
    for (k, regular) in kinds.enumerated() {
      if regular {
        let r = try Self.parseNumbers(range[b], option: "--range")
        guard r.count == 2 else { throw ValidationError("--range needs LO,HI, got '\(range[b])'") }
        result.append((hist[k], try HistogramAxis.regular(bins: bins[b], lower: r[0], upper: r[1])))
        b += 1
      } else {
        result.append((hist[k], try HistogramAxis.variable(try Self.parseNumbers(edges[e], option: "--edges"))))
        e += 1
      }
    }
    return result
  }

  /// Runs the query on `source` and returns the text to print.
  func execute(source: any ColumnSource, arguments: [String]) throws -> String {
    let query = try Query(
      cut: cut, weight: weight, aliases: try allAliases(), source: source,
      equality: basf2Equality ? .basf2 : .exact)
    let axes = try axes(arguments: arguments)
    if let out, let columns {
      return try writeRows(query: query, columns: columns, to: out)
    }
    if !pass.isEmpty {
      let e = try query.run(EfficiencyAggregate(axes, pass: pass, jeffreysFloor: jeffreys), threads: threads)
      if let out {
        var hists = [("total", uhi(e.total, note: "all selected rows"))]
        for (i, c) in e.cuts.enumerated() { hists.append(("pass_\(i + 1)", uhi(c.pass, note: "passing " + c.cut))) }
        try UHIHistogramFile.write(hists, to: out, durable: sync)
      }
      return json ? "{\"efficiencies\": " + Self.json(e) + "}\n" : Self.table(e)
    }
    let histogram = axes.isEmpty ? nil : HistogramAggregate(axes)
    if explain {
      if let histogram { return query.explain(histogram, threads: threads) + "\n" }
      return query.explain(threads: threads) + "\n"
    }
    var out = ""
    var jsonParts: [String] = []
    if count || histogram == nil {
      let c = try query.run(CountAggregate(), threads: threads)
      if json {
        jsonParts.append("\"entries\": \(c.entries), \"sum_w\": \(Self.json(c.sumW)), \"sum_w2\": \(Self.json(c.sumW2))")
      } else {
        out += "entries \(c.entries)\nsum_w   \(Self.text(c.sumW))\nsum_w2  \(Self.text(c.sumW2))\n"
      }
    }
    if let histogram {
      let h = try query.run(histogram, threads: threads)
      if let path = self.out { try UHIHistogramFile.write([("histogram", uhi(h, note: ""))], to: path, durable: sync) }
      if json {
        jsonParts.append("\"histogram\": " + Self.json(h))
      } else {
        out += (out.isEmpty ? "" : "\n") + Self.table(h)
      }
    }
    if json { return "{" + jsonParts.joined(separator: ", ") + "}\n" }
    return out
  }

  /// Writes the passing rows' `columns` (names or name=expr) to an HDF5
  /// file, in row order, atomically, streaming chunk by chunk.
  func writeRows(query: Query, columns: String, to path: String) throws -> String {
    let specs = try Self.columnSpecs(columns)
    let types = try query.collectedTypes(specs.map(\.expression))
    let infos = zip(specs, types).map { spec, type in
      query.source.column(named: spec.expression).map { c -> ColumnInfo in
        var c = c
        c.name = spec.name
        return c
      } ?? ColumnInfo(name: spec.name, type: type, description: spec.expression)
    }
    var attributes = try query.source.ntupleAttributes
    attributes.provenance = "{\"command\": \(Self.quote(Output.commandLine)), \"cut\": \(Self.quote(cut))}"
    attributes.truth = ""
    let writer = try NtupleWriter(
      path: path, columns: infos, attributes: attributes, codec: try Codec(parsing: codec),
      threads: threads ?? Query.defaultThreads, durable: sync)
    let sink = WriterSink(writer: writer, names: specs.map(\.name))
    let stream = RowStream(specs.map(\.expression), sink: sink)
    _ = try query.run(stream, threads: threads)
    let n = try writer.finish()
    return json
      ? "{\"entries\": \(n), \"columns\": [\(specs.map { Self.quote($0.name) }.joined(separator: ", "))], \"out\": \(Self.quote(path))}\n"
      : "wrote \(n) rows × \(specs.count) columns to \(path)\n"
  }

  /// A histogram in the UHI serialization, with the query as metadata.
  func uhi(_ h: HistogramAggregate.Result, note: String) -> UHIHistogram {
    let axes = zip(h.axes, h.expressions).map { a, e -> UHIHistogram.Axis in
      switch a.kind {
      case .regular(let bins, let lower, let upper): .regular(bins: bins, lower: lower, upper: upper, label: e)
      case .variable: .variable(edges: a.edges, label: e)
      }
    }
    var metadata = ["cut": cut, "weight": weight ?? "", "entries": "\(h.entries)", "writer": "syscorr"]
    if !note.isEmpty { metadata["content"] = note }
    return UHIHistogram(axes: axes, values: h.sumW, variances: h.sumW2, metadata: metadata)
  }

  /// `a,b,name=expr` → (output name, expression) pairs. Commas inside
  /// parentheses belong to the expression (`m=max(a, b)`).
  static func columnSpecs(_ text: String) throws -> [(name: String, expression: String)] {
    var parts: [String] = []
    var depth = 0
    var current = ""
    for c in text {
      if c == "(" || c == "[" { depth += 1 }
      if c == ")" || c == "]" { depth -= 1 }
      if c == "," && depth == 0 {
        parts.append(current)
        current = ""
      } else {
        current.append(c)
      }
    }
    parts.append(current)
    var seen = Set<String>()
    return try parts.map { part in
      let p = part.trimmingCharacters(in: .whitespaces)
      var name = p
      var expression = p
      if let eq = p.firstIndex(of: "="), !p[p.index(after: eq)...].hasPrefix("="),
        eq > p.startIndex, !"<>!=".contains(p[p.index(before: eq)])
      {
        name = p[..<eq].trimmingCharacters(in: .whitespaces)
        expression = p[p.index(after: eq)...].trimmingCharacters(in: .whitespaces)
      }
      guard !name.isEmpty, !expression.isEmpty else { throw ValidationError("--columns: empty entry in '\(text)'") }
      guard seen.insert(name).inserted else { throw ValidationError("--columns: '\(name)' appears twice") }
      return (name, expression)
    }
  }

  static func json(_ e: EfficiencyAggregate.Result) -> String {
    let cuts = e.cuts.map { c in
      "{\"cut\": \(quote(c.cut)), \"pass\": \(json(c.pass)), "
        + "\"efficiency\": [" + c.efficiency.map(json).joined(separator: ", ") + "], "
        + "\"error\": [" + c.error.map(json).joined(separator: ", ") + "]}"
    }
    return "{\"total\": \(json(e.total)), \"cuts\": [" + cuts.joined(separator: ", ") + "]}"
  }

  /// One line per in-range bin: bounds, Σw of all selected rows, then ε ± σ per cut.
  static func table(_ e: EfficiencyAggregate.Result) -> String {
    let h = e.total
    var lines = ["# efficiency in bins of " + h.expressions.joined(separator: " × ") + ", \(h.entries) selected entries"]
    for (i, c) in e.cuts.enumerated() { lines.append("# cut \(i + 1): \(c.cut)") }
    var header: [String] = []
    for x in h.expressions { header += ["\(x).lower", "\(x).upper"] }
    header.append("sum_w")
    for i in e.cuts.indices { header += ["eff\(i + 1)", "err\(i + 1)"] }
    lines.append(header.joined(separator: "\t"))
    for flat in 0..<h.sumW.count {
      let idx = h.indices(ofFlat: flat)
      if zip(h.axes, idx).contains(where: { $1 == 0 || $1 == $0.extent - 1 }) { continue }
      var cells: [String] = []
      for (a, i) in zip(h.axes, idx) { cells += ["\(a.edges[i - 1])", "\(a.edges[i])"] }
      cells.append(text(h.sumW[flat]))
      for c in e.cuts { cells += [String(format: "%.5f", c.efficiency[flat]), String(format: "%.5f", c.error[flat])] }
      lines.append(cells.joined(separator: "\t"))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func text(_ x: Double) -> String {
    x == x.rounded() && Swift.abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
  }

  static func json(_ x: Double) -> String {
    x.isFinite ? (x == x.rounded() && Swift.abs(x) < 1e15 ? String(Int64(x)) : "\(x)") : "null"
  }

  static func json(_ h: HistogramAggregate.Result) -> String {
    let axes = zip(h.expressions, h.axes).map { e, a in
      "{\"expression\": \(quote(e)), \"edges\": [" + a.edges.map(json).joined(separator: ", ") + "]}"
    }
    return "{\"axes\": [" + axes.joined(separator: ", ") + "], \"entries\": \(h.entries), "
      + "\"layout\": \"row-major, first axis slowest; per axis index 0 is underflow, bins+1 overflow (and NaN)\", "
      + "\"sum_w\": [" + h.sumW.map(json).joined(separator: ", ") + "], "
      + "\"sum_w2\": [" + h.sumW2.map(json).joined(separator: ", ") + "]}"
  }

  static func quote(_ s: String) -> String {
    var r = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": r += "\\\""
      case "\\": r += "\\\\"
      case _ where u.value < 0x20: r += String(format: "\\u%04x", u.value)
      default: r.unicodeScalars.append(u)
      }
    }
    return r + "\""
  }

  /// One line per bin (flow bins included), per-axis bounds then Σw and Σw².
  static func table(_ h: HistogramAggregate.Result) -> String {
    var lines = ["# histogram of " + h.expressions.joined(separator: " × ") + ", \(h.entries) entries; NaN counts as overflow"]
    var header: [String] = []
    for e in h.expressions { header += ["\(e).lower", "\(e).upper"] }
    lines.append((header + ["sum_w", "sum_w2"]).joined(separator: "\t"))
    for flat in 0..<h.sumW.count {
      let idx = h.indices(ofFlat: flat)
      var cells: [String] = []
      for (a, i) in zip(h.axes, idx) {
        let lo = i == 0 ? "-inf" : "\(a.edges[i - 1])"
        let hi = i == a.extent - 1 ? "inf" : "\(a.edges[i])"
        cells += [lo, hi]
      }
      lines.append((cells + [text(h.sumW[flat]), text(h.sumW2[flat])]).joined(separator: "\t"))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

/// Appends streamed rows to an ntuple writer (calls arrive one at a time, in row order).
final class WriterSink: RowSink, @unchecked Sendable {
  let writer: NtupleWriter
  let names: [String]

  init(writer: NtupleWriter, names: [String]) {
    self.writer = writer
    self.names = names
  }

  func receive(_ columns: [ColumnBuffer]) throws {
    try writer.append(Dictionary(uniqueKeysWithValues: zip(names, columns)))
  }
}
