#!/usr/bin/env python3
"""Benchmark `aidctl rules diff` against `aidctl validate` of the same roster, side by side.

    python benchmarks/bench_rules_diff.py [--sizes 500000] [--workdir /tmp/aidctl-bench] [--runs 3]

For each size N:
  1. the roster of bench_validate.py (make_roster.py: 2011年秋季学期中职国家助学金, 750 yuan a row,
     about 0.5 % planted problems), cached in --workdir and shared with bench_validate.py;
  2. a proposed rules folder holding programmes.yaml: the packaged one with the 2007 period of
     中职国家助学金 raised from 750.00 to 1000.00 a term (so 2011-autumn changes every payee);
  3. each in a fresh process, --runs times, alternating:
       validate  aidctl validate FILE --term 2011-autumn --format json --workspace WS
       diff      aidctl rules diff PROPOSED FILE --term 2011-autumn --format json --workspace WS
     (WS an empty workspace folder; stdout to /dev/null, as in bench_validate.py);
  4. once more, the diff's JSON is kept and checked: every payable record changes by 250.00, the
     total delta is 250.00 times their number, no verdict changes.

Target (issue 17): at the largest size run, the diff's median wall time ≤ 2 × validate's (the issue
says "at most about twice"). Results go to stdout as markdown and to WORKDIR/results-rules-diff.json.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import shlex
import subprocess
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_validate as bv  # noqa: E402  (the roster, the machine, the measurement: shared)

TERM = "2011-autumn"
TARGET_RATIO = 2.0
OLD = '''      - from: 2007-09-01
        amount: {per_term: "750.00"}'''
NEW = '''      - from: 2007-09-01
        amount: {per_term: "1000.00"}'''


def proposed_rules(python: str, workdir: str) -> str:
    """WORKDIR/proposed-rules/programmes.yaml: the packaged file, 750.00 → 1000.00 for 中职 from 2007."""
    packaged = subprocess.run([python, "-c", "from aidctl.rulebook import packaged_rules_dir as p; print(p())"],
                              capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(packaged, "programmes.yaml"), encoding="utf-8") as fh:
        text = fh.read()
    if text.count(OLD) != 1:
        raise SystemExit("the packaged programmes.yaml no longer has the 2007 period of 中职国家助学金 at 750.00")
    folder = os.path.join(workdir, "proposed-rules")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "programmes.yaml"), "w", encoding="utf-8") as fh:
        fh.write(text.replace(OLD, NEW))
    return folder


def commands(file: str, folder: str, ws: str) -> tuple[str, str]:
    q = shlex.quote
    validate = f"aidctl validate {q(file)} --term {TERM} --format json --workspace {q(ws)}"
    diff = f"aidctl rules diff {q(folder)} {q(file)} --term {TERM} --format json --workspace {q(ws)}"
    return validate, diff


def verify(diff_cmd: str, env: dict, out: str) -> dict:
    """Run the diff once keeping its JSON; the figures it must give for a 750 → 1000 change."""
    with open(out, "wb") as fh:
        proc = subprocess.run(diff_cmd, shell=True, env=env, stdout=fh, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        return {"ok": False, "why": proc.stderr.decode("utf-8", "replace")[-500:]}
    with open(out, encoding="utf-8") as fh:
        doc = json.load(fh)
    t = doc["totals"]
    changed = len(doc["amounts"])
    ok = (t["verdict_changes"] == 0 and changed == t["payable_before"] == t["payable_after"]
          and all(a["delta"] == "250.00" for a in doc["amounts"])
          and Decimal(t["delta"]) == 250 * changed
          and Decimal(t["amount_after"]) - Decimal(t["amount_before"]) == Decimal(t["delta"]))
    return {"ok": ok, "payable": t["payable_before"], "changed": changed, "delta": t["delta"],
            "json_mb": round(os.path.getsize(out) / 1e6, 1)}


def bench_size(n: int, roster: dict, args, env: dict, folder: str, ws: str) -> dict:
    path = roster["file"]
    bv.warm_cache(path)
    validate_cmd, diff_cmd = commands(path, folder, ws)
    row: dict = {"rows": n, **roster, "validate_cmd": validate_cmd, "diff_cmd": diff_cmd,
                 "validate_runs": [], "diff_runs": []}
    for k in range(args.runs):   # alternating, so that a shared host's drift moves both alike
        for key, cmd, ok in (("validate_runs", validate_cmd, (0, 1)), ("diff_runs", diff_cmd, (0,))):
            r = bv.measure_once(args.python, cmd, env, args.timeout)
            row[key].append(r)
            print(f"  [{n}] {key[:-5]:8s} run {k + 1}/{args.runs}: {r['wall_s']:.2f}s {r['peak_mb']:.0f} MB "
                  f"rc={r['rc']}", file=sys.stderr, flush=True)
            if r["rc"] not in ok:
                row["error"] = f"{key[:-5]} exited {r['rc']}: {r['stderr_tail'][-500:]}"
                return row
    row["validate"] = bv.summarize(row["validate_runs"])
    row["diff"] = bv.summarize(row["diff_runs"])
    row["ratio"] = row["diff"]["wall_s_median"] / row["validate"]["wall_s_median"]
    row["check"] = verify(diff_cmd, env, os.path.join(args.workdir, f"rules-diff-{n}.json"))
    return row


def render(machine: dict, rows: list[dict], runs: int, largest_ok: bool | None) -> str:
    pk = machine.get("packages", {})
    lines = ["## aidctl rules diff benchmark", "",
             f"- machine: {machine.get('cpu', '?')}, nproc {machine.get('nproc')}, "
             f"{machine.get('mem_total_mb', '?')} MB RAM; python {machine.get('python_version', '?')}",
             f"- packages: {', '.join(f'{k} {v}' for k, v in pk.items() if v)}",
             f"- median of {runs} runs each, alternating, each in a fresh process; JSON to /dev/null",
             "", "| rows | validate s | rules diff s | diff/validate | peak MB (validate) | peak MB (diff) | "
             "records changed | total delta | JSON MB | check |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['rows']:,} | FAILED: {r['error'][:120].replace('|', '/')} | | | | | | | | |")
            continue
        c = r["check"]
        lines.append(f"| {r['rows']:,} | {r['validate']['wall_s_median']:.2f} | {r['diff']['wall_s_median']:.2f} "
                     f"| {r['ratio']:.2f} | {r['validate']['peak_mb_max']:.0f} | {r['diff']['peak_mb_max']:.0f} "
                     f"| {c.get('changed', '?'):,} | {c.get('delta', '?')} | {c.get('json_mb', '?')} "
                     f"| {'ok' if c['ok'] else 'WRONG: ' + str(c.get('why', ''))[:80]} |")
    lines.append("")
    lines.append(f"Target at the largest size: diff ≤ {TARGET_RATIO} × validate: "
                 + ("n/a" if largest_ok is None else "PASS" if largest_ok else "FAIL"))
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="500000", help="comma-separated row counts (default %(default)s)")
    ap.add_argument("--workdir", default="/tmp/aidctl-bench")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2011)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--timeout", type=float, default=1800)
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    os.makedirs(args.workdir, exist_ok=True)
    env = bv.child_env(args.python)
    folder = proposed_rules(args.python, args.workdir)
    ws = os.path.join(args.workdir, "ws-rules-diff")
    os.makedirs(ws, exist_ok=True)
    machine = bv.machine_info(args.python)
    started = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    rows = []
    for n in sizes:
        roster = bv.ensure_roster(args.python, args.workdir, n, args.seed)
        print(f"[{n}] {roster['file']}", file=sys.stderr, flush=True)
        rows.append(bench_size(n, roster, args, env, folder, ws))
    good = [r for r in rows if "error" not in r]
    largest = max(good, key=lambda r: r["rows"]) if good else None
    largest_ok = None if largest is None else (largest["ratio"] <= TARGET_RATIO and largest["check"]["ok"])
    print(render(machine, rows, args.runs, largest_ok))
    out = os.path.join(args.workdir, "results-rules-diff.json")
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"started": started, "machine": machine, "target_ratio": TARGET_RATIO, "results": rows},
                  fh, ensure_ascii=False, indent=1)
    print(f"\nresults written to {out}", file=sys.stderr)
    ok = largest_ok and len(good) == len(rows) and all(r["check"]["ok"] for r in good)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
