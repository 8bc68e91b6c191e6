import ColumnStore
import Foundation

/// A number used as a condition: non-zero and not NaN.
final class TruthNode: Node {
  let child: Node
  init(_ child: Node) {
    self.child = child
    super.init(type: .bool, capacity: child.capacity)
  }
  override func select(_ ctx: BlockContext, _ sel: Selection, into out: UnsafeMutablePointer<Int32>) -> Int {
    if child.type == .int64 {
      let a = child.ints(ctx, sel)
      return sel.filter(into: out) { a[$0] != 0 }
    }
    let a = child.floats(ctx, sel)
    return sel.filter(into: out) { a[$0] != 0 && a[$0] == a[$0] }
  }
}
