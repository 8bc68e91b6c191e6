import ColumnStore
import Foundation

final class ArithmeticNode: Node {
  let op: ArithmeticOperator
  let lhs: Node
  let rhs: Node
  private lazy var f = Scratch<Double>(capacity, initial: 0)
  private lazy var i = Scratch<Int64>(capacity, initial: 0)
  init(_ op: ArithmeticOperator, _ lhs: Node, _ rhs: Node, type: ValueType) {
    self.op = op
    self.lhs = lhs
    self.rhs = rhs
    super.init(type: type, capacity: lhs.capacity)
  }
  override func floats(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Double> {
    let out = f.pointer
    if lhs.type == .int64 {  // int / int and int ** int
      let a = lhs.ints(ctx, sel)
      let b = rhs.ints(ctx, sel)
      if op == .divide {
        sel.forEach { out[$0] = Double(a[$0]) / Double(b[$0]) }
      } else {
        sel.forEach { out[$0] = Foundation.pow(Double(a[$0]), Double(b[$0])) }
      }
      return UnsafePointer(out)
    }
    let a = lhs.floats(ctx, sel)
    let b = rhs.floats(ctx, sel)
    switch op {
    case .add: sel.forEach { out[$0] = a[$0] + b[$0] }
    case .subtract: sel.forEach { out[$0] = a[$0] - b[$0] }
    case .multiply: sel.forEach { out[$0] = a[$0] * b[$0] }
    case .divide: sel.forEach { out[$0] = a[$0] / b[$0] }
    case .remainder: sel.forEach { out[$0] = ScalarMath.remainder(a[$0], b[$0]) }
    case .power: sel.forEach { out[$0] = Foundation.pow(a[$0], b[$0]) }
    }
    return UnsafePointer(out)
  }
  override func ints(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Int64> {
    let out = i.pointer
    let a = lhs.ints(ctx, sel)
    let b = rhs.ints(ctx, sel)
    switch op {
    case .add: sel.forEach { out[$0] = a[$0] &+ b[$0] }
    case .subtract: sel.forEach { out[$0] = a[$0] &- b[$0] }
    case .multiply: sel.forEach { out[$0] = a[$0] &* b[$0] }
    case .remainder: sel.forEach { out[$0] = ScalarMath.remainder(a[$0], b[$0]) }
    case .divide, .power: fatalError("int division and power give float64")
    }
    return UnsafePointer(out)
  }
}
