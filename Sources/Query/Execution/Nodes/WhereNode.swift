import ColumnStore
import Foundation

/// `where(cond, a, b)`: `a` is evaluated only where cond holds, `b` elsewhere.
final class WhereNode: Node {
  let condition: Node
  let then: Node
  let otherwise: Node
  private lazy var yes = Scratch<Int32>(capacity, initial: 0)
  private lazy var no = Scratch<Int32>(capacity, initial: 0)
  private lazy var f = Scratch<Double>(capacity, initial: 0)
  private lazy var i = Scratch<Int64>(capacity, initial: 0)
  private lazy var b = Scratch<Bool>(capacity, initial: false)
  init(_ condition: Node, _ then: Node, _ otherwise: Node) {
    self.condition = condition
    self.then = then
    self.otherwise = otherwise
    super.init(type: then.type, capacity: then.capacity)
  }
  private func split(_ ctx: BlockContext, _ sel: Selection) -> (Selection, Selection) {
    let ny = condition.select(ctx, sel, into: yes.pointer)
    let nn = sel.subtracting(yes.pointer, ny, into: no.pointer)
    return (Selection(yes.pointer, ny), Selection(no.pointer, nn))
  }
  override func floats(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Double> {
    let (s1, s2) = split(ctx, sel)
    let out = f.pointer
    if s1.count > 0 { let a = then.floats(ctx, s1); s1.forEach { out[$0] = a[$0] } }
    if s2.count > 0 { let c = otherwise.floats(ctx, s2); s2.forEach { out[$0] = c[$0] } }
    return UnsafePointer(out)
  }
  override func ints(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Int64> {
    let (s1, s2) = split(ctx, sel)
    let out = i.pointer
    if s1.count > 0 { let a = then.ints(ctx, s1); s1.forEach { out[$0] = a[$0] } }
    if s2.count > 0 { let c = otherwise.ints(ctx, s2); s2.forEach { out[$0] = c[$0] } }
    return UnsafePointer(out)
  }
  override func bools(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Bool> {
    let (s1, s2) = split(ctx, sel)
    let out = b.pointer
    if s1.count > 0 { let a = then.bools(ctx, s1); s1.forEach { out[$0] = a[$0] } }
    if s2.count > 0 { let c = otherwise.bools(ctx, s2); s2.forEach { out[$0] = c[$0] } }
    return UnsafePointer(out)
  }
}
