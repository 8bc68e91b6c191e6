import ColumnStore
import Foundation
import Numerics
import Query

/// Data-like PID values for simulated tracks from a `PIDDensity` of the
/// data, as derived columns of every row of the simulated sample:
///
/// - resampling: a draw from the data's conditional PID density at the
///   track's kinematics (inverse CDF), seeded per row (`seed`, row number):
///   the same values for any thread count or chunking;
/// - transformation: x' = F_data⁻¹(F_sim(x | kin) | kin), the quantile map
///   from a density of the simulation to the data's (keeps the rank of x,
///   hence its correlations with other variables).
///
/// Columns: `<column>`, one per requested variant (`<column>_syst_bw_down`,
/// `_syst_bw_up`, `_stat_<i>`), `<column>_pidstat` (the calibration weight
/// near the track) and `<column>_valid`. A track outside the density's
/// kinematic box (or with NaN kinematics, or an empty slice) gets NaN and
/// `_valid` false and is counted — never a silent uniform value.
public struct PIDResampling: Sendable {
  public enum Method: Sendable {
    case resample(seed: UInt64)
    /// `simulation`: the density of simulated calibration tracks; `pid`:
    /// the PID expression of the tracks being transformed.
    case transform(simulation: PIDDensity, pid: String)
  }

  public var data: PIDDensity
  public var method: Method
  /// The tracks' kinematic expressions, in the density's order.
  public var kinematics: [String]
  public var column: String
  /// Variants of the density to add as columns (`bw_down`, `bw_up`, `stat_0`, …).
  public var variants: [String]
  /// The row number of the source's first row, which seeds are keyed by: a
  /// shard's rows (`ChunkSubset.firstRow`) get the values of a whole run.
  public var firstRow = 0

  public init(data: PIDDensity, method: Method, kinematics: [String]? = nil, column: String, variants: [String] = []) {
    self.data = data
    self.method = method
    self.kinematics = kinematics ?? data.settings.kinematics
    self.column = column
    self.variants = variants
  }

  public struct Summary: Sendable, Codable, Equatable {
    public var rows: Int
    public var valid: Int
    /// Rows whose kinematics lie outside the density's box (NaN included) or on an empty slice.
    public var outside: Int
    /// Rows whose PID value (transformation) is NaN.
    public var missingPID: Int
    public var columns: [String]

    enum CodingKeys: String, CodingKey { case rows, valid, outside, columns, missingPID = "missing_pid" }
  }

  /// The column name of a variant (`bw_down` → `<column>_syst_bw_down`, `stat_3` → `<column>_stat_3`).
  public func columnName(_ variant: String) -> String {
    column + (variant.hasPrefix("stat_") ? "_" : "_syst_") + variant
  }

  public var columnNames: [String] { [column] + variants.map(columnName) + [column + "_pidstat", column + "_valid"] }

  /// Every row of `source`, in order, handed to `sink` in chunks of the derived columns.
  /// - Throws: `PIDDensityError` for unknown variants, a kinematic axis
  ///   count that differs from the density's, a simulation density on other axes.
  public func run(
    source: any ColumnSource, aliases: [String: String] = [:], threads: Int? = nil,
    sink: @escaping ([String: ColumnBuffer]) throws -> Void
  ) throws -> Summary {
    guard kinematics.count == data.settings.kinematics.count else {
      throw PIDDensityError.wrongCount(option: "vars", expected: data.settings.kinematics.count, got: kinematics.count)
    }
    let grids = try [data.density] + variants.map { try data.grid($0) }
    let samplers = grids.map { ConditionalSampler($0, nodeWeights: data.nodeWeights) }
    var inputs = kinematics
    var simulation: ConditionalSampler?
    if case .transform(let sim, let pid) = method {
      guard sim.settings.axes.count == data.settings.axes.count, sim.settings.transform == data.settings.transform else {
        throw PIDDensityError.wrongCount(option: "simulation density axes", expected: data.settings.axes.count, got: sim.settings.axes.count)
      }
      simulation = ConditionalSampler(sim.density)
      inputs.append(pid)
    }
    let names = Set(source.columns.map(\.name))
    for e in inputs where !names.contains(e) && aliases[e] == nil && !e.contains(where: { "()+-*/<>=!&| ".contains($0) }) {
      throw PIDDensityError.missingVariable(e, near: NameSuggestions.suggestions(for: e, in: Array(names)))
    }
    let state = ResamplingSink(
      resampling: self, samplers: samplers, simulation: simulation, transform: data.settings.transform, threads: threads,
      sink: sink)
    _ = try Query(aliases: aliases, source: source).run(RowStream(inputs, sink: state), threads: threads)
    var s = state.summary
    s.columns = columnNames
    return s
  }
}

/// Computes the derived columns of each chunk of rows (calls arrive in row order).
final class ResamplingSink: RowSink, @unchecked Sendable {
  let resampling: PIDResampling
  let samplers: [ConditionalSampler]
  let simulation: ConditionalSampler?
  let transform: PIDTransform
  let threads: Int?
  let sink: ([String: ColumnBuffer]) throws -> Void
  var summary = PIDResampling.Summary(rows: 0, valid: 0, outside: 0, missingPID: 0, columns: [])

  init(
    resampling: PIDResampling, samplers: [ConditionalSampler], simulation: ConditionalSampler?, transform: PIDTransform,
    threads: Int?, sink: @escaping ([String: ColumnBuffer]) throws -> Void
  ) {
    self.threads = threads
    self.resampling = resampling
    self.samplers = samplers
    self.simulation = simulation
    self.transform = transform
    self.sink = sink
  }

  /// Two uniforms in [0, 1) for (seed, variant, row): counter-based, so a
  /// row's values do not depend on how rows are split.
  @inline(__always) static func uniforms(seed: UInt64, variant: Int, row: Int) -> (Double, Double) {
    let a = SplitMix64.mix(seed ^ SplitMix64.mix(UInt64(row) &* 2 &+ UInt64(variant) &* 0x5851_F42D_4C95_7F2D))
    let b = SplitMix64.mix(a ^ 0xD1B5_4A32_D192_ED03)
    return (Double(a >> 11) * 0x1.0p-53, Double(b >> 11) * 0x1.0p-53)
  }

  /// One block of rows: `count` rows from row `rows` of the chunk (its
  /// pointers are already offset; `out` is the whole variant-major buffer).
  func process(
    rows lo: Int, count: Int, first: Int, n: Int, kinematics kin: [UnsafePointer<Double>], pid: UnsafePointer<Double>?,
    out: UnsafeMutablePointer<Double>, statistics stat: UnsafeMutablePointer<Double>, valid: UnsafeMutablePointer<Bool>,
    missing: UnsafeMutablePointer<Int>
  ) {
    let d = kin.count
    switch resampling.method {
    case .resample(let seed):
      for (s, sampler) in samplers.enumerated() {
        let o = out + s * n + lo
        _ = sampler.sample(
          kinematics: kin, count: count, uniforms: { Self.uniforms(seed: seed, variant: s, row: first + lo + $0) },
          into: o, statistics: s == 0 ? stat : nil)
        for e in 0..<count {
          if o[e].isNaN { valid[e] = false } else { o[e] = transform.backward(o[e]) }
        }
      }
    case .transform:
      withUnsafeTemporaryAllocation(of: Double.self, capacity: max(d, 1)) { k in
        for e in 0..<count {
          for j in 0..<d { k[j] = kin[j][e] }
          let x = pid![e]
          guard !x.isNaN else {
            valid[e] = false
            missing.pointee += 1
            continue
          }
          guard let u = simulation!.cdf(kinematics: k.baseAddress!, transform.forward(x)) else {
            valid[e] = false
            continue
          }
          for (s, sampler) in samplers.enumerated() {
            if s == 0 { stat[e] = sampler.statistics(kinematics: k.baseAddress!) ?? 0 }
            guard let y = sampler.quantile(kinematics: k.baseAddress!, u) else {
              valid[e] = false
              break
            }
            out[s * n + lo + e] = transform.backward(y)
          }
        }
      }
    }
  }

  /// Rows per parallel block of `receive`.
  static let block = 16_384

  func receive(_ columns: [ColumnBuffer]) throws {
    let n = columns.first?.count ?? 0
    let d = resampling.kinematics.count
    let values = columns.map(\.doubles)
    let variants = samplers.count
    var outFlat = [Double](repeating: .nan, count: variants * n)  // variant-major
    var stat = [Double](repeating: 0, count: n)
    var valid = [Bool](repeating: true, count: n)
    let first = resampling.firstRow + summary.rows
    let blocks = (n + Self.block - 1) / Self.block
    var missingPerBlock = [Int](repeating: 0, count: blocks)
    // the kinematics (axis-major), then the PID of a transformation
    let flat = values.prefix(d).flatMap { $0 } + (values.count > d ? values[d] : [])
    flat.withUnsafeBufferPointer { f in
      outFlat.withUnsafeMutableBufferPointer { o in
        stat.withUnsafeMutableBufferPointer { st in
          valid.withUnsafeMutableBufferPointer { v in
            missingPerBlock.withUnsafeMutableBufferPointer { mb in
              let work = { (b: Int) in
                let lo = b * Self.block, count = Swift.min(n, lo + Self.block) - lo
                let kin: [UnsafePointer<Double>] = (0..<d).map { f.baseAddress! + $0 * n + lo }
                self.process(
                  rows: lo, count: count, first: first, n: n, kinematics: kin,
                  pid: values.count > d ? f.baseAddress! + d * n + lo : nil, out: o.baseAddress!,
                  statistics: st.baseAddress! + lo, valid: v.baseAddress! + lo, missing: mb.baseAddress! + b)
              }
              _ = try? parallelMap(blocks, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, work)
            }
          }
        }
      }
    }
    let missing = missingPerBlock.reduce(0, +)
    var out = (0..<variants).map { Array(outFlat[($0 * n)..<(($0 + 1) * n)]) }
    for e in 0..<n where !valid[e] {
      for s in out.indices { out[s][e] = .nan }
      stat[e] = 0
    }
    let ok = valid.reduce(0) { $0 + ($1 ? 1 : 0) }
    summary.valid += ok
    summary.missingPID += missing
    summary.outside += n - ok - missing
    summary.rows += n
    var chunk: [String: ColumnBuffer] = [:]
    let names = resampling.columnNames
    for (s, o) in out.enumerated() { chunk[names[s]] = .float64(o) }
    chunk[names[names.count - 2]] = .float64(stat)
    chunk[names[names.count - 1]] = .bool(valid)
    try sink(chunk)
  }
}
