import ColumnStore
import Foundation

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
