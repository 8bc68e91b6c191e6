import ColumnStore
import Foundation

final class NotNode: Node {
  let child: Node
  private lazy var inner = Scratch<Int32>(capacity, initial: 0)
  init(_ child: Node) {
    self.child = child
    super.init(type: .bool, capacity: child.capacity)
  }
  override func select(_ ctx: BlockContext, _ sel: Selection, into out: UnsafeMutablePointer<Int32>) -> Int {
    let t = inner.pointer
    let n = child.select(ctx, sel, into: t)
    return sel.subtracting(t, n, into: out)
  }
}
