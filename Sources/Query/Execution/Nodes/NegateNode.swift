import ColumnStore
import Foundation

final class NegateNode: Node {
  let child: Node
  private lazy var f = Scratch<Double>(capacity, initial: 0)
  private lazy var i = Scratch<Int64>(capacity, initial: 0)
  init(_ child: Node) {
    self.child = child
    super.init(type: child.type, capacity: child.capacity)
  }
  override func floats(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Double> {
    let a = child.floats(ctx, sel)
    let out = f.pointer
    sel.forEach { out[$0] = -a[$0] }
    return UnsafePointer(out)
  }
  override func ints(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Int64> {
    let a = child.ints(ctx, sel)
    let out = i.pointer
    sel.forEach { out[$0] = 0 &- a[$0] }
    return UnsafePointer(out)
  }
}
