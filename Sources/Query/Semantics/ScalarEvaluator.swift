import Foundation

/// Evaluates a bound expression on one row of scalars. Used to fold
/// constants; the engine uses vectorized kernels with the same semantics.
enum ScalarEvaluator {
  static func evaluate(_ e: BoundExpr, equality: FloatEquality, column: (Int) -> Scalar) -> Scalar {
    func ev(_ e: BoundExpr) -> Scalar { evaluate(e, equality: equality, column: column) }
    switch e {
    case .column(let slot, _, _): return column(slot)
    case .constant(let s): return s
    case .cast(let x, let t):
      let v = ev(x)
      switch t {
      case .float64: return .float64(v.double)
      case .int64: return .int64(v.int)
      case .bool: return .bool(v.truth)
      }
    case .negate(let x):
      let v = ev(x)
      if case .int64(let i) = v { return .int64(0 &- i) }
      return .float64(-v.double)
    case .arithmetic(let op, let a, let b):
      let x = ev(a)
      let y = ev(b)
      if case .int64(let i) = x, case .int64(let j) = y {
        switch op {
        case .add: return .int64(i &+ j)
        case .subtract: return .int64(i &- j)
        case .multiply: return .int64(i &* j)
        case .remainder: return .int64(ScalarMath.remainder(i, j))
        case .divide: return .float64(Double(i) / Double(j))
        case .power: return .float64(Foundation.pow(Double(i), Double(j)))
        }
      }
      let p = x.double
      let q = y.double
      switch op {
      case .add: return .float64(p + q)
      case .subtract: return .float64(p - q)
      case .multiply: return .float64(p * q)
      case .divide: return .float64(p / q)
      case .remainder: return .float64(ScalarMath.remainder(p, q))
      case .power: return .float64(Foundation.pow(p, q))
      }
    case .comparison(let xs, let ops):
      var lhs = ev(xs[0])
      for (k, op) in ops.enumerated() {
        let rhs = ev(xs[k + 1])
        if !compare(lhs, op, rhs, equality) { return .bool(false) }
        lhs = rhs
      }
      return .bool(true)
    case .and(let xs):
      for x in xs where !ev(x).truth { return .bool(false) }
      return .bool(true)
    case .or(let xs):
      for x in xs where ev(x).truth { return .bool(true) }
      return .bool(false)
    case .not(let x): return .bool(!ev(x).truth)
    case .truth(let x): return .bool(ev(x).truth)
    case .select(let c, let a, let b): return ev(c).truth ? ev(a) : ev(b)
    case .function(let f, let args, let t):
      let v = args.map(ev)
      switch f {
      case .abs:
        if case .int64(let i) = v[0] { return .int64(ScalarMath.abs(i)) }
        return .float64(Swift.abs(v[0].double))
      case .min, .max:
        if t == .int64 {
          return .int64(f == .min ? Swift.min(v[0].int, v[1].int) : Swift.max(v[0].int, v[1].int))
        }
        return .float64(f == .min ? ScalarMath.minimum(v[0].double, v[1].double) : ScalarMath.maximum(v[0].double, v[1].double))
      case .clip:
        if t == .int64 { return .int64(Swift.min(Swift.max(v[0].int, v[1].int), v[2].int)) }
        return .float64(ScalarMath.minimum(ScalarMath.maximum(v[0].double, v[1].double), v[2].double))
      case .atan2: return .float64(Foundation.atan2(v[0].double, v[1].double))
      case .pow: return .float64(Foundation.pow(v[0].double, v[1].double))
      case .isnan: return .bool(v[0].double.isNaN)
      case .isinf: return .bool(v[0].double.isInfinite)
      case .where: return v[0].truth ? v[1] : v[2]
      default: return .float64(f.unaryFloat!(v[0].double))
      }
    }
  }

  static func compare(_ a: Scalar, _ op: ComparisonOperator, _ b: Scalar, _ eq: FloatEquality) -> Bool {
    if case .int64(let i) = a, case .int64(let j) = b {
      switch op {
      case .less: return i < j
      case .lessEqual: return i <= j
      case .greater: return i > j
      case .greaterEqual: return i >= j
      case .equal: return i == j
      case .notEqual: return i != j
      }
    }
    let x = a.double
    let y = b.double
    switch op {
    case .less: return x < y
    case .lessEqual: return x <= y
    case .greater: return x > y
    case .greaterEqual: return x >= y
    case .equal: return eq == .exact ? x == y : ScalarMath.almostEqual(x, y)
    case .notEqual: return eq == .exact ? x != y : !ScalarMath.almostEqual(x, y)
    }
  }
}
