import ColumnStore
import Foundation

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
