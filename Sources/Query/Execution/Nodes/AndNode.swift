import ColumnStore
import Foundation

/// Narrows the selection conjunct by conjunct, stopping when it is empty.
///
/// Adaptive order (as duckdb's adaptive filter): every 64 blocks the
/// conjuncts are re-ranked by cost / (1 − pass rate) as observed by this
/// worker. Conjuncts are pure, so the order never changes the result.
final class AndNode: Node {
  let children: [Node]
  let costs: [Double]
  private(set) var order: [Int]
  private var rowsIn: [Double]
  private var rowsOut: [Double]
  private var calls = 0

  init(_ children: [Node], costs: [Double]) {
    self.children = children
    self.costs = costs
    self.order = Array(children.indices)
    self.rowsIn = Array(repeating: 0, count: children.count)
    self.rowsOut = Array(repeating: 0, count: children.count)
    super.init(type: .bool, capacity: children[0].capacity)
  }

  override func select(_ ctx: BlockContext, _ sel: Selection, into out: UnsafeMutablePointer<Int32>) -> Int {
    var n = 0
    for (position, k) in order.enumerated() {
      let input = position == 0 ? sel : Selection(out, n)
      if input.count == 0 { return 0 }
      n = children[k].select(ctx, input, into: out)
      rowsIn[k] += Double(input.count)
      rowsOut[k] += Double(n)
    }
    calls &+= 1
    if calls & 63 == 0 { reorder() }
    return n
  }

  private func reorder() {
    let rank = children.indices.map { k -> Double in
      let pass = rowsIn[k] > 0 ? rowsOut[k] / rowsIn[k] : 0.5
      return costs[k] / Swift.max(1e-6, 1 - pass)
    }
    order = children.indices.sorted { rank[$0] != rank[$1] ? rank[$0] < rank[$1] : $0 < $1 }
    for k in children.indices {  // forget slowly, to follow drifting data
      rowsIn[k] *= 0.5
      rowsOut[k] *= 0.5
    }
  }
}
