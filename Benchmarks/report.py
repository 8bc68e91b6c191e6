"""Markdown table of a compare.py results file: median per cell and the ratio to the best peer."""
import json
import sys

recs = [json.loads(line) for line in open(sys.argv[1])]
queries = sorted({r["query"] for r in recs})
best = {}
for q in queries:
    peers = [r["median_s"] for r in recs if r["query"] == q and r["engine"] != "syscorr"]
    best[q] = min(peers) if peers else None
rows = {}
for r in recs:
    rows.setdefault((r["engine"], r["input"]), {})[r["query"]] = r
print("| engine | input | " + " | ".join(queries) + " |")
print("|---|---|" + "---|" * len(queries))
for (engine, inp), cells in rows.items():
    out = []
    for q in queries:
        r = cells.get(q)
        if not r:
            out.append("--")
            continue
        ms = r["median_s"] * 1e3
        cell = f"{ms:.0f} ms"
        if engine == "syscorr" and "inprocess_median_s" in r:
            cell = f"{ms:.0f} ms ({r['inprocess_median_s'] * 1e3:.0f}"
            if "after_parse_median_s" in r:
                cell += f" / {r['after_parse_median_s'] * 1e3:.0f}"
            cell += ")"
        if best[q] and engine == "syscorr":
            cell += f" **{best[q] / r['median_s']:.1f}×**"
        if r.get("agrees_with_numpy") is False:
            cell += " ≠"

        out.append(cell)
    print(f"| {engine} | {inp} | " + " | ".join(out) + " |")
print()
print("SysCorr cells: wall time of a fresh process (in parentheses: in-process from `main`, and the same without")
print("command-line parsing, the peers' clock); bold = speed-up of the wall time over the best peer.")
print("≠: the result differs from numpy's. For polars and duckdb this is their NaN ordering (NaN sorts above every")
print("number, so `K_kaonID > 0.2` keeps the 0.3 % NaN-PID rows); SysCorr follows numpy and basf2.")
