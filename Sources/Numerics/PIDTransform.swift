import Foundation

/// A monotone map of a PID variable applied before the density is
/// estimated, so that the peaks at 0 and 1 of a likelihood ratio become
/// smooth tails a Gaussian kernel can follow.
public enum PIDTransform: String, Sendable, Codable, CaseIterable {
  /// x itself.
  case none
  /// logit(x) = ln(x / (1 − x)) of x clipped to [ε, 1 − ε], ε = 1e-4: for
  /// variables in [0, 1] (ID probabilities). Values at 0 or 1 land on the
  /// edges of the transformed range and come back as ε or 1 − ε.
  case logit

  public static let epsilon = 1e-4

  /// The transformed range of a variable in [lo, hi].
  public func range(_ lo: Double, _ hi: Double) -> (Double, Double) {
    switch self {
    case .none: (lo, hi)
    case .logit: (forward(Self.epsilon), forward(1 - Self.epsilon))
    }
  }

  @inline(__always) public func forward(_ x: Double) -> Double {
    switch self {
    case .none: return x
    case .logit:
      let c = Swift.min(Swift.max(x, Self.epsilon), 1 - Self.epsilon)
      return log(c / (1 - c))
    }
  }

  @inline(__always) public func backward(_ y: Double) -> Double {
    switch self {
    case .none: y
    case .logit: 1 / (1 + exp(-y))
    }
  }

  /// The transform as an expression of the query language on `x`.
  public func expression(_ x: String) -> String {
    switch self {
    case .none: x
    case .logit: "log(clip(\(x), \(Self.epsilon), \(1 - Self.epsilon)) / (1 - clip(\(x), \(Self.epsilon), \(1 - Self.epsilon))))"
    }
  }
}
