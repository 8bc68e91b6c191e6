import Foundation

/// One species of an extended model: a yield and a shape.
public struct ModelComponent: Sendable, Codable, Equatable {
  public var name: String
  public var yield: Double
  public var shape: Shape

  public init(name: String, yield: Double, shape: Shape) {
    self.name = name
    self.yield = yield
    self.shape = shape
  }
}

/// An extended mixture D(x) = Σ_k N_k f_k(x) over one fit range, each f_k
/// normalised on the range (fits-and-splot.md §2).
public struct ExtendedModel: Sendable, Codable, Equatable {
  public var range: FitRange
  public var species: [ModelComponent]

  public init(range: FitRange, species: [ModelComponent]) {
    self.range = range
    self.species = species
  }

  /// ν = Σ_k N_k.
  public var totalYield: Double { species.reduce(0) { $0 + $1.yield } }

  /// D(x) = Σ_k N_k f_k(x) (events per unit of x).
  public func density(at x: Double) -> Double {
    PreparedModel(self).density(x)
  }
}

/// The model with every shape prepared for its range.
struct PreparedModel: Sendable {
  let yields: [Double]
  let shapes: [NormalizedShape]
  let isValid: Bool

  init(_ model: ExtendedModel) {
    yields = model.species.map(\.yield)
    shapes = model.species.map { NormalizedShape($0.shape, over: model.range) }
    isValid = shapes.allSatisfy(\.isValid) && yields.allSatisfy(\.isFinite)
  }

  func density(_ x: Double) -> Double {
    var s = 0.0
    for k in shapes.indices { s += yields[k] * shapes[k].value(x) }
    return s
  }

  /// out[i] = D(x[i]).
  func fillDensity(_ x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    out.update(repeating: 0)
    for k in shapes.indices { shapes[k].accumulate(x, scale: yields[k], into: out) }
  }
}
