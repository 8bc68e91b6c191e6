import Foundation

/// The exchange format of partials between processes (sharded runs): JSON
/// with IEEE specials spelled out (`"inf"`, `"-inf"`, `"nan"`), so any
/// partial — sums with NaN weights, histograms with infinite values — survives
/// the round trip bit for bit (finite doubles are printed shortest-exact).
public enum PartialCoding {
  static let specials = (positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

  public static func encode<P: Encodable>(_ partial: P) throws -> Data {
    let e = JSONEncoder()
    e.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: specials.positiveInfinity, negativeInfinity: specials.negativeInfinity, nan: specials.nan)
    e.outputFormatting = [.sortedKeys]
    return try e.encode(partial)
  }

  public static func decode<P: Decodable>(_ type: P.Type, from data: Data) throws -> P {
    let d = JSONDecoder()
    d.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: specials.positiveInfinity, negativeInfinity: specials.negativeInfinity, nan: specials.nan)
    return try d.decode(type, from: data)
  }
}
