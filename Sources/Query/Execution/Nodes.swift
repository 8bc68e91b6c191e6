import ColumnStore
import Foundation

/// The column pointers of the current block, shared by all nodes of one worker.
final class BlockContext {
  /// Per slot: the first value of the current block.
  var pointers: [UnsafeRawPointer]
  let storage: [ColumnType]
  init(storage: [ColumnType]) {
    self.storage = storage
    self.pointers = Array(repeating: UnsafeRawPointer(bitPattern: 8)!, count: storage.count)
  }
}

/// A compiled expression node with per-worker scratch vectors.
///
/// Value accessors return a pointer indexed by block row; only the selected
/// rows are valid. Condition nodes implement `select`, which narrows a
/// selection (output may alias the input).
class Node {
  let type: ValueType
  let capacity: Int
  init(type: ValueType, capacity: Int) {
    self.type = type
    self.capacity = capacity
  }
  func floats(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Double> { fatalError("not a float node") }
  func ints(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Int64> { fatalError("not an int node") }

  private lazy var boolScratch = Scratch<Bool>(capacity, initial: false)
  private lazy var selectScratch = Scratch<Int32>(capacity, initial: 0)

  /// Default: through `select`.
  func bools(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Bool> {
    let out = boolScratch.pointer
    sel.forEach { out[$0] = false }
    let s = selectScratch.pointer
    let n = select(ctx, sel, into: s)
    for j in 0..<n { out[Int(s[j])] = true }
    return UnsafePointer(out)
  }

  /// Default: through `bools`.
  func select(_ ctx: BlockContext, _ sel: Selection, into out: UnsafeMutablePointer<Int32>) -> Int {
    let b = bools(ctx, sel)
    return sel.filter(into: out) { b[$0] }
  }
}

final class ColumnNode: Node {
  let slot: Int
  let storage: ColumnType
  private lazy var f = Scratch<Double>(capacity, initial: 0)
  private lazy var i = Scratch<Int64>(capacity, initial: 0)
  init(slot: Int, storage: ColumnType, capacity: Int) {
    self.slot = slot
    self.storage = storage
    super.init(type: ValueType(storage: storage), capacity: capacity)
  }
  override func floats(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Double> {
    let raw = ctx.pointers[slot]
    if storage == .float64 { return raw.assumingMemoryBound(to: Double.self) }
    Kernels.widenToDouble(raw, storage, sel, f.pointer)
    return UnsafePointer(f.pointer)
  }
  override func ints(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Int64> {
    let raw = ctx.pointers[slot]
    if storage == .int64 { return raw.assumingMemoryBound(to: Int64.self) }
    Kernels.widenToInt64(raw, storage, sel, i.pointer)
    return UnsafePointer(i.pointer)
  }
  override func bools(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Bool> {
    ctx.pointers[slot].assumingMemoryBound(to: Bool.self)
  }
  override func select(_ ctx: BlockContext, _ sel: Selection, into out: UnsafeMutablePointer<Int32>) -> Int {
    let b = ctx.pointers[slot].assumingMemoryBound(to: Bool.self)
    return sel.filter(into: out) { b[$0] }
  }
}

final class ConstantNode: Node {
  let value: Scalar
  // Filled on first use: compare kernels read `value` directly, so most
  // constants never need a vector.
  private lazy var f = Scratch(capacity, initial: value.double)
  private lazy var i = Scratch(capacity, initial: value.int)
  private lazy var b = Scratch(capacity, initial: value.truth)
  init(_ value: Scalar, capacity: Int) {
    self.value = value
    super.init(type: value.type, capacity: capacity)
  }
  override func floats(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Double> { UnsafePointer(f.pointer) }
  override func ints(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Int64> { UnsafePointer(i.pointer) }
  override func bools(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Bool> { UnsafePointer(b.pointer) }
  override func select(_ ctx: BlockContext, _ sel: Selection, into out: UnsafeMutablePointer<Int32>) -> Int {
    if !value.truth { return 0 }
    return sel.filter(into: out) { _ in true }
  }
}

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

final class ArithmeticNode: Node {
  let op: ArithmeticOperator
  let lhs: Node
  let rhs: Node
  private lazy var f = Scratch<Double>(capacity, initial: 0)
  private lazy var i = Scratch<Int64>(capacity, initial: 0)
  init(_ op: ArithmeticOperator, _ lhs: Node, _ rhs: Node, type: ValueType) {
    self.op = op
    self.lhs = lhs
    self.rhs = rhs
    super.init(type: type, capacity: lhs.capacity)
  }
  override func floats(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Double> {
    let out = f.pointer
    if lhs.type == .int64 {  // int / int and int ** int
      let a = lhs.ints(ctx, sel)
      let b = rhs.ints(ctx, sel)
      if op == .divide {
        sel.forEach { out[$0] = Double(a[$0]) / Double(b[$0]) }
      } else {
        sel.forEach { out[$0] = Foundation.pow(Double(a[$0]), Double(b[$0])) }
      }
      return UnsafePointer(out)
    }
    let a = lhs.floats(ctx, sel)
    let b = rhs.floats(ctx, sel)
    switch op {
    case .add: sel.forEach { out[$0] = a[$0] + b[$0] }
    case .subtract: sel.forEach { out[$0] = a[$0] - b[$0] }
    case .multiply: sel.forEach { out[$0] = a[$0] * b[$0] }
    case .divide: sel.forEach { out[$0] = a[$0] / b[$0] }
    case .remainder: sel.forEach { out[$0] = ScalarMath.remainder(a[$0], b[$0]) }
    case .power: sel.forEach { out[$0] = Foundation.pow(a[$0], b[$0]) }
    }
    return UnsafePointer(out)
  }
  override func ints(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Int64> {
    let out = i.pointer
    let a = lhs.ints(ctx, sel)
    let b = rhs.ints(ctx, sel)
    switch op {
    case .add: sel.forEach { out[$0] = a[$0] &+ b[$0] }
    case .subtract: sel.forEach { out[$0] = a[$0] &- b[$0] }
    case .multiply: sel.forEach { out[$0] = a[$0] &* b[$0] }
    case .remainder: sel.forEach { out[$0] = ScalarMath.remainder(a[$0], b[$0]) }
    case .divide, .power: fatalError("int division and power give float64")
    }
    return UnsafePointer(out)
  }
}

/// `a op b` or `a op b op c` (the middle evaluated once, the third only on
/// rows that pass the first comparison).
final class ComparisonNode: Node {
  let operands: [Node]
  let ops: [ComparisonOperator]
  let equality: FloatEquality
  let isFloat: Bool
  private lazy var tmp = Scratch<Int32>(capacity, initial: 0)

  init(_ operands: [Node], _ ops: [ComparisonOperator], isFloat: Bool, equality: FloatEquality) {
    self.operands = operands
    self.ops = ops
    self.equality = equality
    self.isFloat = isFloat
    super.init(type: .bool, capacity: operands[0].capacity)
  }

  override func select(_ ctx: BlockContext, _ sel: Selection, into out: UnsafeMutablePointer<Int32>) -> Int {
    if ops.count == 1 { return compare(0, ctx, sel, into: out) }
    (operands[1] as? MemoNode)?.reset()  // the middle is computed once, on `sel`
    let t = tmp.pointer
    let n = compare(0, ctx, sel, into: t)
    if n == 0 { return 0 }
    return compare(1, ctx, Selection(t, n), into: out)
  }

  /// Compares operand k with operand k + 1 on `sel`.
  private func compare(_ k: Int, _ ctx: BlockContext, _ sel: Selection, into out: UnsafeMutablePointer<Int32>) -> Int {
    let a = operands[k]
    let b = operands[k + 1]
    var op = ops[k]
    // Column against constant: straight from storage, no widening pass.
    if let col = a as? ColumnNode, let c = b as? ConstantNode {
      return Kernels.selectColumnConstant(ctx.pointers[col.slot], col.storage, c.value, op, equality, sel, out)
    }
    if let c = a as? ConstantNode, let col = b as? ColumnNode {
      return Kernels.selectColumnConstant(
        ctx.pointers[col.slot], col.storage, c.value, op.flipped, equality, sel, out)
    }
    // abs(float column) against a constant: one pass, no temporary.
    if isFloat, let f = a as? FunctionNode, f.function == .abs, let col = f.args[0] as? ColumnNode,
      let c = b as? ConstantNode
    {
      if col.storage == .float64 {
        return Kernels.selectAbsColumnConstant(
          ctx.pointers[col.slot].assumingMemoryBound(to: Double.self), c.value.double, op, equality, sel, out)
      }
      if col.storage == .float32 {
        return Kernels.selectAbsColumnConstant(
          ctx.pointers[col.slot].assumingMemoryBound(to: Float.self), c.value.double, op, equality, sel, out)
      }
    }
    var x = a
    var y = b
    if x is ConstantNode, !(y is ConstantNode) {
      swap(&x, &y)
      op = op.flipped
    }
    if isFloat {
      let p = x.floats(ctx, sel)
      if let c = y as? ConstantNode {
        return Kernels.select(floats: p, nil, constant: c.value.double, op, equality, sel, out)
      }
      return Kernels.select(floats: p, y.floats(ctx, sel), constant: 0, op, equality, sel, out)
    }
    let p = x.ints(ctx, sel)
    if let c = y as? ConstantNode {
      return Kernels.select(ints: p, nil, constant: c.value.int, op, sel, out)
    }
    return Kernels.select(ints: p, y.ints(ctx, sel), constant: 0, op, sel, out)
  }
}

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

final class FunctionNode: Node {
  let function: Builtin
  let args: [Node]
  private lazy var f = Scratch<Double>(capacity, initial: 0)
  private lazy var i = Scratch<Int64>(capacity, initial: 0)
  init(_ function: Builtin, _ args: [Node], type: ValueType) {
    self.function = function
    self.args = args
    super.init(type: type, capacity: args[0].capacity)
  }
  override func floats(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Double> {
    let out = f.pointer
    let a = args[0].floats(ctx, sel)
    switch function {
    case .abs: sel.forEach { out[$0] = Swift.abs(a[$0]) }
    case .sqrt: sel.forEach { out[$0] = a[$0].squareRoot() }
    case .floor: sel.forEach { out[$0] = a[$0].rounded(.down) }
    case .ceil: sel.forEach { out[$0] = a[$0].rounded(.up) }
    case .round: sel.forEach { out[$0] = a[$0].rounded(.toNearestOrEven) }
    case .min:
      let b = args[1].floats(ctx, sel)
      sel.forEach { out[$0] = ScalarMath.minimum(a[$0], b[$0]) }
    case .max:
      let b = args[1].floats(ctx, sel)
      sel.forEach { out[$0] = ScalarMath.maximum(a[$0], b[$0]) }
    case .clip:
      let lo = args[1].floats(ctx, sel)
      let hi = args[2].floats(ctx, sel)
      sel.forEach { out[$0] = ScalarMath.minimum(ScalarMath.maximum(a[$0], lo[$0]), hi[$0]) }
    case .atan2:
      let b = args[1].floats(ctx, sel)
      sel.forEach { out[$0] = Foundation.atan2(a[$0], b[$0]) }
    case .pow:
      let b = args[1].floats(ctx, sel)
      sel.forEach { out[$0] = Foundation.pow(a[$0], b[$0]) }
    default:
      let g = function.unaryFloat!
      sel.forEach { out[$0] = g(a[$0]) }
    }
    return UnsafePointer(out)
  }
  override func ints(_ ctx: BlockContext, _ sel: Selection) -> UnsafePointer<Int64> {
    let out = i.pointer
    let a = args[0].ints(ctx, sel)
    switch function {
    case .abs: sel.forEach { out[$0] = ScalarMath.abs(a[$0]) }
    case .min:
      let b = args[1].ints(ctx, sel)
      sel.forEach { out[$0] = Swift.min(a[$0], b[$0]) }
    case .max:
      let b = args[1].ints(ctx, sel)
      sel.forEach { out[$0] = Swift.max(a[$0], b[$0]) }
    case .clip:
      let lo = args[1].ints(ctx, sel)
      let hi = args[2].ints(ctx, sel)
      sel.forEach { out[$0] = Swift.min(Swift.max(a[$0], lo[$0]), hi[$0]) }
    default: fatalError("\(function) has no int64 form")
    }
    return UnsafePointer(out)
  }
  override func select(_ ctx: BlockContext, _ sel: Selection, into out: UnsafeMutablePointer<Int32>) -> Int {
    let a = args[0].floats(ctx, sel)
    if function == .isnan { return sel.filter(into: out) { a[$0].isNaN } }
    return sel.filter(into: out) { a[$0].isInfinite }
  }
}

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
