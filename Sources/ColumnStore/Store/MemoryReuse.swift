import CMalloc

/// Chunk buffers (0.5 MB per column chunk) are allocated and freed at a
/// high rate during a scan. By default glibc serves such blocks with fresh
/// `mmap`s, so every chunk costs page faults and kernel zeroing; keeping
/// freed blocks in malloc's arenas lets the next chunk reuse them, which
/// halves the system time of a scan. Meant for short-lived processes (the
/// command line): freed memory is kept until exit.
public enum MemoryReuse {
  public static func enable() {
    cmalloc_keep_freed_memory(256 << 20)
  }
}
