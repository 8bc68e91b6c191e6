import ArgumentParser
import ColumnStore
import Modes
import Query

/// `syscorr aliases`: the column names basf2's `create_aliases_for_selected`
/// gives for a decay string and a variable list.
struct AliasesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "aliases",
    abstract: "Print the ntuple column names basf2's create_aliases_for_selected makes.",
    discussion: """
      Columns come in walk order (depth first, increasing daughter index), the \
      variables in list order within each selected particle. A selected head keeps \
      the bare variable names, escaped as the ntuple branch (massDifference(0) -> \
      massDifference__bo0__bc).

      Example:
        syscorr aliases "D*+ -> [^D0 -> ^K- ^pi+] ^pi+" --vars kaonID,p
        D0_kaonID
        D0_p
        D0_K_kaonID
        ...
        syscorr aliases "D*+ -> [D0 -> ^K- ^pi+] ^pi+" --vars "kaonID,binaryPID(321, 211)" --json
      """)

  @Argument(help: "The decay string, e.g. \"^D*+ -> [^D0 -> ^K- ^pi+] ^pi+\".")
  var decayString: String

  @Option(name: .long, help: ArgumentHelp(
    "Comma-separated basf2 variables (commas inside parentheses are kept).",
    valueName: "v1,v2,..."))
  var vars: String

  @Flag(name: .customLong("relative-indices"), help: "use_relative_indices=True: number same-name siblings from 0.")
  var relativeIndices = false

  @Flag(name: .customLong("always-include-indices"), help: "always_include_indices=True: always append the daughter index.")
  var alwaysIncludeIndices = false

  @Flag(name: .customLong("no-names"), help: "use_names=False: prefixes d0_d1_... instead of particle names.")
  var noNames = false

  @Option(name: .long, help: ArgumentHelp(
    "Custom prefixes, one per selected particle in walk order, all unique.", valueName: "a,b,c"))
  var prefixes: String?

  @Flag(name: .long, help: "Print a JSON object: column name -> basf2 expression.")
  var json = false

  func run() throws {
    let variables = ExpressionList.split(vars).map { $0.trimmingSpaces }.filter { !$0.isEmpty }
    guard !variables.isEmpty else { throw ValidationError("--vars needs at least one variable") }
    let options = AliasOptions(
      useNames: !noNames, alwaysIncludeIndices: alwaysIncludeIndices,
      useRelativeIndices: relativeIndices,
      prefixes: prefixes.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces } })
    let columns: [AliasColumn]
    do {
      columns = try AliasGenerator.columns(variables: variables, decayString: decayString, options: options)
    } catch let e as DecayStringError {
      throw CommandError(e.description)
    } catch let e as ColumnStoreError {
      throw CommandError(e.message)
    }
    if json {
      // an object: column name → basf2 expression (keys sorted, as in every --json)
      print(try Output.json(Dictionary(columns.map { ($0.name, $0.expression) }, uniquingKeysWith: { a, _ in a })))
    } else {
      for c in columns { print(c.name) }
    }
  }
}

extension String {
  fileprivate var trimmingSpaces: String {
    var s = Substring(self)
    while let f = s.first, f.isWhitespace { s.removeFirst() }
    while let l = s.last, l.isWhitespace { s.removeLast() }
    return String(s)
  }
}
