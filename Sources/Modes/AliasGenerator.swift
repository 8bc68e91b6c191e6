import ColumnStore
/// Column names of basf2's `variables.utils.create_aliases_for_selected`,
/// plus `makeROOTCompatible` and the older `DST_D0_K_` prefix style.

/// Options of `create_aliases_for_selected` (the keyword arguments of basf2).
public struct AliasOptions: Sendable, Equatable, Codable {
  /// `use_names`: prefixes from particle names (`D0_K`); false gives `d0_d1`.
  public var useNames: Bool
  /// `always_include_indices`: append `_k` even to unambiguous names.
  public var alwaysIncludeIndices: Bool
  /// `use_relative_indices`: `_k` counts per name among tree siblings from 0.
  public var useRelativeIndices: Bool
  /// `prefix`: one custom prefix per selected particle, in walk order, unique.
  public var prefixes: [String]?
  /// User prefix map for the older style: default prefix (e.g. `D0_K`, or
  /// `""` for a selected head) → column prefix (e.g. `DST_D0_K_`). A column is
  /// then `prefix + safe(variable)`; an `_` is appended to a non-empty prefix
  /// that does not end in one. Applied after `prefixes`, keyed by the default
  /// (name-based) prefix.
  public var prefixMap: [String: String]

  public init(useNames: Bool = true, alwaysIncludeIndices: Bool = false,
              useRelativeIndices: Bool = false, prefixes: [String]? = nil,
              prefixMap: [String: String] = [:]) {
    self.useNames = useNames
    self.alwaysIncludeIndices = alwaysIncludeIndices
    self.useRelativeIndices = useRelativeIndices
    self.prefixes = prefixes
    self.prefixMap = prefixMap
  }

  public static let `default` = AliasOptions()
}

/// One selected particle of a decay string, in walk order.
public struct SelectedParticle: Sendable, Equatable {
  /// The evt.pdl name (`K-`).
  public var name: String
  /// The list label (`loose`), or empty.
  public var label: String
  /// Daughter indices from the head; empty for the head.
  public var indexPath: [Int]
  /// The default prefix of `create_aliases_for_selected` with the given
  /// naming options (`D0_K`, `pi_0`, `d0_d1`); empty for the head.
  public var defaultPrefix: String
  /// The column prefix actually used, including its trailing `_` (empty for
  /// a head that takes bare variable names).
  public var columnPrefix: String
  /// The particle path for `ColumnInfo.particle`: the name-based prefix parts
  /// joined by `:` (`D0:K`, `tau_0:pi_1`); empty for the head.
  public var particlePath: String

  /// `daughter(i0, daughter(i1, var))`, or `var` for the head.
  public func expression(for variable: String) -> String {
    indexPath.reversed().reduce(variable) { "daughter(\($1), \($0))" }
  }
}

/// One generated column.
public struct AliasColumn: Sendable, Equatable, Codable {
  /// The branch name in the ntuple (the alias, passed through `makeROOTCompatible`).
  public var name: String
  /// The alias itself (before `makeROOTCompatible`; equal to `name` for daughters).
  public var alias: String
  /// The basf2 expression the alias stands for, e.g. `daughter(0, daughter(0, kaonID))`.
  public var expression: String
  /// The basf2 variable, e.g. `kaonID` or `binaryPID(321, 211)`.
  public var variable: String
  /// The particle path (see `SelectedParticle.particlePath`).
  public var particle: String
  /// The default prefix of the particle (the track role, e.g. `D0_K`).
  public var role: String
}

public enum AliasGenerator {
  /// The selected particles of `decayString` in walk order with their prefixes.
  /// - Throws: `DecayStringError` for an invalid string, `ColumnStoreError`
  ///   (`.invalidInput`) when nothing is selected or the custom prefixes do
  ///   not match.
  public static func selectedParticles(
    _ decayString: String, options: AliasOptions = .default
  ) throws -> [SelectedParticle] {
    let head = try DecayString.parse(decayString)
    return try selectedParticles(head, decayString: decayString, options: options)
  }

  public static func selectedParticles(
    _ head: DecayNode, decayString: String, options: AliasOptions = .default
  ) throws -> [SelectedParticle] {
    // Tree of particles on paths to selected ones.
    final class TreeNode {
      let name: String, label: String
      var selected = false
      var children: [Int: TreeNode] = [:]
      init(name: String, label: String) { self.name = name; self.label = label }
    }
    let top = TreeNode(name: "", label: "")
    func collect(_ node: DecayNode, _ tree: TreeNode) -> Bool {
      var keep = node.selected
      for (i, d) in node.daughters.enumerated() {
        let child = tree.children[i] ?? TreeNode(name: d.name, label: d.label)
        if collect(d, child) {
          tree.children[i] = child
          keep = true
        }
      }
      if node.selected { tree.selected = true }
      return keep
    }
    let anySelected = collect(head, top)
    guard anySelected else {
      throw ColumnStoreError(.invalidInput, path: decayString, "no particle selected in decay string '\(decayString)' (mark one with '^')")
    }

    var result: [SelectedParticle] = []
    if top.selected {
      result.append(SelectedParticle(name: head.name, label: head.label, indexPath: [],
                                     defaultPrefix: "", columnPrefix: "", particlePath: ""))
    }
    func walk(_ node: TreeNode, prefix: String, parts: [String], path: [Int]) {
      var counts: [String: Int] = [:]
      for c in node.children.values { counts[DecayNode.simpleName(c.name), default: 0] += 1 }
      var relative: [String: Int] = [:]
      for index in node.children.keys.sorted() {
        let c = node.children[index]!
        let simple = DecayNode.simpleName(c.name)
        var part: String
        if options.useNames {
          part = simple
          if options.alwaysIncludeIndices || counts[simple]! > 1 {
            part += "_\(options.useRelativeIndices ? relative[simple, default: 0] : index)"
            relative[simple, default: 0] += 1
          }
        } else {
          part = "d\(index)"
        }
        let full = prefix + part
        if c.selected {
          result.append(SelectedParticle(
            name: c.name, label: c.label, indexPath: path + [index], defaultPrefix: full,
            columnPrefix: full + "_", particlePath: (parts + [part]).joined(separator: ":")))
        }
        walk(c, prefix: full + "_", parts: parts + [part], path: path + [index])
      }
    }
    walk(top, prefix: "", parts: [], path: [])

    if let custom = options.prefixes {
      guard custom.count == result.count else {
        throw ColumnStoreError(
          .invalidInput, path: decayString,
          "\(custom.count) custom prefixes given for \(result.count) selected particles in '\(decayString)' (walk order: \(result.map { $0.defaultPrefix.isEmpty ? "<head>" : $0.defaultPrefix }.joined(separator: ", ")))")
      }
      var seen = Set<String>()
      for p in custom where !seen.insert(p).inserted {
        throw ColumnStoreError(.invalidInput, path: decayString, "custom prefixes must be unique; '\(p)' repeats")
      }
      for i in result.indices {
        result[i].columnPrefix = custom[i].isEmpty ? "" : custom[i] + "_"
      }
    }
    for i in result.indices {
      if let mapped = options.prefixMap[result[i].defaultPrefix] {
        result[i].columnPrefix = mapped.isEmpty || mapped.hasSuffix("_") ? mapped : mapped + "_"
      }
    }
    return result
  }

  /// `create_aliases_for_selected(variables, decayString, ...)`: one column
  /// per (selected particle, variable), particles in walk order, variables in
  /// list order. A selected head with an empty prefix keeps the bare variable
  /// (its branch name is `makeROOTCompatible(variable)`).
  public static func columns(
    variables: [String], decayString: String, options: AliasOptions = .default
  ) throws -> [AliasColumn] {
    let particles = try selectedParticles(decayString, options: options)
    return columns(variables: variables, particles: particles)
  }

  /// Columns for given selected particles, each with its own variable list.
  public static func columns(variables: [String], particles: [SelectedParticle]) -> [AliasColumn] {
    particles.flatMap { columns(variables: variables, particle: $0) }
  }

  public static func columns(variables: [String], particle: SelectedParticle) -> [AliasColumn] {
    variables.map { v in
      let alias = particle.columnPrefix.isEmpty ? v : particle.columnPrefix + VariableNames.sanitize(v)
      return AliasColumn(
        name: VariableNames.makeROOTCompatible(alias), alias: alias, expression: particle.expression(for: v),
        variable: v, particle: particle.particlePath, role: particle.defaultPrefix)
    }
  }

  /// The alias names only (what basf2 returns).
  public static func createAliasesForSelected(
    _ variables: [String], _ decayString: String, options: AliasOptions = .default
  ) throws -> [String] {
    try columns(variables: variables, decayString: decayString, options: options).map(\.alias)
  }
}
