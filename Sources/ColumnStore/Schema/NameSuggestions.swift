/// "Did you mean" look-ups by edit distance: one implementation for the
/// binder's unknown columns, the catalog's unknown modes and samples, and the
/// command line.
public enum NameSuggestions {
  /// Levenshtein distance between the UTF-8 bytes of `a` and `b`.
  public static func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var prev = Array(0...y.count)
    var cur = prev
    for i in 1...x.count {
      cur[0] = i
      for j in 1...y.count {
        let cost = x[i - 1] == y[j - 1] ? 0 : 1
        cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      }
      swap(&prev, &cur)
    }
    return prev[y.count]
  }

  /// The distance of `name` to `candidate`: the edit distance, 0 when they
  /// differ only in case, and — for basf2 column names — one more than the
  /// distance to a `_`-separated tail of the candidate, so that `K_kaonID`
  /// is nearest to `D0_K_kaonID` (a dropped prefix), not to `pi_kaonID`.
  static func distance(_ name: String, _ candidate: String) -> Int {
    if name.lowercased() == candidate.lowercased() { return 0 }
    var best = editDistance(name, candidate)
    var tail = Substring(candidate)
    while let underscore = tail.firstIndex(of: "_") {
      tail = tail[tail.index(after: underscore)...]
      if tail.isEmpty { break }
      best = Swift.min(best, editDistance(name, String(tail)) + 1)
    }
    return best
  }

  /// Up to `limit` candidates close enough to `name` to be a typo, best first.
  public static func suggestions(for name: String, in candidates: [String], limit: Int = 3) -> [String] {
    guard name.utf8.count <= 200 else { return [] }
    let threshold = Swift.max(2, name.utf8.count / 3)
    var scored: [(Int, String)] = []
    var seen = Set<String>()
    for c in candidates where c != name && c.utf8.count <= 200 && seen.insert(c).inserted {
      let d = distance(name, c)
      if d <= threshold { scored.append((d, c)) }
    }
    scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    return scored.prefix(limit).map(\.1)
  }

  /// The closest candidate, if any is close enough.
  public static func closest(to name: String, in candidates: [String]) -> String? {
    suggestions(for: name, in: candidates, limit: 1).first
  }

  /// `did you mean 'a' or 'b'?`, or nothing.
  public static func didYouMean(_ names: [String]) -> [String] {
    guard !names.isEmpty else { return [] }
    return ["did you mean " + names.map { "'\($0)'" }.joined(separator: " or ") + "?"]
  }
}
