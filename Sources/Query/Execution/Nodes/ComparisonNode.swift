import ColumnStore
import Foundation

/// `a op b` or `a op b op c` (the middle evaluated once, the third only on
/// rows that pass the first comparison).
final class ComparisonNode: Node {
  let operands: [Node]
  let ops: [ComparisonOperator]
  let equality: FloatEquality
  let isFloat: Bool
  private lazy var tmp = Scratch<Int32>(capacity, initial: 0)

  init(_ operands: [Node], _ ops: [ComparisonOperator], isFloat: Bool, equality: FloatEquality) {
    self.operands = operands
    self.ops = ops
    self.equality = equality
    self.isFloat = isFloat
    super.init(type: .bool, capacity: operands[0].capacity)
  }

  override func select(_ ctx: BlockContext, _ sel: Selection, into out: UnsafeMutablePointer<Int32>) -> Int {
    if ops.count == 1 { return compare(0, ctx, sel, into: out) }
    (operands[1] as? MemoNode)?.reset()  // the middle is computed once, on `sel`
    let t = tmp.pointer
    let n = compare(0, ctx, sel, into: t)
    if n == 0 { return 0 }
    return compare(1, ctx, Selection(t, n), into: out)
  }

  /// Compares operand k with operand k + 1 on `sel`.
  private func compare(_ k: Int, _ ctx: BlockContext, _ sel: Selection, into out: UnsafeMutablePointer<Int32>) -> Int {
    let a = operands[k]
    let b = operands[k + 1]
    var op = ops[k]
    // Column against constant: straight from storage, no widening pass.
    if let col = a as? ColumnNode, let c = b as? ConstantNode {
      return Kernels.selectColumnConstant(ctx.pointers[col.slot], col.storage, c.value, op, equality, sel, out)
    }
    if let c = a as? ConstantNode, let col = b as? ColumnNode {
      return Kernels.selectColumnConstant(
        ctx.pointers[col.slot], col.storage, c.value, op.flipped, equality, sel, out)
    }
    // abs(float column) against a constant: one pass, no temporary.
    if isFloat, let f = a as? FunctionNode, f.function == .abs, let col = f.args[0] as? ColumnNode,
      let c = b as? ConstantNode
    {
      if col.storage == .float64 {
        return Kernels.selectAbsColumnConstant(
          ctx.pointers[col.slot].assumingMemoryBound(to: Double.self), c.value.double, op, equality, sel, out)
      }
      if col.storage == .float32 {
        return Kernels.selectAbsColumnConstant(
          ctx.pointers[col.slot].assumingMemoryBound(to: Float.self), c.value.double, op, equality, sel, out)
      }
    }
    var x = a
    var y = b
    if x is ConstantNode, !(y is ConstantNode) {
      swap(&x, &y)
      op = op.flipped
    }
    if isFloat {
      let p = x.floats(ctx, sel)
      if let c = y as? ConstantNode {
        return Kernels.select(floats: p, nil, constant: c.value.double, op, equality, sel, out)
      }
      return Kernels.select(floats: p, y.floats(ctx, sel), constant: 0, op, equality, sel, out)
    }
    let p = x.ints(ctx, sel)
    if let c = y as? ConstantNode {
      return Kernels.select(ints: p, nil, constant: c.value.int, op, sel, out)
    }
    return Kernels.select(ints: p, y.ints(ctx, sel), constant: 0, op, sel, out)
  }
}
