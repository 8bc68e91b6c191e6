import ColumnStore
import Dispatch
import Foundation
import Synchronization

/// The compiled nodes and scratch space of one worker.
final class Program {
  let context: BlockContext
  let cut: Node?
  let weight: Node?
  /// Distinct input and condition expressions (an expression several
  /// aggregates of a group share is evaluated once), and where each of the
  /// aggregate's inputs and conditions finds its node.
  let inputs: [Node]
  let inputSlots: [Int]
  let conditions: [Node]
  let conditionSlots: [Int]
  let widths: [Int]
  let capacity: Int
  let selection: Scratch<Int32>
  let identity: Scratch<Int32>
  let inputsAsFloat: Bool

  init(plan: Query.Plan, capacity: Int, equality: FloatEquality, inputsAsFloat: Bool) {
    self.capacity = capacity
    self.inputsAsFloat = inputsAsFloat
    context = BlockContext(storage: plan.columns.map(\.type))
    widths = plan.columns.map(\.type.byteWidth)
    cut = plan.cut.map { Compiler.compile($0, capacity: capacity, equality: equality) }
    weight = plan.weight.map { Compiler.compile($0, capacity: capacity, equality: equality) }
    func distinct(_ exprs: [BoundExpr]) -> ([Node], [Int]) {
      var unique: [BoundExpr] = []
      let slots = exprs.map { e -> Int in
        if let k = unique.firstIndex(of: e) { return k }
        unique.append(e)
        return unique.count - 1
      }
      return (unique.map { Compiler.compile($0, capacity: capacity, equality: equality) }, slots)
    }
    (inputs, inputSlots) = distinct(plan.inputs)
    (conditions, conditionSlots) = distinct(plan.conditions)
    selection = Scratch(capacity, initial: 0)
    identity = Scratch(capacity, initial: 0)
    for i in 0..<capacity { identity.pointer[i] = Int32(i) }
  }

  func run(bases: [UnsafeRawPointer], rows: Int, firstRow: Int, _ consume: (AggregateBatch) -> Void) {
    var start = 0
    while start < rows {
      let n = Swift.min(capacity, rows - start)
      for s in bases.indices { context.pointers[s] = bases[s] + start * widths[s] }
      let count: Int
      let rowsPointer: UnsafeMutablePointer<Int32>
      if let cut {
        count = cut.select(context, .all(n), into: selection.pointer)
        rowsPointer = selection.pointer
      } else {
        count = n
        rowsPointer = identity.pointer
      }
      if count > 0 {
        // Every row passed: dense loops (no index indirection) for the values.
        let sel = count == n ? Selection.all(n) : Selection(rowsPointer, count)
        let w = weight?.floats(context, sel)
        let distinctValues: [BatchValues] = inputs.map { node in
          if !inputsAsFloat, let col = node as? ColumnNode {
            return .stored(col.storage, UnsafeRawPointer(context.pointers[col.slot]))
          }
          return switch node.type {
          case .float64: .float64(node.floats(context, sel))
          case .int64: .int64(node.ints(context, sel))
          case .bool: .bool(node.bools(context, sel))
          }
        }
        let flags = conditions.map { $0.bools(context, sel) }
        consume(
          AggregateBatch(
            rows: UnsafeBufferPointer(start: rowsPointer, count: count), weights: w,
            values: inputSlots.map { distinctValues[$0] }, conditions: conditionSlots.map { flags[$0] },
            firstRow: firstRow + start, dense: count == n))
      }
      start += n
    }
  }
}
