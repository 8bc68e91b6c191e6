import ColumnStore
import Foundation

/// Evaluates each disjunct only on the rows that failed the previous ones.
final class OrNode: Node {
  let children: [Node]
  private lazy var passed = Scratch<Int32>(capacity, initial: 0)
  private lazy var rest = Scratch<Int32>(capacity, initial: 0)
  private lazy var hit = Scratch<Int32>(capacity, initial: 0)
  private lazy var merged = Scratch<Int32>(capacity, initial: 0)
  init(_ children: [Node]) {
    self.children = children
    super.init(type: .bool, capacity: children[0].capacity)
  }
  override func select(_ ctx: BlockContext, _ sel: Selection, into out: UnsafeMutablePointer<Int32>) -> Int {
    let p = passed.pointer
    var np = children[0].select(ctx, sel, into: p)
    let r = rest.pointer
    var nr = sel.subtracting(p, np, into: r)
    for c in children.dropFirst() {
      if nr == 0 { break }
      let h = hit.pointer
      let nh = c.select(ctx, Selection(r, nr), into: h)
      if nh == 0 { continue }
      nr = Selection(r, nr).subtracting(h, nh, into: r)
      let m = merged.pointer
      np = mergeAscending(p, np, h, nh, into: m)
      p.update(from: m, count: np)
    }
    out.update(from: p, count: np)
    return np
  }
}
