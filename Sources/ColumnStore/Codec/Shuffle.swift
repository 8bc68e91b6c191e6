/// HDF5's byte shuffle: byte j of element i is stored at `j * n + i`, so
/// that bytes of equal significance are adjacent and compress better.
/// Trailing bytes that do not fill an element are copied verbatim.
enum Shuffle {
  static func shuffle(
    _ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, elementSize: Int
  ) {
    transpose(src, dst, elementSize: elementSize, forward: true)
  }

  static func unshuffle(
    _ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, elementSize: Int
  ) {
    transpose(src, dst, elementSize: elementSize, forward: false)
  }

  private static func transpose(
    _ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableRawBufferPointer, elementSize w: Int, forward: Bool
  ) {
    precondition(dst.count >= src.count)
    let n = src.count / w
    guard w > 1, n > 0 else {
      if src.count > 0 { dst.copyMemory(from: src) }
      return
    }
    let s = src.bindMemory(to: UInt8.self).baseAddress!
    let d = dst.bindMemory(to: UInt8.self).baseAddress!
    // Blocks of elements keep both sides cache-resident.
    let block = 4096
    var start = 0
    while start < n {
      let end = min(start + block, n)
      for j in 0..<w {
        if forward {
          let out = d + j * n
          for i in start..<end { out[i] = s[i * w + j] }
        } else {
          let inp = s + j * n
          for i in start..<end { d[i * w + j] = inp[i] }
        }
      }
      start = end
    }
    let tail = src.count - n * w
    if tail > 0 { (d + n * w).update(from: s + n * w, count: tail) }
  }
}
