import CHDF5

/// A one-dimensional dataset: a column.
final class H5Dataset: @unchecked Sendable {
  let handle: H5Handle
  let file: H5File
  let name: String
  /// Element type, and whether the file bytes are native little-endian.
  let type: ColumnType?
  let littleEndian: Bool
  /// Number of elements (0 for a dataset that is not one-dimensional).
  let count: Int
  let rank: Int
  /// Elements per chunk, or nil for contiguous/compact storage.
  let chunkElements: Int?
  /// The filter pipeline in write order; nil entries are filters SysCorr
  /// cannot decode itself.
  let filters: [HDF5Filter?]

  init(handle: H5Handle, file: H5File, name: String) throws {
    self.handle = handle
    self.file = file
    self.name = name
    let t = try H5Handle(H5Dget_type(handle.id), "H5Dget_type", path: file.path)
    let mapped = ColumnType.from(h5Type: t.id)
    self.type = mapped?.type
    self.littleEndian = mapped?.littleEndian ?? false
    let space = try H5Handle(H5Dget_space(handle.id), "H5Dget_space", path: file.path)
    let rank = Int(H5Sget_simple_extent_ndims(space.id))
    self.rank = rank
    if rank == 1 {
      var dims: [hsize_t] = [0]
      H5Sget_simple_extent_dims(space.id, &dims, nil)
      self.count = Int(dims[0])
    } else {
      self.count = 0
    }
    let dcpl = try H5Handle(H5Dget_create_plist(handle.id), "H5Dget_create_plist", path: file.path)
    if rank == 1 && H5Pget_layout(dcpl.id) == H5D_CHUNKED {
      var cdims: [hsize_t] = [0]
      H5Pget_chunk(dcpl.id, 1, &cdims)
      self.chunkElements = Int(cdims[0])
    } else {
      self.chunkElements = nil
    }
    let nfilters = max(0, Int(H5Pget_nfilters(dcpl.id)))
    var filters: [HDF5Filter?] = []
    for i in 0..<nfilters {
      var flags: UInt32 = 0
      var nelmts = 8
      var cd = [UInt32](repeating: 0, count: 8)
      var config: UInt32 = 0
      let id = H5Pget_filter2(dcpl.id, UInt32(i), &flags, &nelmts, &cd, 0, nil, &config)
      filters.append(HDF5Filter(id: id))
    }
    self.filters = filters
  }

  /// Creates an extendible, chunked 1-D dataset with the codec's pipeline
  /// declared (SysCorr writes the already-filtered chunks itself).
  /// The corresponding HDF5 call is `H5Dcreate2`.
  static func create(
    in group: H5Group, name: String, type: ColumnType, count: Int, chunkElements: Int, codec: Codec
  ) throws -> H5Dataset {
    var dims: [hsize_t] = [hsize_t(count)]
    var maxdims: [hsize_t] = [chdf5_s_unlimited()]
    let space = try H5Handle(H5Screate_simple(1, &dims, &maxdims), "H5Screate_simple")
    let dcpl = try H5Handle(H5Pcreate(chdf5_p_dataset_create()), "H5Pcreate")
    var cdims: [hsize_t] = [hsize_t(chunkElements)]
    try h5check(H5Pset_chunk(dcpl.id, 1, &cdims), "H5Pset_chunk")
    // Chunks are written explicitly; never allocate or fill unwritten ones.
    H5Pset_fill_time(dcpl.id, H5D_FILL_TIME_NEVER)
    H5Pset_alloc_time(dcpl.id, H5D_ALLOC_TIME_INCR)
    for filter in codec.pipeline {
      var cd = filter.clientData(elementSize: type.byteWidth)
      // Optional: HDF5 accepts ids it has no plugin for (lz4, zstd); readers
      // with the plugin (h5py + hdf5plugin) still apply them.
      let flags: UInt32 = (filter == .shuffle || filter.id == HDF5Filter.deflateID) ? 0 : UInt32(H5Z_FLAG_OPTIONAL)
      try h5check(H5Pset_filter(dcpl.id, filter.id, flags, cd.count, &cd), "H5Pset_filter(\(filter.id))")
    }
    let ftype = try type.h5FileType()
    let id = H5Dcreate2(group.handle.id, name, ftype.id, space.id, chdf5_p_default(), dcpl.id, chdf5_p_default())
    return try H5Dataset(
      handle: H5Handle(id, "cannot create dataset '\(name)'", path: group.file.path), file: group.file, name: name)
  }

  /// Grows (or shrinks) the dataset to `count` elements.
  /// The corresponding HDF5 call is `H5Dset_extent`.
  func setExtent(_ count: Int) throws {
    var dims: [hsize_t] = [hsize_t(count)]
    try h5check(H5Dset_extent(handle.id, &dims), "H5Dset_extent(\(name))", path: file.path)
  }

  /// Writes one already-filtered chunk at element offset `start`.
  /// The corresponding HDF5 call is `H5Dwrite_chunk`.
  func writeChunk(at start: Int, bytes: UnsafeRawBufferPointer, skippedFilters: UInt32 = 0) throws {
    var offset: [hsize_t] = [hsize_t(start)]
    try h5check(
      H5Dwrite_chunk(handle.id, chdf5_p_default(), skippedFilters, &offset, bytes.count, bytes.baseAddress),
      "H5Dwrite_chunk(\(name))", path: file.path)
  }

  /// Where the chunk at element offset `start` lies; nil when it was never
  /// written. The corresponding HDF5 call is `H5Dget_chunk_info_by_coord`.
  func chunkLocation(at start: Int) throws -> ChunkLocation? {
    var offset: [hsize_t] = [hsize_t(start)]
    var mask: UInt32 = 0
    var addr: haddr_t = 0
    var size: hsize_t = 0
    try h5check(
      H5Dget_chunk_info_by_coord(handle.id, &offset, &mask, &addr, &size),
      "H5Dget_chunk_info_by_coord(\(name))", path: file.path)
    guard chdf5_addr_defined(addr) != 0, size > 0 else { return nil }
    return ChunkLocation(address: UInt64(addr), size: Int(size), mask: mask)
  }

  /// Reads the raw (still filtered) bytes of one chunk through HDF5.
  /// The corresponding HDF5 call is `H5Dread_chunk`.
  func readRawChunk(at start: Int, size: Int) throws -> (bytes: [UInt8], mask: UInt32) {
    var offset: [hsize_t] = [hsize_t(start)]
    var mask: UInt32 = 0
    let bytes = try [UInt8](unsafeUninitializedCapacity: size) { buf, n in
      try h5check(H5Dread_chunk(handle.id, chdf5_p_default(), &offset, &mask, buf.baseAddress), "H5Dread_chunk(\(name))", path: file.path)
      n = size
    }
    return (bytes, mask)
  }

  /// Reads elements `range` converted to `type` through HDF5's own pipeline.
  /// The corresponding HDF5 call is `H5Dread` with a hyperslab selection.
  func read(_ range: Range<Int>, as type: ColumnType) throws -> ColumnBuffer {
    let mem = try type.h5MemoryType()
    var memDims: [hsize_t] = [hsize_t(range.count)]
    let memSpace = try H5Handle(H5Screate_simple(1, &memDims, nil), "H5Screate_simple")
    let fileSpace = try H5Handle(H5Dget_space(handle.id), "H5Dget_space")
    var start: [hsize_t] = [hsize_t(range.lowerBound)]
    var count: [hsize_t] = [hsize_t(range.count)]
    try h5check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &count, nil), "H5Sselect_hyperslab")
    var status: herr_t = 0
    let buffer = ColumnBuffer.make(type, count: range.count) { dst in
      if range.isEmpty { return }
      status = H5Dread(handle.id, mem.id, memSpace.id, fileSpace.id, chdf5_p_default(), dst.baseAddress)
      if status < 0 { dst.initializeMemory(as: UInt8.self, repeating: 0) }
    }
    try h5check(status, "cannot read '\(name)' rows \(range.lowerBound)..<\(range.upperBound)", path: file.path)
    return buffer
  }

  /// Writes float64 values as a 2-D dataset (rows × columns), contiguous.
  static func createMatrix(in group: H5Group, name: String, rows: Int, columns: Int, values: [Double]) throws {
    try createArray(in: group, name: name, shape: [rows, columns], values: values)
  }

  /// Writes float64 values as a 1-D dataset, contiguous.
  static func createVector(in group: H5Group, name: String, values: [Double]) throws {
    try createArray(in: group, name: name, shape: [values.count], values: values)
  }

  /// Writes float64 values (row-major) as an N-D dataset, contiguous.
  static func createArray(in group: H5Group, name: String, shape: [Int], values: [Double]) throws {
    var dims = shape.map { hsize_t($0) }
    let space = try H5Handle(H5Screate_simple(Int32(dims.count), &dims, nil), "H5Screate_simple")
    let id = H5Dcreate2(group.handle.id, name, chdf5_t_ieee_f64le(), space.id, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
    let d = try H5Handle(id, "cannot create dataset '\(name)'", path: group.file.path)
    if values.isEmpty { return }
    _ = try values.withUnsafeBytes { b in
      try h5check(H5Dwrite(d.id, chdf5_t_native_double(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), b.baseAddress), "H5Dwrite(\(name))")
    }
  }

  /// Reads a float64 dataset of any rank as row-major values with its shape.
  func readArray() throws -> (shape: [Int], values: [Double]) {
    let space = try H5Handle(H5Dget_space(handle.id), "H5Dget_space")
    let rank = Int(H5Sget_simple_extent_ndims(space.id))
    guard rank >= 0 else { throw ColumnStoreError(.corruptFile, path: file.path, "\(file.path): '\(name)' has no shape") }
    var dims = [hsize_t](repeating: 0, count: Swift.max(rank, 1))
    H5Sget_simple_extent_dims(space.id, &dims, nil)
    let shape = dims.prefix(rank).map { Int($0) }
    let n = shape.reduce(1, *)
    var status: herr_t = 0
    let values = [Double](unsafeUninitializedCapacity: n) { buf, c in
      status = n == 0 ? 0 : H5Dread(handle.id, chdf5_t_native_double(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), buf.baseAddress)
      c = status < 0 ? 0 : n
    }
    try h5check(status, "cannot read '\(name)'", path: file.path)
    return (shape, values)
  }

  /// Reads a 2-D float64 dataset as row-major values with its shape.
  func readMatrix() throws -> (rows: Int, columns: Int, values: [Double]) {
    let space = try H5Handle(H5Dget_space(handle.id), "H5Dget_space")
    guard H5Sget_simple_extent_ndims(space.id) == 2 else {
      throw ColumnStoreError(.corruptFile, path: file.path, "\(file.path): '\(name)' is not two-dimensional")
    }
    var dims: [hsize_t] = [0, 0]
    H5Sget_simple_extent_dims(space.id, &dims, nil)
    let n = Int(dims[0] * dims[1])
    var status: herr_t = 0
    let values = [Double](unsafeUninitializedCapacity: n) { buf, c in
      status = n == 0 ? 0 : H5Dread(handle.id, chdf5_t_native_double(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), buf.baseAddress)
      c = status < 0 ? 0 : n
    }
    try h5check(status, "cannot read '\(name)'", path: file.path)
    return (Int(dims[0]), Int(dims[1]), values)
  }

  var attributes: H5Attributes { H5Attributes(owner: handle, path: file.path) }
}

/// A stored chunk: its file address, its stored (filtered) size and the
/// mask of the filters HDF5 skipped for it.
struct ChunkLocation: Sendable, Equatable {
  var address: UInt64
  var size: Int
  var mask: UInt32
}
