import CHDF5
import Foundation

/// A histogram in the Unified Histogram Interface's serialization (UHI
/// schema 1): what boost-histogram and hist read through `uhi.io.hdf5`.
public struct UHIHistogram: Sendable, Equatable {
  public enum Axis: Sendable, Equatable {
    case regular(bins: Int, lower: Double, upper: Double, label: String)
    case variable(edges: [Double], label: String)

    var extent: Int {
      switch self {
      case .regular(let bins, _, _, _): bins + 2
      case .variable(let edges, _): edges.count + 1
      }
    }
  }

  public var axes: [Axis]
  /// Σw per bin, flow bins included, row-major (first axis slowest).
  public var values: [Double]
  /// Σw² per bin, same layout.
  public var variances: [Double]
  /// Free-form metadata (strings), e.g. the cut and the weight.
  public var metadata: [String: String]

  public init(axes: [Axis], values: [Double], variances: [Double], metadata: [String: String] = [:]) {
    self.axes = axes
    self.values = values
    self.variances = variances
    self.metadata = metadata
  }
}

/// Writes histograms to an HDF5 file in the UHI layout, one group per
/// histogram:
///
///     /{name}            attribute uhi_schema = 1
///     /{name}/metadata   attributes: the histogram's metadata
///     /{name}/ref_axes/axis_{i}   attributes type, lower/upper/bins (regular)
///                        or dataset edges (variable), underflow, overflow, circular
///     /{name}/axes       object references to the axis groups, in order
///     /{name}/storage    attribute type = "weighted"; datasets values, variances
///                        (N-D, flow bins included)
///
/// Read it with `uhi.io.hdf5.read(f[name])`, and `boost_histogram.Histogram(...)`
/// or `hist.Hist(...)` of the result. The file is written atomically.
public enum UHIHistogramFile {
  public static func write(_ histograms: [(name: String, histogram: UHIHistogram)], to path: String, durable: Bool = false) throws {
    let temporary = AtomicFile.temporaryPath(for: path)
    do {
      let file = try H5File.create(temporary, reportedAs: path)
      for (name, h) in histograms {
        let size = h.axes.reduce(1) { $0 * $1.extent }
        guard h.values.count == size, h.variances.count == size else {
          throw ColumnStoreError(.invalidInput, path: name, "histogram '\(name)' has \(h.values.count) values for \(size) bins")
        }
        let g = try file.createGroup(name)
        try g.attributes.set("uhi_schema", Int64(1))
        if !h.metadata.isEmpty {
          let m = try g.createSubgroup("metadata")
          for (k, v) in h.metadata.sorted(by: { $0.key < $1.key }) { try m.attributes.set(k, v) }
        }
        let refAxes = try g.createSubgroup("ref_axes")
        var refs: [hobj_ref_t] = []
        for (i, axis) in h.axes.enumerated() {
          let a = try refAxes.createSubgroup("axis_\(i)")
          let attrs = a.attributes
          switch axis {
          case .regular(let bins, let lower, let upper, let label):
            try attrs.set("type", "regular")
            try attrs.set("lower", lower)
            try attrs.set("upper", upper)
            try attrs.set("bins", Int64(bins))
            if !label.isEmpty { try a.createSubgroup("metadata").attributes.set("label", label) }
          case .variable(let edges, let label):
            try attrs.set("type", "variable")
            try H5Dataset.createVector(in: a, name: "edges", values: edges)
            if !label.isEmpty { try a.createSubgroup("metadata").attributes.set("label", label) }
          }
          try attrs.set("underflow", true)
          try attrs.set("overflow", true)
          try attrs.set("circular", false)
          var ref = hobj_ref_t()
          try h5check(H5Rcreate(&ref, g.handle.id, "ref_axes/axis_\(i)", H5R_OBJECT, -1), "H5Rcreate", path: path)
          refs.append(ref)
        }
        var dims: [hsize_t] = [hsize_t(refs.count)]
        let space = try H5Handle(H5Screate_simple(1, &dims, nil), "H5Screate_simple")
        let axes = try H5Handle(
          H5Dcreate2(g.handle.id, "axes", chdf5_t_std_ref_obj(), space.id, chdf5_p_default(), chdf5_p_default(), chdf5_p_default()),
          "cannot create the axes dataset", path: path)
        if !refs.isEmpty {
          _ = try refs.withUnsafeBytes { b in
            try h5check(H5Dwrite(axes.id, chdf5_t_std_ref_obj(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), b.baseAddress), "H5Dwrite(axes)")
          }
        }
        let storage = try g.createSubgroup("storage")
        try storage.attributes.set("type", "weighted")
        let shape = h.axes.map(\.extent)
        try H5Dataset.createArray(in: storage, name: "values", shape: shape, values: h.values)
        try H5Dataset.createArray(in: storage, name: "variances", shape: shape, values: h.variances)
      }
      try file.close()
      try AtomicFile.commit(temporary, to: path, durable: durable)
    } catch {
      unlink(temporary)
      throw error
    }
  }
}
