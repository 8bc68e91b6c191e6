import Foundation

/// The standard normal CDF and its inverse.
public enum Normal {
  /// Φ(x), accurate in both tails (erfc).
  public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
  /// 1 − Φ(x), accurate in the upper tail.
  public static func survival(_ x: Double) -> Double { 0.5 * erfc(x / 2.0.squareRoot()) }
}

