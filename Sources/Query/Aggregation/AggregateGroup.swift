/// Several aggregates of one kind filled in one scan: the tables of several
/// particles of a sample, each from its own columns. Inputs and conditions
/// are the members' in order (the engine evaluates an expression that
/// several members share once); the partial is the members' partials.
public struct AggregateGroup<Member: Aggregate>: Aggregate {
  public let members: [Member]

  /// - Precondition: at least one member; all deliver inputs alike (`inputsAsFloat`).
  public init(_ members: [Member]) {
    precondition(!members.isEmpty && members.allSatisfy { $0.inputsAsFloat == members[0].inputsAsFloat })
    self.members = members
  }

  public var inputs: [String] { members.flatMap(\.inputs) }
  public var inputsAsFloat: Bool { members[0].inputsAsFloat }
  public var conditions: [String] { members.flatMap(\.conditions) }

  public var partialBytes: Int {
    members.reduce(0) { s, m in
      let (n, overflow) = s.addingReportingOverflow(m.partialBytes)
      return overflow ? Int.max : n
    }
  }

  public func makePartial() -> [Member.Partial] { members.map { $0.makePartial() } }

  public func consume(_ batch: AggregateBatch, into p: inout [Member.Partial]) throws {
    var input = 0
    var condition = 0
    for (k, member) in members.enumerated() {
      let i = member.inputs.count
      let c = member.conditions.count
      let part = AggregateBatch(
        rows: batch.rows, weights: batch.weights, values: Array(batch.values[input..<(input + i)]),
        conditions: Array(batch.conditions[condition..<(condition + c)]), firstRow: batch.firstRow, dense: batch.dense)
      try member.consume(part, into: &p[k])
      input += i
      condition += c
    }
  }

  public func merge(_ other: [Member.Partial], into p: inout [Member.Partial]) throws {
    for (k, member) in members.enumerated() { try member.merge(other[k], into: &p[k]) }
  }

  public func finish(_ p: [Member.Partial]) throws -> [Member.Result] {
    try zip(members, p).map { try $0.finish($1) }
  }
}
