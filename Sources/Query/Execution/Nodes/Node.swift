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
