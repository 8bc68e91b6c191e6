import ColumnStore
import Foundation

final class FunctionNode: Node {
  let function: Builtin
  let args: [Node]
  private lazy var f = Scratch<Double>(capacity, initial: 0)
  private lazy var i = Scratch<Int64>(capacity, initial: 0)
  init(_ function: Builtin, _ args: [Node], type: ValueType) {
    self.function = function
    self.args = args
    super.init(type: type, capacity: args[0].capacity)
  }
  override func floats(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Double> {
    let out = f.pointer
    let a = args[0].floats(ctx, sel)
    switch function {
    case .abs: sel.forEach { out[$0] = Swift.abs(a[$0]) }
    case .sqrt: sel.forEach { out[$0] = a[$0].squareRoot() }
    case .floor: sel.forEach { out[$0] = a[$0].rounded(.down) }
    case .ceil: sel.forEach { out[$0] = a[$0].rounded(.up) }
    case .round: sel.forEach { out[$0] = a[$0].rounded(.toNearestOrEven) }
    case .min:
      let b = args[1].floats(ctx, sel)
      sel.forEach { out[$0] = ScalarMath.minimum(a[$0], b[$0]) }
    case .max:
      let b = args[1].floats(ctx, sel)
      sel.forEach { out[$0] = ScalarMath.maximum(a[$0], b[$0]) }
    case .clip:
      let lo = args[1].floats(ctx, sel)
      let hi = args[2].floats(ctx, sel)
      sel.forEach { out[$0] = ScalarMath.minimum(ScalarMath.maximum(a[$0], lo[$0]), hi[$0]) }
    case .atan2:
      let b = args[1].floats(ctx, sel)
      sel.forEach { out[$0] = Foundation.atan2(a[$0], b[$0]) }
    case .pow:
      let b = args[1].floats(ctx, sel)
      sel.forEach { out[$0] = Foundation.pow(a[$0], b[$0]) }
    default:
      let g = function.unaryFloat!
      sel.forEach { out[$0] = g(a[$0]) }
    }
    return UnsafePointer(out)
  }
  override func ints(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Int64> {
    let out = i.pointer
    let a = args[0].ints(ctx, sel)
    switch function {
    case .abs: sel.forEach { out[$0] = ScalarMath.abs(a[$0]) }
    case .min:
      let b = args[1].ints(ctx, sel)
      sel.forEach { out[$0] = Swift.min(a[$0], b[$0]) }
    case .max:
      let b = args[1].ints(ctx, sel)
      sel.forEach { out[$0] = Swift.max(a[$0], b[$0]) }
    case .clip:
      let lo = args[1].ints(ctx, sel)
      let hi = args[2].ints(ctx, sel)
      sel.forEach { out[$0] = Swift.min(Swift.max(a[$0], lo[$0]), hi[$0]) }
    default: fatalError("\(function) has no int64 form")
    }
    return UnsafePointer(out)
  }
  override func select(_ ctx: BlockContext, _ sel: Selection, into out: UnsafeMutablePointer<Int32>) -> Int {
    let a = args[0].floats(ctx, sel)
    if function == .isnan { return sel.filter(into: out) { a[$0].isNaN } }
    return sel.filter(into: out) { a[$0].isInfinite }
  }
}
