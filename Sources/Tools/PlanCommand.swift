import ArgumentParser
import ColumnStore
import Foundation

/// `syscorr plan`: batch-system recipes for a sharded command (map over
/// shards, then a merge), written for the user's cluster.
struct PlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Write a Slurm, snakemake or b2luigi recipe that runs a command in shards and merges them.",
    discussion: """
      The command after `--` (a `query`, `efficiency`, `weights`, `fit`, `roc`
      or `plot` of a store set or file, as you would run it) becomes N shard
      jobs, each writing DIR/parts/part-K.json, and a merge job writing
      DIR/result.json (what the command prints with --json). SysCorr has no
      scheduler of its own: the recipe is for the batch system you already
      use. (`kde fit` shards too, but its result is a density file: run its
      shards and `syscorr merge … --out FILE.h5` yourself.)

        slurm      DIR/submit.sh: an sbatch job array and a merge job that
                   depends on it (afterok); `bash DIR/submit.sh` submits both
        snakemake  DIR/Snakefile: `snakemake -s DIR/Snakefile --cores 2`, or
                   `--executor slurm` (snakemake-executor-plugin-slurm)
        b2luigi    DIR/syscorr_tasks.py: `python DIR/syscorr_tasks.py`
                   (B2_BATCH=slurm, htcondor, lsf or local); the result
                   is DIR/results/result.json

      Example:
        syscorr plan --emit slurm --shards 64 --dir kaon-eff -- \\
          efficiency --mode Dst --proc proc12 --sample data --particle K \\
          --weight sweight --select in_fit --cut 'kaonID > 0.6'
        bash kaon-eff/submit.sh
      """)

  @Option(help: "slurm, snakemake or b2luigi.")
  var emit: String

  @Option(help: "Number of shards (jobs of the map step).")
  var shards: Int = 8

  @Option(help: "Directory for the recipe, the partials and the result.")
  var dir: String

  @Option(help: "The syscorr executable the jobs run (default: this one).")
  var executable: String?

  @Flag(help: "Replace a recipe that exists.")
  var force = false

  @Argument(parsing: .captureForPassthrough, help: "The command to shard, after `--`.")
  var command: [String] = []

  static let kinds = ["slurm", "snakemake", "b2luigi"]
  /// The commands whose merge prints the result (`--json`: DIR/result.json).
  static let commands = ["query", "efficiency", "weights", "fit", "roc", "plot"]

  func validate() throws {
    guard Self.kinds.contains(emit) else { throw ValidationError("--emit \(emit): use " + Self.kinds.joined(separator: ", ")) }
    guard shards >= 1, shards <= 100_000 else { throw ValidationError("--shards takes 1 to 100000") }
    let words = command.first == "--" ? Array(command.dropFirst()) : command
    if words.first == "kde" {
      throw ValidationError(
        "plan writes result.json, and `kde fit` writes a density file: run `kde fit … --shard K/N --partial F.json` jobs and `syscorr merge F… --out FILE.h5` yourself")
    }
    guard let name = words.first, Self.commands.contains(name) else {
      throw ValidationError(
        "give the command to shard after `--`: syscorr plan --emit slurm --dir D -- query … (query, efficiency, weights, fit, roc or plot)")
    }
    let forbidden: Set<String> = ["--shard", "--partial", "--out", "--plot", "--pidvar", "--particle-weighting"]
    if words.contains(where: { forbidden.contains($0.split(separator: "=").first.map(String.init) ?? $0) }) {
      throw ValidationError(
        "the sharded command must not have --shard, --partial, --out, --plot, --pidvar or --particle-weighting: the recipe adds the shard's options, and the merge writes result.json")
    }
  }

  func run() throws {
    let words = command.first == "--" ? Array(command.dropFirst()) : command
    // the command must parse as it will run
    do {
      switch words[0] {
      case "query": _ = try QueryCommand.parse(Array(words.dropFirst()))
      case "efficiency": _ = try EfficiencyCommand.parse(Array(words.dropFirst()))
      case "weights": _ = try WeightsCommand.parse(Array(words.dropFirst()))
      case "roc": _ = try ROCCommand.parse(Array(words.dropFirst()))
      case "plot": _ = try PlotCommand.parse(Array(words.dropFirst()))
      default: _ = try FitCommand.parse(Array(words.dropFirst()))
      }
    } catch {
      throw CommandError("the command after -- does not parse: \(QueryCommand.message(for: error))")
    }
    // a fit's shards gather its sample (a binned fit's, with --write-sweights, the events beside its
    // histogram); the merge fits and writes the sWeights
    let mergeOptions = words.contains("--write-sweights") ? ["--write-sweights"] : []
    let dir = URL(fileURLWithPath: self.dir).standardizedFileURL.path
    let exe = executable ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    let file = dir + "/" + ["slurm": "submit.sh", "snakemake": "Snakefile", "b2luigi": "syscorr_tasks.py"][emit]!
    try FileOutputOptions.checkTarget(file, force: force)
    let text = switch emit {
    case "slurm": BatchRecipe.slurm(exe: exe, command: words, merge: mergeOptions, shards: shards, dir: dir)
    case "snakemake": BatchRecipe.snakemake(exe: exe, command: words, merge: mergeOptions, shards: shards, dir: dir)
    default: BatchRecipe.b2luigi(exe: exe, command: words, merge: mergeOptions, shards: shards, dir: dir)
    }
    try OutputFile.write(Data(text.utf8), to: file)
    if emit == "slurm" { chmod(file, 0o755) }
    let result = emit == "b2luigi" ? dir + "/results/result.json" : dir + "/result.json"
    print("wrote \(file) (\(shards) shards of `\(words[0])`; result: \(result))")
  }
}

/// The text of the recipes.
enum BatchRecipe {
  /// A word quoted for sh.
  static func sh(_ s: String) -> String {
    if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "_-./=,:+@%".contains($0) }) { return s }
    return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  static func slurm(exe: String, command: [String], merge: [String], shards n: Int, dir: String) -> String {
    let cmd = ([exe] + command).map(sh).joined(separator: " ")
    return """
      #!/usr/bin/env bash
      # Written by `syscorr plan --emit slurm`: \(n) shards of `\(command[0])`, then a merge.
      # Submit with: bash \(sh(dir + "/submit.sh"))   (prints the two job ids; the result: \(dir)/result.json)
      set -euo pipefail
      D=\(sh(dir))
      mkdir -p "$D/parts" "$D/logs"
      rm -f "$D/result.json"
      # Slurm's arrays hold at most MaxArraySize (1001 by default) tasks: a task is a shard (many files), not a file.
      map=$(sbatch --parsable --array=1-\(n) --job-name=syscorr-map -o "$D/logs/map-%A_%a.out" \\
        --wrap "\(cmd.replacingOccurrences(of: "\"", with: "\\\"")) --shard \\$SLURM_ARRAY_TASK_ID/\(n) --partial $D/parts/part-\\$SLURM_ARRAY_TASK_ID.json")
      # afterok: the merge runs only if every shard succeeded (with DependencyParameters=kill_invalid_depend
      # a failed shard cancels it; syscorr merge itself refuses missing shards)
      merge=$(sbatch --parsable --dependency=afterok:$map --job-name=syscorr-merge -o "$D/logs/merge.out" \\
        --wrap "\(sh(exe)) merge $D/parts/part-*.json --expect-shards \(n)\(merge.map { " " + $0 }.joined()) --json > $D/result.json.tmp && mv $D/result.json.tmp $D/result.json")
      echo "$map $merge"

      """
  }

  static func snakemake(exe: String, command: [String], merge: [String], shards n: Int, dir: String) -> String {
    let cmd = ([exe] + command).map(sh).joined(separator: " ")
    return """
      # Written by `syscorr plan --emit snakemake`: \(n) shards of `\(command[0])`, then a merge.
      # Run: snakemake -s \(dir)/Snakefile --cores 2   (or --executor slurm …)
      D = \(pyString(dir))
      SHARDS = list(range(1, \(n + 1)))

      rule all:
          input: f"{D}/result.json"

      rule shard:
          output: f"{D}/parts/part-{{k}}.json"
          shell: \(pyString(cmd.replacingOccurrences(of: "{", with: "{{").replacingOccurrences(of: "}", with: "}}") + " --shard {wildcards.k}/\(n) --partial {output}"))

      rule merge:
          input: expand(f"{D}/parts/part-{{k}}.json", k=SHARDS)
          output: f"{D}/result.json"
          shell: \(pyString(sh(exe) + " merge {input} --expect-shards \(n)" + merge.map { " " + $0 }.joined() + " --json > {output}"))

      """
  }

  static func b2luigi(exe: String, command: [String], merge: [String], shards n: Int, dir: String) -> String {
    """
    # Written by `syscorr plan --emit b2luigi`: \(n) shards of `\(command[0])`, then a merge.
    # Run: python \(dir)/syscorr_tasks.py   (B2_BATCH=slurm, htcondor, lsf or local; default local)
    import os
    import subprocess
    import sys

    import b2luigi

    EXE = \(pyString(exe))
    COMMAND = [\(command.map(pyString).joined(separator: ", "))]
    SHARDS = \(n)
    MERGE_OPTIONS = [\(merge.map(pyString).joined(separator: ", "))]
    D = \(pyString(dir))


    class ShardTask(b2luigi.Task):
        shard = b2luigi.IntParameter()

        def output(self):
            yield self.add_to_output("part.json")

        def run(self):
            subprocess.run([EXE, *COMMAND, "--shard", f"{self.shard}/{SHARDS}", "--partial",
                            self.get_output_file_name("part.json")], check=True)


    class MergeTask(b2luigi.Task):
        def requires(self):
            for k in range(1, SHARDS + 1):
                yield self.clone(ShardTask, shard=k)

        def output(self):
            yield self.add_to_output("result.json")

        def run(self):
            out = subprocess.run([EXE, "merge", *self.get_input_file_names("part.json"), "--expect-shards", str(SHARDS),
                                  *MERGE_OPTIONS, "--json"], check=True, capture_output=True, text=True).stdout
            with open(self.get_output_file_name("result.json"), "w") as f:
                f.write(out)


    if __name__ == "__main__":
        b2luigi.set_setting("result_dir", os.path.join(D, "results"))
        b2luigi.set_setting("batch_system", os.environ.get("B2_BATCH", "local"))
        b2luigi.set_setting("batch_status_cache_ttl", 2)  # the default polls every 120 s
        b2luigi.process(MergeTask(), workers=min(SHARDS, 64), batch=True)
        # b2luigi.process exits 0 even when a task failed: check
        sys.exit(0 if MergeTask().complete() else 1)

    """
  }

  static func pyString(_ s: String) -> String {
    "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }
}
