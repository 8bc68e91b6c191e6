import ColumnStore
import Foundation

final class CastNode: Node {
  let child: Node
  private lazy var f = Scratch<Double>(capacity, initial: 0)
  private lazy var i = Scratch<Int64>(capacity, initial: 0)
  init(_ child: Node, to type: ValueType) {
    self.child = child
    super.init(type: type, capacity: child.capacity)
  }
  override func floats(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Double> {
    let out = f.pointer
    if child.type == .int64 {
      let a = child.ints(ctx, sel)
      sel.forEach { out[$0] = Double(a[$0]) }
    } else {
      let a = child.bools(ctx, sel)
      sel.forEach { out[$0] = a[$0] ? 1 : 0 }
    }
    return UnsafePointer(out)
  }
  override func ints(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Int64> {
    let out = i.pointer
    let a = child.bools(ctx, sel)
    sel.forEach { out[$0] = a[$0] ? 1 : 0 }
    return UnsafePointer(out)
  }
}
