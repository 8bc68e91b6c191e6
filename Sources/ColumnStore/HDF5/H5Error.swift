import CHDF5

/// Calls HDF5 and turns a negative status into a `ColumnStoreError` that
/// carries the innermost messages of HDF5's error stack.
///
/// HDF5's automatic stack printing is silenced per thread (the thread-safe
/// build keeps one error stack per thread).
@discardableResult
func h5check<T: BinaryInteger>(
  _ status: T, _ what: @autoclosure () -> String, path: String = ""
) throws -> T {
  if status >= 0 { return status }
  let detail = h5ErrorStack()
  throw ColumnStoreError(
    .io, path: path,
    (path.isEmpty ? "" : "\(path): ") + what() + (detail.isEmpty ? "" : " (\(detail))"))
}

/// Silences HDF5's error printing on the calling thread.
func h5silence() {
  _ = chdf5_silence_errors()
}

/// The descriptions on the current thread's HDF5 error stack, innermost
/// last, joined by " <- "; the stack is cleared.
func h5ErrorStack() -> String {
  final class Collector { var lines: [String] = [] }
  let collector = Collector()
  let walker: H5E_walk2_t = { _, desc, data in
    guard let desc, let data else { return 0 }
    let c = Unmanaged<Collector>.fromOpaque(data).takeUnretainedValue()
    if let d = desc.pointee.desc {
      let text = String(cString: d)
      if !text.isEmpty { c.lines.append(text) }
    }
    return 0
  }
  _ = H5Ewalk2(chdf5_e_default(), H5E_WALK_DOWNWARD, walker, Unmanaged.passUnretained(collector).toOpaque())
  _ = H5Eclear2(chdf5_e_default())
  return collector.lines.suffix(2).joined(separator: " <- ")
}
