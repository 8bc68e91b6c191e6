"""The command-line fuzzer (issue 10): 10,000 random argument vectors over every subcommand, run by
`syscorr fuzz --target cli` in two processes at once (two seeds, 5,000 each), must neither crash, nor
hang, nor fail without an `error: …` message and a non-zero exit code. A sample of the same vectors is
then replayed as real processes, checking what a user sees: no signal, and every non-zero exit worded
`error: …` on stderr."""
import os
import re
import shlex
import subprocess
import unittest

from common import SYSCORR, TempDir

CASES_PER_SEED = 5000
SEEDS = (1, 2)
REPLAYED = 300


class CLIFuzz(unittest.TestCase):
    def test_random_argument_vectors(self):
        with TempDir() as d:
            procs = []
            for seed in SEEDS:
                work = os.path.join(d, f"seed{seed}")
                cmd = [SYSCORR, "fuzz", "--target", "cli", "--cli-cases", str(CASES_PER_SEED), "--seed", str(seed),
                       "--directory", work, "--log", os.path.join(d, f"seed{seed}.log")]
                procs.append((seed, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
            total = 0
            for seed, p in procs:
                out, err = p.communicate(timeout=900)
                last = ""
                with open(os.path.join(d, f"seed{seed}.log")) as f:
                    for line in f:
                        last = line
                # a crash is a negative return code (the signal); the log's last line is the culprit
                self.assertEqual(p.returncode, 0, f"seed {seed}: exit {p.returncode}; last case: {last}\n{out}\n{err[-3000:]}")
                m = re.search(r"cli: (\d+) cases: (\d+) succeeded, (\d+) failed with `error: …`, (\d+) badly worded", out)
                self.assertIsNotNone(m, out)
                cases, ok, failed, bad = map(int, m.groups())
                self.assertEqual(cases, CASES_PER_SEED)
                self.assertEqual(bad, 0, out)
                # the pools must reach the commands, not only the parser
                self.assertGreater(ok, cases // 20, out)
                total += cases
                print(f"\n  seed {seed}: " + out.strip().splitlines()[0])
            self.assertGreaterEqual(total, 10000)

            # replay a sample as real processes (the fuzzer's files are still there)
            work = os.path.join(d, f"seed{SEEDS[0]}")
            with open(os.path.join(d, f"seed{SEEDS[0]}.log")) as f:
                vectors = [shlex.split(line) for line in f if line.strip()]
            step = max(1, len(vectors) // REPLAYED)
            replayed = 0
            for argv in vectors[::step][:REPLAYED]:
                if any("\0" in a for a in argv):
                    continue  # no process argument can hold a NUL byte (the fuzzer passes them in-process)
                # as in the fuzzer: relative paths and the default store inside its directory
                p = subprocess.run([os.path.abspath(SYSCORR), *argv], capture_output=True, text=True, timeout=120,
                                   stdin=subprocess.DEVNULL, cwd=work,
                                   env={**os.environ, "SYSCORR_STORE": os.path.join(work, "default-store")})
                self.assertGreaterEqual(p.returncode, 0, f"signal {-p.returncode}: {shlex.join(argv)}\n{p.stderr[-2000:]}")
                if p.returncode != 0:
                    self.assertTrue(p.stderr.startswith("error: "), f"{shlex.join(argv)} → {p.returncode}:\n{p.stderr[:500]}")
                replayed += 1
            print(f"  replayed {replayed} vectors as processes")


if __name__ == "__main__":
    unittest.main()
