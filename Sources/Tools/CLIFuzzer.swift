import ArgumentParser
import ColumnStore
import Foundation
import Numerics

#if canImport(Glibc)
  import Glibc
#endif

/// Random argument vectors through the whole `syscorr` command tree, run in
/// this process against a small store of its own: a crash, a signal or a
/// hang is a bug, and every failure must be worded `error: …` with a
/// non-zero exit code, as `Main` would print it. (`syscorr fuzz --target cli`;
/// `make test` runs 10,000 cases.)
///
/// Values come from per-option pools mixing good values (the store's modes,
/// columns, files) with bad ones (unknown names, broken expressions,
/// negative and huge numbers, directories, files of the wrong kind, paths
/// inside the store, values starting with `-`), so most cases get past the
/// parser into the commands. Sizes stay small (events, bins) so a case that
/// succeeds is quick; limits on large ones are tested elsewhere.
struct CLIFuzzer {
  struct Report: CustomStringConvertible {
    var cases = 0
    var succeeded = 0
    var failed = 0
    /// Failures not worded `error: …`, or with exit code 0: each a bug.
    var badFailures: [String] = []
    var slowest: (seconds: Double, arguments: [String]) = (0, [])
    /// How often each failure message occurred (its first words), to see what the cases exercise.
    var messages: [String: Int] = [:]

    var description: String {
      "\(cases) cases: \(succeeded) succeeded, \(failed) failed with `error: …`, \(badFailures.count) badly worded; "
        + String(format: "slowest %.2f s: ", slowest.seconds) + slowest.arguments.joined(separator: " ")
    }
  }

  let directory: String
  var random: SplitMix64
  var serial = 0
  /// Per command, its long options (from the parser's own description).
  var optionsOf: [String: [String: RepeatedOptionCheck.Kind]] = [:]

  init(directory: String, seed: UInt64) {
    self.directory = directory
    self.random = SplitMix64(seed: seed)
  }

  var store: String { directory + "/store" }

  /// Builds the store and the files the pools name.
  func prepare() throws {
    try FileManager.default.createDirectory(atPath: directory + "/dir", withIntermediateDirectories: true)
    for (mode, sample, proc) in [("Dst", "data", "p1"), ("Dst", "mc", "m1"), ("KS", "data", "p1")] {
      _ = try Self.execute([
        "generate", "--store", store, "--mode", mode, "--sample", sample, "--proc", proc, "--events", "3000", "--seed", "5",
      ])
    }
    _ = try Self.execute([
      "query", "--store", store, "--mode", "Dst", "--sample", "data", "--columns", "D0_M,D0_K_p,D0_K_kaonID", "--out",
      directory + "/rows.h5",
    ])
    _ = try Self.execute([
      "query", "--store", store, "--mode", "Dst", "--sample", "data", "--hist", "D0_M", "--bins", "4", "--range", "1.8,1.9",
      "--out", directory + "/hist.h5",
    ])
    try "D0_M,D0_K_p\n1.86,0.5\n1.87,nan\n".write(toFile: directory + "/rows.csv", atomically: true, encoding: .utf8)
    try "k=D0_K_kaonID\n# comment\nbad line\n".write(toFile: directory + "/aliases.txt", atomically: true, encoding: .utf8)
    try "fit: {signal: 3}\n".write(toFile: directory + "/model.yaml", atomically: true, encoding: .utf8)
    try "tasks: [{path: x.list}]\n".write(toFile: directory + "/workflow.yaml", atomically: true, encoding: .utf8)
    try Data([0x72, 0x6f, 0x6f, 0x74, 0, 1, 2]).write(to: URL(fileURLWithPath: directory + "/broken.root"))
  }

  /// Runs `cases` random vectors; stdout is discarded meanwhile (results are not checked, only failures).
  mutating func run(cases: Int, log: String?) throws -> Report {
    var report = Report()
    let logHandle = log.flatMap { path -> FileHandle? in
      _ = FileManager.default.createFile(atPath: path, contents: nil)
      return FileHandle(forWritingAtPath: path)
    }
    let savedStdout = dup(1)
    let null = open("/dev/null", O_WRONLY)
    fflush(nil)
    dup2(null, 1)
    defer {
      fflush(nil)
      dup2(savedStdout, 1)
      close(null)
      close(savedStdout)
    }
    // every write lands in the fuzzer's directory: relative paths and the default store included
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    setenv("SYSCORR_STORE", directory + "/default-store", 1)
    guard FileManager.default.changeCurrentDirectoryPath(directory) else {
      throw CommandError("cannot enter the fuzzer's directory \(directory)")
    }
    try prepare()
    optionsOf = Dictionary(uniqueKeysWithValues: try Self.commands.map { ($0, try RepeatedOptionCheck.singleValueOptions(of: Self.type(of: $0))) })
    for _ in 0..<cases {
      let arguments = nextArguments()
      // shell-quoted, one vector per line (`shlex.split` reads it back)
      logHandle?.write(Data((arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ") + "\n").utf8))
      let start = Date()
      do {
        _ = try Self.execute(arguments)
        report.succeeded += 1
      } catch {
        let code = SysCorr.exitCode(for: error)
        if code == .success {
          report.succeeded += 1  // --help, --version
        } else {
          report.failed += 1
          let message = ErrorWording.message(for: error)
          report.messages[String(message.prefix(48)), default: 0] += 1
          if !message.hasPrefix("error: ") || message.hasPrefix("error: error") {
            report.badFailures.append(arguments.joined(separator: " ") + " → " + message)
          }
        }
      }
      let seconds = Date().timeIntervalSince(start)
      if seconds > report.slowest.seconds { report.slowest = (seconds, arguments) }
      report.cases += 1
    }
    return report
  }

  /// Parses and runs one vector as `Main` does (the same checks, the same command tree).
  static func execute(_ arguments: [String]) throws {
    try RepeatedOptionCheck.check(arguments, root: SysCorr.self)
    var command = try SysCorr.parseAsRoot(arguments)
    try command.run()
  }

  // MARK: - Generation

  static let commands = [
    "show-db", "show-variables", "query", "ingest", "fit", "fw", "generate", "export", "add-columns", "ls", "aliases", "truth", "plot",
    "efficiency", "weights", "roc", "multitrack", "combine", "kde fit", "kde resample", "kde transform", "merge",
  ]

  mutating func nextArguments() -> [String] {
    let command = pick(Self.commands)
    var arguments = command.split(separator: " ").map(String.init)  // `kde fit`: a command and its subcommand
    let words = arguments.count
    if random.below(50) == 0 { return arguments + (0..<random.below(4)).map { _ in anyValue() } }
    let options = optionsOf[command] ?? [:]
    let names = options.keys.sorted().filter { $0 != "help" && $0 != "version" }
    // the store is named most of the time, so most cases reach the data
    if names.contains("store"), random.below(10) > 0 { arguments += ["--store", store] }
    // what a command needs, most of the time, so cases get past "missing argument"
    for name in Self.usual[command] ?? [] where random.below(5) > 0 {
      // `fw -w` has only a short name
      arguments += [(name.count == 1 ? "-" : "--") + name, value(for: name, command: command, good: random.below(6) > 0)]
    }
    for _ in 0..<random.below(6) {
      if random.below(30) == 0 {
        arguments.append(positional(for: command))
        continue
      }
      guard let name = names.isEmpty ? nil : pick(names) else { continue }
      // an option given twice is a case of its own, not a frequent one
      if arguments.contains("--" + name), random.below(10) > 0 { continue }
      if random.below(40) == 0 {
        arguments.append("--" + name + "x")  // an unknown option
      } else if options[name]!.takesValue {
        let v = value(for: name, command: command)
        arguments += random.below(6) == 0 ? ["--\(name)=\(v)"] : ["--" + name, v]
      } else {
        arguments.append("--" + name)
      }
    }
    let takesPositional = ["show-variables", "truth", "ingest", "ls", "add-columns", "fw", "aliases", "merge"].contains(command)
    if takesPositional ? random.below(4) > 0 : random.below(20) == 0 { arguments.insert(positional(for: command), at: words) }
    return arguments
  }

  /// Options each command usually gets (required ones, and the set selection).
  static let usual: [String: [String]] = [
    "show-variables": ["sample"], "query": ["mode", "sample"], "ingest": ["mode", "proc", "sample"],
    "fit": ["mode", "sample"], "fw": ["w"], "generate": ["mode", "proc", "sample", "events"],
    "export": ["mode", "sample", "out"], "add-columns": ["name", "mode", "sample", "proc"], "aliases": ["vars"],
    "truth": ["sample"], "plot": ["mode", "sample", "expr", "bins", "range"],
    "efficiency": ["mode", "sample", "particle", "cut"], "weights": ["mode", "proc", "mc-proc", "particle", "cut"],
    "roc": ["mode", "sample", "particle", "misid-particle", "var"], "multitrack": ["mode", "sample", "table", "track"],
    "kde fit": ["mode", "sample", "pid", "vars", "out"], "kde resample": ["mode", "sample", "kde", "column"],
    "kde transform": ["mode", "sample", "kde", "kde-mc", "column"],
  ]

  static func type(of name: String) -> any ParsableCommand.Type {
    var type: any ParsableCommand.Type = SysCorr.self
    for word in name.split(separator: " ") {
      type = type.configuration.subcommands.first { $0._commandName == word }!
    }
    return type
  }

  mutating func positional(for command: String) -> String {
    switch command {
    case "show-variables", "truth": pick(["Dst", "dst", "KS", "Lambda0", "tau3x1", "Nope", ""])
    case "ingest", "ls", "add-columns": pick(files())
    // the partials the shards of this run wrote (--partial), of any command
    case "merge": pick(files() + (0..<3).map { directory + "/part\($0).json" })
    case "fw": pick([directory + "/workflow.yaml", directory + "/model.yaml", directory + "/missing.yaml", directory])
    case "aliases": pick(["D*+ -> [D0 -> K- pi+] pi+", "^D0 -> ^K- ^pi+", "D0 ->", "", "K_S0 -> pi+ pi-", "(("])
    default: anyValue()
    }
  }

  mutating func files() -> [String] {
    serial += 1
    return [
      directory + "/rows.h5", directory + "/rows.h5:ntuple", directory + "/rows.h5:nope", directory + "/hist.h5",
      directory + "/rows.csv", directory + "/broken.root", directory + "/missing.root", directory + "/dir",
      directory + "/aliases.txt", store, "",
    ]
  }

  /// A value for `option`: with `good`, one the command should accept.
  mutating func value(for option: String, command: String, good: Bool = false) -> String {
    serial += 1
    if good {
      switch option {
      case "mode": return pick(["Dst", "KS"])
      case "sample": return pick(["data", "mc"])
      case "proc": return pick(["p1", "m1"])
      case "events": return pick(["100", "2000"])
      case "out": return directory + "/out\(serial)." + pick(["h5", "csv"])
      case "w": return pick(["ntuples", "refit"])
      case "vars": return pick(["p,kaonID", "M"])
      case "name": return "friend\(serial % 3)"
      case "expr": return pick(["D0_M", "D0_K_p", "kaonID", "p"])
      case "bins": return pick(["4", "20"])
      case "range": return pick(["1.8,1.9", "0,1", "0,5"])
      case "particle", "misid-particle", "track": return pick(["K", "pi"])
      case "cut": return pick(["kaonID > 0.2", "D0_M > 1.85"])
      case "pid", "var": return pick(["kaonID", "pionID"])
      case "kde", "kde-mc": return directory + "/kde\(serial % 2).h5"
      case "column": return "c\(serial % 3)"
      case "table": return directory + "/out\(serial % 4).json"
      default: break
      }
    }
    let expressions = [
      "D0_M > 1.85", "selection", "D0_K_kaonID > 0.2 && abs(D0_K_dz) < 2", "-1 < D0_K_cosTheta < 0.9", "((", "D0_M >",
      "D0_K_kaonid > 0", "nan", "1", "sqrt(-1)", "D0_M => 1", "k > 0.5", "K_binaryPID(321, 211) > 0.5", "pi_kaonID",
      "__event__ % 2 == 0", "D0_M/0", "where(D0_M > 1.86, 1, 0)", "\u{0}", "x" + String(repeating: "(", count: 300),
    ]
    switch option {
    case "store": return pick([store, directory + "/missing", directory + "/rows.csv", directory + "/dir"])
    case "mode": return pick(["Dst", "dst", "KS", "Lambda0", "tau3x1", "Xyz", ""])
    case "proc": return pick(["p1", "m1", "proc12", "new\(serial % 5)", "a/b", ""])
    case "sample": return pick(["data", "mc", "MC", "x", ""])
    case "input": return pick(files())
    case "cut", "pass", "weight", "variable", "expr", "select", "overlay", "mc-weight": return pick(expressions)
    case "particle", "misid-particle", "track": return pick(["K", "pi", "pi_slow", "D0_K", "Kaon", "", "-1"])
    case "pid", "var": return pick(["kaonID", "D0_K_kaonID", "binaryPID(321, 211)", "x", "", "(("])
    case "kde", "kde-mc", "table": return pick([directory + "/kde0.h5", directory + "/kde1.h5", directory + "/out1.json"] + files())
    case "grid": return pick(["20,8", "20,8,8", "1,1", "x", "100000,100000,100000", ""])
    case "bandwidth": return pick(["auto", "0.1,0.2", "0.1,-1", "x", ""])
    case "boundary": return pick(["reflection", "relative", "none", "mirror"])
    case "pid-transform": return pick(["logit", "none", "log"])
    case "replicas": return pick(["0", "2", "-1", "5000"])
    case "bin": return pick(["p=0.5,1,2", "cosTheta=-1,0,1", "p=2,1", "x=0,1", "p", "=1,2"])
    case "luminosity": return pick(["1,2", "0", "-1", "x"])
    case "shard": return pick(["1/2", "2/2", "3/2", "0/1", "1/0", "x", "1/1000001"])
    case "partial": return pick([directory + "/part\(serial % 3).json", directory + "/dir", ""])
    case "expect-shards": return pick(["1", "2", "0", "-1"])
    case "emit": return pick(["slurm", "snakemake", "b2luigi", "condor", ""])
    case "shards": return pick(["1", "3", "0", "-2", "x"])
    case "dir": return pick([directory + "/plan\(serial % 3)", directory + "/rows.h5", ""])
    case "executable": return pick(["/bin/true", "syscorr", ""])
    case "files-from": return pick([directory + "/aliases.txt", directory + "/missing.list", directory + "/rows.h5"])
    case "mc-proc": return pick(["m1", "p1", "nope", ""])
    case "mc-input": return pick(files())
    case "alias": return pick(["k=D0_K_kaonID", "selection=D0_M>0", "=x", "k=", "a=b", "b=a", "k=((", "1x=2"])
    case "alias-file", "mode-file", "model": return pick([directory + "/aliases.txt", directory + "/model.yaml"] + files())
    case "hist", "mass": return pick(["D0_M", "D0_K_p", "D0_K_cosTheta", "M", "min(D0_K_p, 2)", "x", "", "D0_K_charge"])
    case "columns", "vars": return pick(["D0_M", "D0_M,D0_K_p", "min(D0_K_p, 2)", "a=D0_M*2,b=D0_K_p", "x", "", "a=1,a=2", "p,charge"])
    case "bins", "binned": return pick(["1", "4", "0", "-3", "100", "99999999999999", "x", "2.5"])
    case "range" where command == "kde fit":
      // VAR=lo,hi; a shard needs one for every axis
      return pick(["p=0,5", "cosTheta=-1,1", "kaonID=0,1", "pionID=0,1", "M=1.8,1.9", "p=1,0", "x=0,1", "p", "=0,1", "p=0,inf"])
    case "range": return pick(["1.8,1.9", "0,1", "1,0", "nan,1", "-1,1", "a,b", "1", "1.85,1.88", ""])
    case "edges": return pick(["0,1,2", "2,1", "0", "0,nan", "0,0.5,1e308", "-1,0,1", ""])
    case "out", "plot":
      if command == "plot", random.below(2) == 0 { return directory + "/plot\(serial)." + pick(["svg", "SVG", "png"]) }
      return pick([
        directory + "/out\(serial).h5", directory + "/rows.h5", store + "/production/p1/Dst/data/x.h5", "/proc/x.h5",
        directory + "/dir", directory + "/out\(serial).csv", directory + "/missing/x.h5", "",
      ])
    case "codec": return pick(["none", "lz4", "zstd:3", "zstd:99", "deflate", "deflate:0", "x", ""])
    case "threads": return pick(["1", "2", "0", "-1", "1000", "x"])
    case "events": return pick(["0", "1", "100", "2000", "-5", "x"])
    case "files": return pick(["1", "2", "3", "0", "99", "-1"])
    case "seed": return pick(["1", "0", "-1", "x", "18446744073709551615"])
    case "limit": return pick(["0", "1", "5", "-1", "1000000000"])
    case "species", "threshold", "name", "group", "tree", "w", "prefixes":
      return pick(["K", "pi", "0.5", "0.55", "ntuple", "variables", "sweights", "ntuples", "refit", "x", "", "-1"])
    default: return anyValue()
    }
  }

  mutating func anyValue() -> String {
    pick(["", "-", "--", "-1", "1e309", "nan", "Dst", "data", directory + "/rows.h5", "a b", "é", "\u{7}", "--json", "-h"])
  }

  mutating func pick<T>(_ xs: [T]) -> T { xs[random.below(xs.count)] }
}

extension SplitMix64 {
  /// A uniform integer in 0..<n (modulo bias is irrelevant for choosing test values).
  mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
}
