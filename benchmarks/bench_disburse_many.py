"""Benchmark `aidctl disburse` of a term of many roster files, and its cron retry, against plain loads.

    python benchmarks/bench_disburse_many.py [--files 250] [--rows 2000] [--runs 3]
                                             [--workdir /tmp/aidctl-bench] [--only-make]

The term: FILES rosters of ROWS students each in intake/2011-autumn/ (cached in WORKDIR as
many-FILESxROWS/). The students are drawn once for all files (make_roster.generate_rows) and cut
into files, so no ID repeats across files except the planted duplicates (about 0.125 % of rows):
a generator seeded per file can draw the same ID twice, and then the duplicate check dominates.

Each round, each in a fresh process, alternating so that a shared host's drift moves all alike:
- loop: the plain fastexcel load of every file, one after another, in one process;
- validate: `aidctl validate WS/intake/2011-autumn/*.xlsx --term 2011-autumn --workspace WS --format json`
  (before the disburse: no ledger yet);
- disburse: `aidctl disburse --term 2011-autumn --format json` into an empty ledger;
- retry: the same command again on the ledger just paid (the cron retry: nothing new to pay).
Targets (issue 18): disburse ≤ 2.5× the loop; retry ≤ 1.2× validate; disburse peak ≤ 1.5 GB.
Writes WORKDIR/results-disburse-many.json.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_validate as bv  # noqa: E402  (wrapper and measurement)
import make_roster as mr  # noqa: E402  (the generator)

TARGET_DISBURSE = 2.5     # × the plain loop
TARGET_RETRY = 1.2        # × validate
TARGET_PEAK_MB = 1536.0   # disburse, 1.5 GB

LOOP_CODE = (
    "import glob, sys, fastexcel\n"
    "for p in sorted(glob.glob(sys.argv[1] + '/*.xlsx')):\n"
    "    df = fastexcel.read_excel(p).load_sheet(0, header_row=None, dtypes='string').to_pandas()\n"
    "    assert len(df) > 0\n"
)


def make_folder(workdir: str, files: int, rows: int, seed: int) -> str:
    """FILES rosters of ROWS students, IDs and cards distinct across files; cached."""
    folder = os.path.join(workdir, f"many-{files}x{rows}-seed{seed}")
    done = os.path.join(folder, ".complete")
    if os.path.exists(done):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    print(f"generating {files} × {rows} rows in {folder} ...", file=sys.stderr, flush=True)
    cols, _ = mr.generate_rows(files * rows, seed)
    for k in range(files):
        lo, hi = k * rows, (k + 1) * rows
        part = {c: v[lo:hi] for c, v in cols.items() if c != "xjh_override"}
        part["xjh_override"] = {i - lo: x for i, x in cols["xjh_override"].items() if lo <= i < hi}
        mr.write_xlsx(os.path.join(folder, f"roster_{k + 1:04d}.xlsx"), part)
    open(done, "w").close()
    return folder


def fresh_workspace(workdir: str, folder: str) -> str:
    ws = os.path.join(workdir, "ws-many")
    shutil.rmtree(ws, ignore_errors=True)
    intake = os.path.join(ws, "intake", "2011-autumn")
    os.makedirs(intake)
    for p in sorted(glob.glob(os.path.join(folder, "*.xlsx"))):
        os.symlink(p, os.path.join(intake, os.path.basename(p)))
    return ws


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=250)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2011)
    ap.add_argument("--workdir", default="/tmp/aidctl-bench")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--only-make", action="store_true", help="make the folder and stop")
    args = ap.parse_args(argv)
    os.makedirs(args.workdir, exist_ok=True)
    folder = make_folder(args.workdir, args.files, args.rows, args.seed)
    if args.only_make:
        print(folder)
        return 0
    env = bv.child_env(args.python)
    kinds = ["loop", "validate", "disburse", "retry"]
    runs: dict[str, list] = {k: [] for k in kinds}
    docs = {}
    for k in range(args.runs):
        ws = fresh_workspace(args.workdir, folder)
        intake = os.path.join(ws, "intake", "2011-autumn")
        cmds = {
            "loop": [args.python, "-c", LOOP_CODE, intake],
            "validate": f"aidctl validate {intake}/*.xlsx --term 2011-autumn --workspace {ws} --format json",
            "disburse": f"aidctl disburse --term 2011-autumn --workspace {ws} --format json > {ws}/disburse.json",
            "retry": f"aidctl disburse --term 2011-autumn --workspace {ws} --format json > {ws}/retry.json",
        }
        for kind in kinds:
            r = bv.measure_once(args.python, cmds[kind], env, args.timeout)
            if r["rc"] not in (0, 1):
                print(f"{kind} exited {r['rc']}: {r['stderr_tail'][-800:]}", file=sys.stderr)
                return 2
            runs[kind].append(r)
            print(f"  round {k + 1}/{args.runs} {kind}: {r['wall_s']:.2f}s {r['peak_mb']:.0f} MB",
                  file=sys.stderr, flush=True)
        for kind in ("disburse", "retry"):
            with open(os.path.join(ws, f"{kind}.json"), encoding="utf-8") as fh:
                docs[kind] = json.load(fh)
    s = {k: bv.summarize(v) for k, v in runs.items()}
    med = {k: s[k]["wall_s_median"] for k in kinds}
    ratios = {"disburse/loop": med["disburse"] / med["loop"], "retry/validate": med["retry"] / med["validate"],
              "retry/disburse": med["retry"] / med["disburse"]}
    per_round = [{"disburse/loop": d["wall_s"] / lo["wall_s"], "retry/validate": r["wall_s"] / v["wall_s"],
                  "retry/disburse": r["wall_s"] / d["wall_s"]}
                 for lo, v, d, r in zip(runs["loop"], runs["validate"], runs["disburse"], runs["retry"])]
    d, r = docs["disburse"], docs["retry"]
    print(f"{args.files} files × {args.rows:,} rows, {args.runs} rounds (median; min–max)")
    print("| work | s | min–max s | peak MB |")
    print("|---|---:|---:|---:|")
    for kind in kinds:
        print(f"| {kind} | {med[kind]:.2f} | {s[kind]['wall_s_min']:.2f}–{s[kind]['wall_s_max']:.2f} | "
              f"{s[kind]['peak_mb_max']:.0f} |")
    print(f"paid {d['totals']['payments']:,} ({d['totals']['amount']}), refused {len(d['refused']):,}, "
          f"bank files {len(d['files'])}; retry: paid {r['totals']['payments']:,}, already paid "
          f"{len(r['already_paid']):,}, report {r['report']}")
    for name, value in ratios.items():
        print(f"{name}: {value:.2f} (rounds: {', '.join(f'{p[name]:.2f}' for p in per_round if name in p)})")
    ok = {"disburse": ratios["disburse/loop"] <= TARGET_DISBURSE, "retry": ratios["retry/validate"] <= TARGET_RETRY,
          "peak": s["disburse"]["peak_mb_max"] <= TARGET_PEAK_MB}
    print(f"Targets: disburse/loop ≤ {TARGET_DISBURSE}: {'PASS' if ok['disburse'] else 'FAIL'}; retry/validate ≤ "
          f"{TARGET_RETRY}: {'PASS' if ok['retry'] else 'FAIL'}; disburse peak ≤ {TARGET_PEAK_MB:.0f} MB: "
          f"{'PASS' if ok['peak'] else 'FAIL'}")
    with open(os.path.join(args.workdir, "results-disburse-many.json"), "w", encoding="utf-8") as fh:
        json.dump({"files": args.files, "rows": args.rows, "summary": s, "ratios": ratios, "rounds": per_round,
                   "runs": runs}, fh, ensure_ascii=False, indent=2)
    return 0 if all(ok.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
