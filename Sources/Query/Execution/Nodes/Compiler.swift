import ColumnStore
import Foundation

enum Compiler {
  /// Builds the node tree of one worker.
  static func compile(_ e: BoundExpr, capacity: Int, equality: FloatEquality) -> Node {
    func c(_ e: BoundExpr) -> Node { compile(e, capacity: capacity, equality: equality) }
    switch e {
    case .column(let slot, _, let storage): return ColumnNode(slot: slot, storage: storage, capacity: capacity)
    case .constant(let s): return ConstantNode(s, capacity: capacity)
    case .cast(let x, let t): return CastNode(c(x), to: t)
    case .negate(let x): return NegateNode(c(x))
    case .arithmetic(let op, let a, let b): return ArithmeticNode(op, c(a), c(b), type: e.type)
    case .comparison(let xs, let ops):
      // A widened column compares straight from storage (same values, no widening pass).
      let operands = xs.map { x -> Node in
        if case .cast(.column(let slot, _, let storage), _) = x {
          return ColumnNode(slot: slot, storage: storage, capacity: capacity)
        }
        return c(x)
      }
      var memoized = operands
      if memoized.count == 3, !(memoized[1] is ColumnNode), !(memoized[1] is ConstantNode) {
        memoized[1] = MemoNode(memoized[1])
      }
      return ComparisonNode(memoized, ops, isFloat: xs[0].type == .float64, equality: equality)
    case .and(let xs): return AndNode(xs.map(c), costs: xs.map { Double(Swift.max(1, $0.cost)) })
    case .or(let xs): return OrNode(xs.map(c))
    case .not(let x): return NotNode(c(x))
    case .truth(let x): return TruthNode(c(x))
    case .function(let f, let xs, let t): return FunctionNode(f, xs.map(c), type: t)
    case .select(let cond, let a, let b): return WhereNode(c(cond), c(a), c(b))
    }
  }
}
