import ColumnStore
import Foundation

/// Remembers its child's values for one block: the middle operand of a
/// chain is computed on the first comparison's rows and reused (the second
/// comparison's rows are a subset).
final class MemoNode: Node {
  let child: Node
  private var f: UnsafePointer<Double>?
  private var i: UnsafePointer<Int64>?
  private(set) var evaluations = 0
  init(_ child: Node) {
    self.child = child
    super.init(type: child.type, capacity: child.capacity)
  }
  func reset() {
    f = nil
    i = nil
  }
  override func floats(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Double> {
    if let f { return f }
    evaluations += 1
    let p = child.floats(ctx, sel)
    f = p
    return p
  }
  override func ints(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Int64> {
    if let i { return i }
    evaluations += 1
    let p = child.ints(ctx, sel)
    i = p
    return p
  }
}
