#!/usr/bin/env python3
"""Benchmark `aidctl validate` of a term of many files against a plain fastexcel loop over them.

    python benchmarks/bench_intake.py [--shapes 1000x200,250x2000] [--runs 3]
        [--workdir /tmp/aidctl-bench-intake] [--workers N]

For each shape FILESxROWS:
  1. generate workdir/term-FILESxROWS-seedS/intake/2011-autumn/ (reused if it is there): FILES
     rosters of ROWS students each, cut from one generated term (make_roster.generate_rows), so that
     no ID or card repeats across the files but for the 0.5 % planted problems (a duplicate check
     over colliding IDs would dominate the figures otherwise);
  2. run, each in a fresh process, --runs times, alternating (with --compare, a third command too):
       plain     python -c: for each file, fastexcel.read_excel(f).load_sheet(0, header_row=None,
                 dtypes="string").to_pandas(), one after the other in one thread
       validate  aidctl validate --term 2011-autumn --workspace WS --format json, stdout to
                 /dev/null, into a fresh ledger each run (aidctl.db removed first: the run writes
                 the intake history of every file)
  3. report medians, validate/plain and peak RSS (the largest process of the run's tree: the
     wrapper reads getrusage(RUSAGE_CHILDREN), so worker processes count too).

Target (issue 18): validate ≤ 1.5× the plain loop for both shapes. Results go to stdout as markdown
and to workdir/results-intake.json.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import shlex
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_validate as bv  # noqa: E402
import make_roster as mr  # noqa: E402

TARGET_RATIO = 1.5
TERM = "2011-autumn"

PLAIN_CODE = r"""
import sys, fastexcel
from pathlib import Path
for p in sorted(Path(sys.argv[1]).iterdir()):
    fastexcel.read_excel(str(p)).load_sheet(0, header_row=None, dtypes="string").to_pandas()
"""


def make_term(folder: str, files: int, rows: int, seed: int) -> None:
    """FILES rosters of ROWS rows in `folder`, cut from one term of FILES × ROWS students."""
    cols, _ = mr.generate_rows(files * rows, seed)
    os.makedirs(folder, exist_ok=True)
    width = len(str(files))
    for k in range(files):
        lo, hi = k * rows, (k + 1) * rows
        part = {key: value[lo:hi] for key, value in cols.items() if key != "xjh_override"}
        part["xjh_override"] = {i - lo: v for i, v in cols["xjh_override"].items() if lo <= i < hi}
        mr.write_xlsx(os.path.join(folder, f"roster-{k + 1:0{width}d}.xlsx"), part)


def ensure_term(workdir: str, files: int, rows: int, seed: int) -> dict:
    ws = os.path.join(workdir, f"term-{files}x{rows}-seed{seed}")
    intake = os.path.join(ws, "intake", TERM)
    done = os.path.join(ws, ".complete")
    if not os.path.exists(done):
        print(f"generating {intake} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        make_term(intake, files, rows, seed)
        with open(done, "w") as fh:
            fh.write(f"{time.perf_counter() - t0:.1f}\n")
    size = sum(os.path.getsize(os.path.join(intake, f)) for f in os.listdir(intake))
    return {"workspace": ws, "intake": intake, "bytes": size}


def bench_shape(files: int, rows: int, term: dict, args, env: dict) -> dict:
    ws, intake = term["workspace"], term["intake"]
    for name in os.listdir(intake):
        bv.warm_cache(os.path.join(intake, name))
    plain_argv = [args.python, "-c", PLAIN_CODE, intake]
    ledger = os.path.join(ws, "aidctl.db")
    cmd = (f"rm -f {shlex.quote(ledger)} && {args.aidctl} validate --term {TERM} --workspace {shlex.quote(ws)} "
           "--format json")
    other = cmd.replace(f"&& {args.aidctl} validate", f"&& {args.compare} validate") if args.compare else None
    row: dict = {"files": files, "rows": rows, **term, "cmd": cmd, "plain_runs": [], "validate_runs": [],
                 "compare_cmd": other, "compare_runs": []}
    def run(what: str, k: int, argv, runs: list) -> dict:
        return bv.measured(f"[{files}x{rows}] {what:<8} run {k + 1}/{args.runs}", args.python, argv, env,
                           args.timeout, runs)

    for k in range(args.runs):
        r = run("plain", k, plain_argv, row["plain_runs"])
        if r["rc"] != 0:
            row["error"] = f"plain loop exited {r['rc']}: {r['stderr_tail'][-500:]}"
            return row
        r = run("validate", k, cmd, row["validate_runs"])
        if r["rc"] not in (0, 1):
            row["error"] = f"validate exited {r['rc']}: {r['stderr_tail'][-500:]}"
            return row
        if other:
            run("compare", k, other, row["compare_runs"])
    row["plain"] = bv.summarize(row["plain_runs"])
    row["validate"] = bv.summarize(row["validate_runs"])
    row["ratio"] = row["validate"]["wall_s_median"] / row["plain"]["wall_s_median"]
    row["ratios"] = [v["wall_s"] / p["wall_s"] for p, v in zip(row["plain_runs"], row["validate_runs"])]
    if other:
        row["compare"] = bv.summarize(row["compare_runs"])
        row["compare_ratio"] = row["compare"]["wall_s_median"] / row["plain"]["wall_s_median"]
    return row


def render(machine: dict, config: dict, rows: list[dict]) -> str:
    lines = [
        "## aidctl validate, a term of many files",
        "",
        f"- machine: {machine.get('cpu', '?')}, nproc {machine.get('nproc')}, "
        f"{machine.get('mem_total_mb', '?')} MB RAM",
        f"- python: {machine.get('python_version', '?')}; workers: {config['workers'] or 'default'}; "
        f"aidctl: `{config['aidctl']}`",
        f"- median of {config['runs']} runs, plain loop and validate alternating, each in a fresh process",
        "",
        "| files × rows | records | plain s | validate s | validate/plain | each pair | peak MB (plain) "
        "| peak MB (validate) |",
        "|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in rows:
        shape = f"{r['files']:,} × {r['rows']:,}"
        if "error" in r:
            lines.append(f"| {shape} | FAILED: {r['error'][:120].replace('|', '/')} | | | | | | |")
            continue
        pairs = ", ".join(f"{x:.2f}" for x in r["ratios"])
        lines.append(f"| {shape} | {r['files'] * r['rows']:,} | {r['plain']['wall_s_median']:.2f} "
                     f"| {r['validate']['wall_s_median']:.2f} | {r['ratio']:.2f} | {pairs} "
                     f"| {r['plain']['peak_mb_max']:.0f} | {r['validate']['peak_mb_max']:.0f} |")
    compared = [r for r in rows if "compare" in r]
    if compared:
        lines += ["", f"Compared with `{config['compare']}` (alternating in the same runs):", "",
                  "| files × rows | plain s | compared s | compared/plain | peak MB (compared) |",
                  "|---|---:|---:|---:|---:|"]
        for r in compared:
            lines.append(f"| {r['files']:,} × {r['rows']:,} | {r['plain']['wall_s_median']:.2f} "
                         f"| {r['compare']['wall_s_median']:.2f} | {r['compare_ratio']:.2f} "
                         f"| {r['compare']['peak_mb_max']:.0f} |")
    good = [r for r in rows if "error" not in r]
    ok = bool(good) and len(good) == len(rows) and all(r["ratio"] <= TARGET_RATIO for r in good)
    lines += ["", f"Target validate/plain ≤ {TARGET_RATIO} for every shape: {'PASS' if ok else 'FAIL'}"]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark aidctl validate of many files against a plain loop.",
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--shapes", default="1000x200,250x2000", help="FILESxROWS, comma-separated")
    ap.add_argument("--workdir", default="/tmp/aidctl-bench-intake")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2011)
    ap.add_argument("--workers", type=int, default=None, help="AIDCTL_WORKERS for the validate runs")
    ap.add_argument("--aidctl", default="aidctl",
                    help="how to run aidctl (e.g. 'env PYTHONPATH=/tmp/aidctl-base python -m aidctl' for an older tree)")
    ap.add_argument("--compare", default=None,
                    help="another way to run aidctl, measured in the same runs (an older tree: 'before')")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--timeout", type=float, default=1800)
    args = ap.parse_args(argv)
    shapes = [tuple(int(x) for x in s.lower().split("x")) for s in args.shapes.split(",") if s.strip()]
    os.makedirs(args.workdir, exist_ok=True)
    env = bv.child_env(args.python)
    if args.workers:
        env["AIDCTL_WORKERS"] = str(args.workers)
    machine = bv.machine_info(args.python)
    config = {"shapes": args.shapes, "runs": args.runs, "seed": args.seed, "workers": args.workers,
              "aidctl": args.aidctl, "compare": args.compare,
              "plain": PLAIN_CODE.strip()}
    started = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    rows = []
    for files, n in shapes:
        term = ensure_term(args.workdir, files, n, args.seed)
        rows.append(bench_shape(files, n, term, args, env))
    md = render(machine, config, rows)
    print(md)
    out = os.path.join(args.workdir, "results-intake.json")
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"started": started, "machine": machine, "config": config, "results": rows}, fh,
                  ensure_ascii=False, indent=1)
    print(f"\nresults written to {out}", file=sys.stderr)
    return 0 if "PASS" in md.splitlines()[-1] else 1


if __name__ == "__main__":
    sys.exit(main())
