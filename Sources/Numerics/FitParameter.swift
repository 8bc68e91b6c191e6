/// One parameter handed to `Minimizer`: start value, initial step (error
/// estimate), optional limits (MINUIT's sine / square-root transforms), fixed flag.
public struct FitParameter: Sendable, Codable, Equatable {
  public var name: String
  public var value: Double
  /// Initial step size, an estimate of the error (default 10 % of |value|, or 0.1).
  public var step: Double
  public var lowerLimit: Double?
  public var upperLimit: Double?
  public var isFixed: Bool

  public init(name: String, value: Double, step: Double? = nil, lowerLimit: Double? = nil,
              upperLimit: Double? = nil, isFixed: Bool = false) {
    precondition(lowerLimit == nil || upperLimit == nil || lowerLimit! < upperLimit!,
                 "parameter \(name): lower limit must be below upper limit")
    self.name = name
    self.value = value
    self.step = step ?? (value != 0 ? 0.1 * Swift.abs(value) : 0.1)
    self.lowerLimit = lowerLimit
    self.upperLimit = upperLimit
    self.isFixed = isFixed
  }
}
