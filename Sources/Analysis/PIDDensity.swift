import ColumnStore
import Foundation
import Numerics
import Query

/// A kernel density estimate of a PID variable jointly with track kinematics
/// (PIDGen's idea, binned as in PIDGen2): the data's weighted points are
/// linearly binned on a grid and smoothed by a product of Gaussians with one
/// bandwidth per dimension (separable convolution), with boundary correction;
/// sWeights (negative ones too) weight the points. Simulated tracks then get
/// a data-like PID value by sampling the conditional density at their
/// kinematics (`PIDResampling`) or by the quantile map between a data and a
/// simulation density.
///
/// Grid axes: the kinematic variables in the order given, then the PID
/// variable (after its `transform`). The systematic variants — bandwidths
/// × 0.5 and × 2 and Poisson(1) bootstrap replicas — are smoothed from the
/// same scan.
public struct PIDDensity: Sendable {
  public struct Request: Sendable {
    /// The PID expression (`K_kaonID`).
    public var pid: String
    /// Kinematic expressions (`K_p`, `K_cosTheta`).
    public var kinematics: [String]
    public var selection = ""
    public var weight: String?
    /// Cells per axis, the PID axis first (as `--grid`); nil: 200 for PID, 64 per kinematic axis.
    public var cells: [Int]?
    /// Per kinematic axis the box; nil: the selected rows' extent.
    public var ranges: [(Double, Double)?]?
    /// The PID box before the transform; nil: [0, 1] if the values lie there, else their extent.
    public var pidRange: (Double, Double)?
    /// Bandwidths per axis, the PID axis first, in the (transformed) variables' units; nil: Silverman's rule.
    public var bandwidths: [Double]?
    public var boundary: DensityGrid.Boundary = .reflection
    public var transform: PIDTransform = .none
    /// Bootstrap replicas (`_stat_0 …`).
    public var replicas = 0
    public var seed: UInt64 = 1
    /// Also the bandwidth variations × 0.5 and × 2.
    public var bandwidthVariations = false
    /// Sample-point adaptive bandwidths (Abramson, pilot: the fixed-bandwidth estimate).
    public var adaptive = false
    public var threads: Int?

    public init(pid: String, kinematics: [String]) {
      self.pid = pid
      self.kinematics = kinematics
    }
  }

  /// What was estimated, as written into the file (`settings`).
  public struct Settings: Sendable, Codable, Equatable {
    public var pid: String
    public var kinematics: [String]
    public var selection: String
    public var weight: String?
    public var transform: PIDTransform
    public var boundary: DensityGrid.Boundary
    /// Grid order: kinematics, then PID.
    public var axes: [DensityGrid.Axis]
    /// Grid order: kinematics, then PID.
    public var bandwidths: [Double]
    public var bandwidthRule: String
    /// Kernels adapted to the local density (the bandwidths are then the global ones).
    public var adaptive: Bool = false
    /// Rows inside the box (count, Σw, Kish's effective count) and outside it.
    public var entries: Int
    public var sumW: Double
    public var effectiveCount: Double
    public var outside: Int
    public var outsideW: Double
    public var replicas: Int
    public var seed: UInt64
    public var source: String = ""
    public var command: String = ""

    enum CodingKeys: String, CodingKey {
      case pid, kinematics, selection, weight, transform, boundary, axes, bandwidths, entries, outside, replicas, seed
      case source, command
      case adaptive
      case bandwidthRule = "bandwidth_rule", sumW = "sum_w", effectiveCount = "effective_count", outsideW = "outside_sum_w"
    }
  }

  public var settings: Settings
  /// The nominal density (unit integral over the box, transformed PID units).
  public var density: DensityGrid
  /// Named variants: `bw_down`, `bw_up`, `stat_0` …
  public var variants: [String: DensityGrid]
  /// Per kinematic node, the smoothed Σw summed along PID: the calibration
  /// weight near a track (`statistics`).
  public var nodeWeights: [Double]
  /// Per axis (grid order), the data's plain histogram on the grid's cells:
  /// Σw and Σw² (what `projection` is compared with).
  public var dataMarginals: [(sumW: [Double], sumW2: [Double])] = []

  /// Estimates the density of `request` from `source` (two scans when a
  /// box must be found, else one).
  /// - Throws: `PIDDensityError` for bad settings or no data; `QueryError` for bad expressions.
  public static func fit(
    _ request: Request, source: any ColumnSource, aliases: [String: String] = [:]
  ) throws -> PIDDensity {
    let p = try plan(try boxed(request, source: source, aliases: aliases), source: source, aliases: aliases)
    return try p.density(try p.query.run(p.aggregate, threads: request.threads))
  }

  /// `request` with every box it lacks (`ranges`, `pidRange`) found from
  /// the selected rows (one scan; none when all are given): the extent of
  /// each kinematic variable; for the PID [0, 1] if its values lie there,
  /// else their extent.
  /// - Throws: `PIDDensityError` (`.noSpread` for a single value, `.noData`), `QueryError`.
  public static func boxed(_ request: Request, source: any ColumnSource, aliases: [String: String] = [:]) throws -> Request {
    try check(request)
    var r = request
    var ranges = request.ranges ?? request.kinematics.map { _ in nil }
    guard ranges.contains(where: { $0 == nil }) || request.pidRange == nil else { return request }
    let query = try Query(cut: request.selection, weight: request.weight, aliases: aliases, source: source)
    let extent = try query.run(ValueRangeAggregate(request.kinematics + [request.pid]), threads: request.threads)
    if extent.allSatisfy({ $0 == nil }) { throw PIDDensityError.noData(outside: 0) }
    for j in ranges.indices where ranges[j] == nil {
      guard let e = extent[j], e.upper > e.lower else { throw PIDDensityError.noSpread(request.kinematics[j]) }
      ranges[j] = (e.lower, e.upper)
    }
    if r.pidRange == nil {
      guard let e = extent.last!, e.upper > e.lower else { throw PIDDensityError.noSpread(request.pid) }
      r.pidRange = e.lower >= 0 && e.upper <= 1 ? (0, 1) : (e.lower, e.upper)
    }
    r.ranges = ranges
    return r
  }

  /// A density ready to bin: the scan's query and aggregate (to run at
  /// once, or shard by shard: `Query.partial`; the bootstrap replicas
  /// depend on row numbers only), and how the binned grid becomes the density.
  public struct Plan: Sendable {
    public let query: Query
    public let aggregate: DensityGridAggregate
    let request: Request

    /// Smooths the binned grid into the density and its variants.
    /// - Throws: `PIDDensityError.noData` when no selected row with positive weight lies in the box.
    public func density(_ binned: DensityGridAggregate.Result) throws -> PIDDensity {
      let request = self.request
      let axes = aggregate.axes
      guard binned.inside > 0, binned.sumW > 0 else { throw PIDDensityError.noData(outside: binned.outside) }
      var bandwidths: [Double]
      let rule: String
      if let b = request.bandwidths {
        bandwidths = Array(b.dropFirst()) + [b[0]]
        rule = "given"
      } else {
        bandwidths = binned.grid.silvermanBandwidths(effectiveCount: binned.effectiveCount)
        rule = "silverman"
      }
      let fixed = binned.grid.smoothed(sigmas: bandwidths, boundary: request.boundary)
      let pilot = request.adaptive ? fixed.normalised() : nil
      let smooth = { (g: DensityGrid, scale: Double) -> DensityGrid in
        if let pilot {
          return g.adaptivelySmoothed(sigmas: bandwidths.map { $0 * scale }, boundary: request.boundary, pilot: pilot)
        }
        return g.smoothed(sigmas: bandwidths.map { $0 * scale }, boundary: request.boundary)
      }
      let nominalWeights = request.adaptive ? smooth(binned.grid, 1) : fixed
      guard let density = nominalWeights.normalised() else { throw PIDDensityError.noData(outside: binned.outside) }
      var variants: [String: DensityGrid] = [:]
      if request.bandwidthVariations {
        for (name, scale) in [("bw_down", 0.5), ("bw_up", 2.0)] {
          if let g = smooth(binned.grid, scale).normalised() { variants[name] = g }
        }
      }
      for (r, g) in binned.replicas.enumerated() {
        if let s = smooth(g, 1).normalised() { variants["stat_\(r)"] = s }
      }
      let n = axes.last!.cells
      var nodeWeights = [Double](repeating: 0, count: nominalWeights.count / n)
      for (k, v) in nominalWeights.values.enumerated() { nodeWeights[k / n] += v }
      let settings = Settings(
        pid: request.pid, kinematics: request.kinematics, selection: request.selection, weight: request.weight,
        transform: request.transform, boundary: request.boundary, axes: axes, bandwidths: bandwidths, bandwidthRule: rule,
        adaptive: request.adaptive, entries: binned.inside, sumW: binned.sumW, effectiveCount: binned.effectiveCount, outside: binned.outside,
        outsideW: binned.outsideW, replicas: request.replicas, seed: request.seed)
      return PIDDensity(
        settings: settings, density: density, variants: variants, nodeWeights: nodeWeights,
        dataMarginals: zip(binned.marginals, binned.marginals2).map { ($0, $1) })
    }
  }

  /// The plan of a request whose box is complete (every `ranges` entry and
  /// `pidRange` given, e.g. by `boxed`): the binning needs no other scan.
  /// - Throws: `PIDDensityError` (`.noBox` naming a variable without one), `QueryError`.
  public static func plan(_ request: Request, source: any ColumnSource, aliases: [String: String] = [:]) throws -> Plan {
    try check(request)
    let cellsPIDFirst = request.cells ?? ([200] + request.kinematics.map { _ in 64 })
    let ranges = request.ranges ?? request.kinematics.map { _ in nil }
    if let j = ranges.firstIndex(where: { $0 == nil }) { throw PIDDensityError.noBox(request.kinematics[j]) }
    guard let pidRange = request.pidRange else { throw PIDDensityError.noBox(request.pid) }
    let query = try Query(cut: request.selection, weight: request.weight, aliases: aliases, source: source)
    if request.transform == .logit, pidRange.0 < 0 || pidRange.1 > 1 {
      throw PIDDensityError.logitOutsideUnitInterval(request.pid)
    }
    let (plo, phi) = request.transform.range(pidRange.0, pidRange.1)
    var axes: [DensityGrid.Axis] = []
    for (j, r) in ranges.enumerated() {
      guard let r, r.0 < r.1, r.0.isFinite, r.1.isFinite else { throw PIDDensityError.badRange(request.kinematics[j]) }
      axes.append(.init(lower: r.0, upper: r.1, cells: cellsPIDFirst[j + 1]))
    }
    axes.append(.init(lower: plo, upper: phi, cells: cellsPIDFirst[0]))
    let expressions = request.kinematics + [request.transform.expression("(\(request.pid))")]
    return Plan(
      query: query, aggregate: DensityGridAggregate(expressions, axes: axes, replicas: request.replicas, seed: request.seed),
      request: request)
  }

  /// The settings' own checks (before any scan).
  static func check(_ request: Request) throws {
    let d = request.kinematics.count + 1
    guard !request.kinematics.isEmpty else { throw PIDDensityError.noKinematics }
    guard request.kinematics.count <= 8 else { throw PIDDensityError.tooManyAxes(d) }
    let cellsPIDFirst = request.cells ?? ([200] + request.kinematics.map { _ in 64 })
    guard cellsPIDFirst.count == d else { throw PIDDensityError.wrongCount(option: "grid", expected: d, got: cellsPIDFirst.count) }
    guard cellsPIDFirst.allSatisfy({ $0 >= 2 && $0 <= 100_000 }) else { throw PIDDensityError.badCells(cellsPIDFirst) }
    let total = cellsPIDFirst.reduce(1.0) { $0 * Double($1) }
    guard total <= 5e7 else { throw PIDDensityError.gridTooLarge(cells: total) }
    if let b = request.bandwidths {
      guard b.count == d else { throw PIDDensityError.wrongCount(option: "bandwidth", expected: d, got: b.count) }
      guard b.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw PIDDensityError.badBandwidth(b) }
    }
    if let r = request.ranges, r.count != request.kinematics.count {
      throw PIDDensityError.wrongCount(option: "range", expected: request.kinematics.count, got: r.count)
    }
  }

  // MARK: - Files

  /// Writes the density as HDF5: datasets `density` (N-D, grid order:
  /// kinematics then PID), `density_<variant>`, `node_weight`,
  /// `axis_<j>_centres`; root attributes `settings` (JSON), `format`.
  public func write(to path: String) throws {
    var file = ArrayFile()
    let shape = density.axes.map(\.cells)
    file.arrays["density"] = .init(shape: shape, values: density.values)
    for (name, g) in variants { file.arrays["density_" + name] = .init(shape: shape, values: g.values) }
    file.arrays["node_weight"] = .init(shape: Array(shape.dropLast()), values: nodeWeights)
    for (j, a) in density.axes.enumerated() {
      file.arrays["axis_\(j)_centres"] = .init(shape: [a.cells], values: (0..<a.cells).map(a.centre))
    }
    for (j, m) in dataMarginals.enumerated() {
      file.arrays["data_marginal_\(j)_sum_w"] = .init(shape: [m.sumW.count], values: m.sumW)
      file.arrays["data_marginal_\(j)_sum_w2"] = .init(shape: [m.sumW2.count], values: m.sumW2)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    file.attributes["settings"] = String(decoding: try encoder.encode(settings), as: UTF8.self)
    file.attributes["format"] = Self.format
    file.attributes["axes"] = (settings.kinematics + [settings.pid]).joined(separator: ",")
    try file.write(to: path)
  }

  public static let format = "syscorr-kde-1"

  /// Reads a density written by `write(to:)`.
  /// - Throws: `PIDDensityError.notADensity` for another kind of file.
  public static func read(_ path: String) throws -> PIDDensity {
    let file = try ArrayFile.read(path, attributes: ["settings", "format"])
    guard file.attributes["format"] == format, let text = file.attributes["settings"],
      let settings = try? JSONDecoder().decode(Settings.self, from: Data(text.utf8)),
      let d = file.arrays["density"], let w = file.arrays["node_weight"],
      d.shape == settings.axes.map(\.cells)
    else { throw PIDDensityError.notADensity(path) }
    var variants: [String: DensityGrid] = [:]
    for (name, a) in file.arrays where name.hasPrefix("density_") && a.shape == d.shape {
      variants[String(name.dropFirst("density_".count))] = DensityGrid(axes: settings.axes, values: a.values)
    }
    let marginals = settings.axes.indices.compactMap { j -> (sumW: [Double], sumW2: [Double])? in
      guard let a = file.arrays["data_marginal_\(j)_sum_w"], let b = file.arrays["data_marginal_\(j)_sum_w2"] else { return nil }
      return (a.values, b.values)
    }
    return PIDDensity(
      settings: settings, density: DensityGrid(axes: settings.axes, values: d.values), variants: variants, nodeWeights: w.values,
      dataMarginals: marginals)
  }

  /// The density of `variant` (nil: nominal).
  public func grid(_ variant: String?) throws -> DensityGrid {
    guard let variant else { return density }
    guard let g = variants[variant] else { throw PIDDensityError.unknownVariant(variant, known: variants.keys.sorted()) }
    return g
  }

  /// The 1-D projection on axis j of the density (grid order), per cell, integrating to 1.
  public func projection(_ j: Int) -> [Double] {
    let other = density.cellVolume / density.axes[j].width
    return density.marginal(j).map { $0 * other }
  }
}

/// What can be wrong with a density request or file (worded by Tools).
public enum PIDDensityError: Error, Sendable, Equatable {
  case noKinematics
  case tooManyAxes(Int)
  case wrongCount(option: String, expected: Int, got: Int)
  case badCells([Int])
  case gridTooLarge(cells: Double)
  case badBandwidth([Double])
  case badRange(String)
  /// The box of this variable is not given, and the plan cannot find it (a sharded density).
  case noBox(String)
  case noSpread(String)
  case logitOutsideUnitInterval(String)
  /// No selected row inside the box (or no positive weight).
  case noData(outside: Int)
  case notADensity(String)
  case unknownVariant(String, known: [String])
  /// The input lacks a variable the density was made of.
  case missingVariable(String, near: [String])
}
