"""Every ROOT file of the scikit-hep-testdata wheel, read by SysCorr and by
uproot, branch by branch.

The wheel (pinned in the Makefile) holds ~140 files written by C++ ROOT 5
and 6 and by uproot: every codec, 64-bit keys, embedded and header-only
baskets, nested directories, TNtuples, and many files with no flat tree at all.
For each file:

* every tree uproot finds is listed by `syscorr ls --json`;
* every branch uproot reads as a flat scalar is a flat column in SysCorr, with
  the same values bit for bit (SHA-256 of the big-endian column, written by
  `syscorr query --columns ... --out` and read back with h5py) and the same type;
* every other branch of the tree is listed by SysCorr as skipped, with a reason;
  a tree SysCorr cannot parse is listed with its error (its branches count as
  skipped, never as silently missing);
* a file without any flat branch ends its `syscorr ls` listing with
  "nothing flat here".

The counts are printed at the end.
"""
import hashlib
import json
import os
import sys
import unittest

import h5py
import numpy as np

from common import SYSCORR, TempDir, run

# one definition of a flat branch, shared with the fixture script
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from make_fixtures import is_flat  # noqa: E402

try:
    import skhep_testdata
    import uproot
except ImportError:  # the Makefile installs both into .build/venv
    skhep_testdata = uproot = None

TREE_CLASSES = {"TTree", "TNtuple", "TNtupleD"}

# Files SysCorr refuses as a whole although uproot reads them: name -> the
# part of the error SysCorr must print. A reader fix makes the test fail here,
# so that the entry is removed and the file compared.
REFUSED = {
    # A key-list entry whose fKeylen (51) is shorter than its own header (55 bytes).
    "uproot-issue64.root": "shorter than the key header",
}
# Trees SysCorr lists as unreadable: the error must say why.
UNSUPPORTED_TREE = "class version"


def digest(values):
    return hashlib.sha256(np.asarray(values).astype(values.dtype.newbyteorder(">")).tobytes()).hexdigest()


def data_dir():
    return os.path.dirname(skhep_testdata.data_path("uproot-issue21.root"))


@unittest.skipIf(skhep_testdata is None, "uproot / scikit-hep-testdata missing: run `make test` (it installs them)")
class RealRootFiles(unittest.TestCase):
    counts = {}

    def test_every_file_matches_uproot(self):
        names = sorted(f for f in os.listdir(data_dir()) if f.endswith(".root"))
        self.assertGreater(len(names), 100, "the scikit-hep-testdata wheel should ship its ROOT files")
        c = self.counts
        c.update(files=len(names), compared_files=0, nothing_flat=0, refused=0, trees=0, branches=0,
                 skipped=0, unsupported_trees=0, unsupported_branches=0, entries=0)
        versions, codecs = set(), set()
        with TempDir() as tmp:
            for name in names:
                with self.subTest(file=name):
                    self.check_file(os.path.join(data_dir(), name), tmp, versions, codecs)
        c["versions"], c["codecs"] = len(versions), len(codecs)
        print(
            f"\nreal ROOT files (scikit-hep-testdata {skhep_testdata.__version__}, uproot {uproot.__version__}): "
            f"{c['files']} files: {c['compared_files']} compared ({c['trees']} trees, {c['branches']} flat branches "
            f"bit-identical, {c['entries']} values each way; ROOT writers {', '.join(sorted(versions))}; "
            f"fCompress {sorted(codecs)}), {c['nothing_flat']} with nothing flat, {c['refused']} refused as known; "
            f"{c['skipped']} non-flat branches listed as skipped; {c['unsupported_trees']} trees listed as "
            f"unsupported ({c['unsupported_branches']} flat branches in them not compared)",
            file=sys.stderr)

    def check_file(self, path, tmp, versions, codecs):
        name = os.path.basename(path)
        c = self.counts
        with uproot.open(path) as f:
            keys = f.classnames(recursive=True, cycle=False)
            expected = {}
            for key, cls in keys.items():
                if cls not in TREE_CLASSES:
                    continue
                tree = f[key]
                # A name used twice in one tree: the first branch is read, the others are
                # skipped as duplicates (uproot's dictionary keeps one of them too).
                flat, seen = {}, set()
                for b in tree.branches:
                    if b.name not in seen and is_flat(b):
                        flat[b.name] = b.array(library="np")
                    seen.add(b.name)
                expected[key] = (flat, [b.name for b in tree.branches], int(tree.num_entries))

        p = run("ls", "--json", path, check=False)
        if name in REFUSED:
            self.assertNotEqual(p.returncode, 0, f"{name} opens now: remove it from REFUSED")
            self.assertIn(REFUSED[name], p.stderr)
            self.assertIn(name, p.stderr, "the error names the file")
            c["refused"] += 1
            return
        listing = json.loads(p.stdout)
        trees = {t["path"]: t for t in listing["trees"]}
        # the listing is printed either way; a tree that cannot be read makes the exit status 1
        unreadable = [k for k, t in trees.items() if t.get("error")]
        self.assertEqual(p.returncode, 1 if unreadable else 0, p.stderr)
        if unreadable:
            self.assertTrue(p.stderr.startswith(f"error: {len(unreadable)} tree"), p.stderr)
        self.assertEqual(set(trees), set(expected), "the same trees")

        readable_flat = 0
        for key, (flat, all_names, entries) in expected.items():
            t = trees[key]
            listed = {}
            for b in t["branches"]:
                listed.setdefault(b["name"], []).append(b)
            if t.get("error"):
                self.assertIn(UNSUPPORTED_TREE, t["error"], f"{key}: {t['error']}")
                c["unsupported_trees"] += 1
                c["unsupported_branches"] += len(flat)
                continue
            self.assertEqual(t["entries"], entries, key)
            ours = [b["name"] for b in t["branches"] if b.get("type")]
            self.assertEqual(sorted(ours), sorted(flat), f"{key}: flat branches")
            self.assertEqual(len(t["branches"]), len(all_names), f"{key}: every branch is listed")
            for n in all_names:
                self.assertIn(n, listed, f"{key}: branch {n} is listed")
            for b in t["branches"]:
                if not b.get("type"):
                    self.assertTrue(b.get("skip_reason"), f"{key}: {b['name']} is listed as skipped with a reason")
                    c["skipped"] += 1
            if flat:
                self.compare_values(path, key, flat, listed, tmp)
                readable_flat += 1
                c["trees"] += 1
                c["branches"] += len(flat)
                c["entries"] += sum(len(v) for v in flat.values())

        text = run("ls", path, check=not unreadable).stdout
        if readable_flat:
            c["compared_files"] += 1
            versions.add(listing["root_version"])
            codecs.add(listing["f_compress"])
            self.assertNotIn("nothing flat here", text)
        else:
            c["nothing_flat"] += 1
            self.assertIn("nothing flat here", text.splitlines()[-1])

    def compare_values(self, path, key, flat, listed, tmp):
        out = os.path.join(tmp, "columns.h5")
        names = list(flat)
        run("query", "--input", f"{path}:{key}", "--columns", ",".join(names), "--out", out)
        with h5py.File(out, "r") as h:
            g = h["ntuple"]
            for n in names:
                want = flat[n]
                got = g[n][()]
                self.assertEqual(listed[n][0]["type"], want.dtype.name, f"{key}/{n}: type")
                self.assertEqual(len(got), len(want), f"{key}/{n}: entries")
                if want.dtype == np.bool_:
                    got = got.astype(np.bool_)
                self.assertEqual(got.dtype, want.dtype, f"{key}/{n}: stored type")
                self.assertEqual(digest(got), digest(want), f"{key}/{n}: values")
        os.remove(out)


if __name__ == "__main__":
    unittest.main()
