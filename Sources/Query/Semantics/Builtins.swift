import Foundation

/// The builtin functions of the language.
public enum Builtin: String, Sendable, Codable, CaseIterable {
  case abs, sqrt, exp, log, log10, sin, cos, tan, asin, acos, atan, atan2
  case min, max, pow, floor, ceil, round, isnan, isinf, clip
  case `where`

  public var arity: Int {
    switch self {
    case .atan2, .min, .max, .pow: 2
    case .clip, .where: 3
    default: 1
    }
  }

  /// The unary float function behind a one-argument float builtin.
  var unaryFloat: ((Double) -> Double)? {
    switch self {
    case .sqrt: { $0.squareRoot() }
    case .exp: { Foundation.exp($0) }
    case .log: { Foundation.log($0) }
    case .log10: { Foundation.log10($0) }
    case .sin: { Foundation.sin($0) }
    case .cos: { Foundation.cos($0) }
    case .tan: { Foundation.tan($0) }
    case .asin: { Foundation.asin($0) }
    case .acos: { Foundation.acos($0) }
    case .atan: { Foundation.atan($0) }
    case .floor: { $0.rounded(.down) }
    case .ceil: { $0.rounded(.up) }
    case .round: { $0.rounded(.toNearestOrEven) }
    default: nil
    }
  }
}

public enum Builtins {
  /// Names parsed as builtin calls (arguments are expressions).
  public static let names: Set<String> = Set(Builtin.allCases.map(\.rawValue))
}
