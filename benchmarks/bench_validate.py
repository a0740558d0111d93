#!/usr/bin/env python3
"""Benchmark `aidctl validate` against the fastest plain load of the same roster.

    python benchmarks/bench_validate.py [--sizes 50000,200000,500000]
        [--workdir /tmp/aidctl-bench] [--runs 3]
        [--cmd "aidctl validate {file} --term 2011-autumn --format json"]

For each size N:
  1. generate workdir/roster-N-seedS.xlsx with make_roster.py (reused if it
     is already there);
  2. run, each in a fresh process, --runs times (load, validate, load, validate …):
       load      python -c "fastexcel.read_excel(p).load_sheet(0,
                 header_row=None, dtypes='string').to_pandas()"
       validate  the --cmd command, stdout sent to /dev/null
     Each run goes through its own small wrapper process which starts the
     command, waits for it, and reports wall time and
     getrusage(RUSAGE_CHILDREN).ru_maxrss -- so the peak RSS is that of this
     run's command (largest process in its tree), not a maximum over runs.
  3. report medians, the validate/load ratio, rows/s and peak RSS.

Targets checked (the issue's, for its 500,000-row roster): at the largest size run, ratio <= 1.3
and validate peak <= 1200 MB; and linear growth: the cost of each further 100k rows between
consecutive sizes (fixed start-up cost excluded) within 25 % of itself (max/min <= 1.25). The ratio
at smaller sizes is reported too. Load and validate runs alternate, so that a host that speeds up
or slows down during the benchmark moves both alike.

The validate command's exit code must be in --ok-exit (default 0,1: the
roster has planted problems, so 1 is expected); anything else (2 = usage or
internal error) fails that size.  Results go to stdout as markdown and to
workdir/results.json.  MB here means MiB (ru_maxrss KiB / 1024).
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_ROSTER = os.path.join(HERE, "make_roster.py")

DEFAULT_CMD = "aidctl validate {file} --term 2011-autumn --format json"

LOAD_CODE = (
    "import sys, fastexcel\n"
    "df = fastexcel.read_excel(sys.argv[1]).load_sheet("
    "0, header_row=None, dtypes='string').to_pandas()\n"
    "assert len(df) > 0\n"
)

# Runs argv[1:] (or a shell string if argv[1] == '--shell'), stdout to
# /dev/null, stderr captured; prints one JSON line on its own stdout.
WRAPPER_CODE = r"""
import json, os, resource, subprocess, sys, time
shell = sys.argv[1] == "--shell"
cmd = sys.argv[2] if shell else sys.argv[1:]
t0 = time.perf_counter()
p = subprocess.run(cmd, shell=shell, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
json.dump({"wall_s": wall, "maxrss_kb": ru.ru_maxrss, "rc": p.returncode,
           "user_s": ru.ru_utime, "sys_s": ru.ru_stime,
           "stderr_tail": p.stderr[-2000:].decode("utf-8", "replace")},
          sys.stdout)
"""

TARGET_RATIO = 1.3
TARGET_PEAK_MB = 1200.0
TARGET_LINEAR = 0.25

PACKAGES = ["aidctl", "fastexcel", "python-calamine", "openpyxl", "xlsxwriter",
            "pandas", "pyarrow", "numpy", "python-stdnum"]


# --------------------------------------------------------------------------
# machine description

def machine_info(python: str) -> dict:
    info: dict = {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "nproc": os.cpu_count(),
        "python": python,
    }
    with contextlib.suppress(AttributeError):
        info["nproc_available"] = len(os.sched_getaffinity(0))
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    info["mem_total_mb"] = round(int(line.split()[1]) / 1024)
                    break
    except OSError:
        pass
    # Ask the interpreter that runs the benchmarks, not necessarily this one.
    probe = (
        "import json, sys, platform\n"
        "from importlib import metadata\n"
        f"pk = {PACKAGES!r}\n"
        "v = {}\n"
        "for p in pk:\n"
        "    try: v[p] = metadata.version(p)\n"
        "    except Exception: v[p] = None\n"
        "print(json.dumps({'python_version': platform.python_version(),\n"
        "                  'python_impl': platform.python_implementation(),\n"
        "                  'packages': v}))\n"
    )
    try:
        out = subprocess.run([python, "-c", probe], capture_output=True, text=True,
                             check=True, timeout=60).stdout
        info.update(json.loads(out))
    except Exception as exc:  # pragma: no cover - informational only
        info["probe_error"] = repr(exc)
    return info


# --------------------------------------------------------------------------
# roster generation (cached)

def roster_path(workdir: str, n: int, seed: int) -> str:
    return os.path.join(workdir, f"roster-{n}-seed{seed}.xlsx")


def ensure_roster(python: str, workdir: str, n: int, seed: int) -> dict:
    path = roster_path(workdir, n, seed)
    if os.path.exists(path):
        return {"file": path, "bytes": os.path.getsize(path), "cached": True,
                "generate_s": None}
    manifest = path[:-len(".xlsx")] + ".planted.json"
    print(f"generating {path} ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    subprocess.run([python, MAKE_ROSTER, str(n), path, "--seed", str(seed),
                    "--manifest", manifest], check=True)
    dt = time.perf_counter() - t0
    return {"file": path, "bytes": os.path.getsize(path), "cached": False,
            "generate_s": round(dt, 2)}


# --------------------------------------------------------------------------
# measurement

def child_env(python: str) -> dict:
    env = dict(os.environ)
    # Let a bare `aidctl` resolve to the console script installed next to the
    # interpreter under test (e.g. /work/venv/bin) even if the venv is not
    # activated.
    bindir = os.path.dirname(os.path.abspath(python))
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.setdefault("PYTHONHASHSEED", "0")
    # aidctl's bytecode is cached as a wheel install's is (pip compiles it), and as the plain loads'
    # libraries are: a machine that sets PYTHONDONTWRITEBYTECODE would otherwise have an editable
    # install compile every aidctl module at every run (0.1 s for disburse), and the baseline not
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def measure_once(python: str, argv_or_shell, env: dict, timeout: float) -> dict:
    if isinstance(argv_or_shell, str):
        wargs = ["--shell", argv_or_shell]
    else:
        wargs = list(argv_or_shell)
    proc = subprocess.run([python, "-c", WRAPPER_CODE, *wargs], env=env,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"measurement wrapper failed: {proc.stderr[-2000:]}")
    res = json.loads(proc.stdout)
    res["peak_mb"] = res["maxrss_kb"] / 1024.0  # Linux: ru_maxrss is KiB
    return res



def measured(label: str, python: str, argv_or_shell, env: dict, timeout: float, runs: list) -> dict:
    """One run (measure_once), added to `runs` and reported on stderr as `label`."""
    r = measure_once(python, argv_or_shell, env, timeout)
    runs.append(r)
    print(f"  {label}: {r['wall_s']:.2f}s {r['peak_mb']:.0f} MB rc={r['rc']}", file=sys.stderr, flush=True)
    return r

def warm_cache(path: str) -> None:
    with open(path, "rb") as fh:
        while fh.read(1 << 22):
            pass


def summarize(runs: list[dict]) -> dict:
    walls = [r["wall_s"] for r in runs]
    peaks = [r["peak_mb"] for r in runs]
    return {
        "wall_s_median": statistics.median(walls),
        "wall_s_min": min(walls),
        "wall_s_max": max(walls),
        "peak_mb_median": statistics.median(peaks),
        "peak_mb_max": max(peaks),
    }


def bench_size(n: int, roster: dict, args, env: dict) -> dict:
    path = roster["file"]
    warm_cache(path)
    load_argv = [args.python, "-c", LOAD_CODE, path]
    cmd = args.cmd.replace("{file}", shlex.quote(path))
    ok_exit = {int(x) for x in args.ok_exit.split(",") if x.strip()}

    row: dict = {"rows": n, **roster, "cmd": cmd, "load_runs": [], "validate_runs": []}

    # Load and command alternate, so that a machine that speeds up or slows down over the minutes
    # of a run (shared hosts do) moves both medians alike rather than the ratio.
    for k in range(args.runs):
        r = measured(f"[{n}] load     run {k + 1}/{args.runs}", args.python, load_argv, env, args.timeout,
                     row["load_runs"])
        if r["rc"] != 0:
            row["error"] = f"baseline load exited {r['rc']}: {r['stderr_tail'][-500:]}"
            return row
        r = measured(f"[{n}] validate run {k + 1}/{args.runs}", args.python, cmd, env, args.timeout,
                     row["validate_runs"])
        if r["rc"] not in ok_exit:
            row["error"] = (f"command exited {r['rc']} (allowed {sorted(ok_exit)}): "
                            f"{r['stderr_tail'][-500:]}")
            return row

    row["load"] = summarize(row["load_runs"])
    row["validate"] = summarize(row["validate_runs"])
    lo, va = row["load"]["wall_s_median"], row["validate"]["wall_s_median"]
    row["ratio"] = va / lo if lo > 0 else None
    row["rows_per_s"] = n / va if va > 0 else None
    row["validate_s_per_100k"] = va / n * 100_000
    row["load_s_per_100k"] = lo / n * 100_000
    row["validate_exit_codes"] = sorted({r["rc"] for r in row["validate_runs"]})
    return row


# --------------------------------------------------------------------------
# reporting

def check_targets(rows: list[dict]) -> dict:
    good = [r for r in rows if "error" not in r]
    out: dict = {}
    if rows and len(good) < len(rows):
        out["errors"] = {str(r["rows"]): r["error"] for r in rows if "error" in r}
    if not good:
        out["all_pass"] = False
        return out
    # The ratio and memory targets are the issue's, for its 500,000-row roster: judged at the largest
    # size run. At smaller sizes the ratio is reported, but a fixed start-up cost (interpreter,
    # imports, rules: ~0.3 s against the baseline's ~0.3 s) weighs more there than it says about
    # the checks.
    largest = max(good, key=lambda r: r["rows"])
    out["ratio"] = {"target": TARGET_RATIO, "rows": largest["rows"], "value": largest["ratio"],
                    "by_size": {str(r["rows"]): r["ratio"] for r in good},
                    "pass": largest["ratio"] <= TARGET_RATIO}
    out["peak_mb"] = {"target": TARGET_PEAK_MB, "rows": largest["rows"],
                      "value": largest["validate"]["peak_mb_max"],
                      "pass": largest["validate"]["peak_mb_max"] <= TARGET_PEAK_MB}
    # Linear growth: the cost of each further 100,000 rows (between consecutive sizes, so the fixed
    # start-up cost drops out) stays within TARGET_LINEAR of itself across the sizes.
    lin: dict = {"target_max_over_min": 1 + TARGET_LINEAR,
                 "s_per_100k": {str(r["rows"]): r["validate_s_per_100k"] for r in good}}
    srt = sorted(good, key=lambda r: r["rows"])
    if len(srt) >= 3:
        marginal = {f"{a['rows']}->{b['rows']}":
                    (b["validate"]["wall_s_median"] - a["validate"]["wall_s_median"])
                    / (b["rows"] - a["rows"]) * 100_000
                    for a, b in zip(srt, srt[1:])}
        values = list(marginal.values())
        lin["marginal_s_per_100k"] = marginal
        lin["max_over_min"] = max(values) / min(values) if min(values) > 0 else float("inf")
        lin["pass"] = lin["max_over_min"] <= 1 + TARGET_LINEAR
    else:
        lin["pass"] = None  # needs three sizes: two steps to compare
    out["linear"] = lin
    out["all_pass"] = (out["ratio"]["pass"] and out["peak_mb"]["pass"]
                       and lin["pass"] is not False and "errors" not in out)
    return out


def _ok(flag) -> str:
    return "n/a" if flag is None else ("PASS" if flag else "FAIL")


def render_markdown(machine: dict, config: dict, rows: list[dict], targets: dict) -> str:
    pk = machine.get("packages", {})
    pkgs = ", ".join(f"{k} {v}" for k, v in pk.items() if v) or "?"
    lines = [
        "## aidctl validate benchmark",
        "",
        f"- machine: {machine.get('cpu', '?')}, nproc {machine.get('nproc')}"
        + (f" ({machine['nproc_available']} available)"
           if machine.get("nproc_available") not in (None, machine.get("nproc")) else "")
        + f", {machine.get('mem_total_mb', '?')} MB RAM, {machine.get('platform')}",
        f"- python: {machine.get('python_version', '?')} ({machine.get('python')})",
        f"- packages: {pkgs}",
        f"- command: `{config['cmd']}`",
        "- baseline: fastexcel `load_sheet(0, header_row=None, dtypes=\"string\")"
        ".to_pandas()` in a fresh process",
        f"- median of {config['runs']} runs, each in a fresh process; seed {config['seed']}",
        "",
        "| rows | load s | validate s | validate/load | rows/s | peak MB (load) | peak MB (validate) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['rows']:,} | FAILED: {r['error'][:120].replace('|', '/')} "
                         "| | | | | |")
            continue
        lines.append(
            f"| {r['rows']:,} | {r['load']['wall_s_median']:.2f} "
            f"| {r['validate']['wall_s_median']:.2f} | {r['ratio']:.2f} "
            f"| {r['rows_per_s']:,.0f} | {r['load']['peak_mb_max']:.0f} "
            f"| {r['validate']['peak_mb_max']:.0f} |"
        )
    lines.append("")
    if "ratio" in targets:
        lin = targets["linear"]
        ratio, peak = targets["ratio"], targets["peak_mb"]
        lines.append(f"Targets at {ratio['rows']:,} rows: ratio ≤ {TARGET_RATIO} {_ok(ratio['pass'])} "
                     f"({ratio['value']:.2f}); peak ≤ {TARGET_PEAK_MB:.0f} MB {_ok(peak['pass'])} "
                     f"({peak['value']:.0f} MB)")
        if lin.get("marginal_s_per_100k"):
            marg = ", ".join(f"{k}: {v:.2f}s" for k, v in lin["marginal_s_per_100k"].items())
            lines.append(f"Linear growth ±{TARGET_LINEAR:.0%} {_ok(lin['pass'])}: each further 100k rows "
                         f"costs {marg} (max/min {lin['max_over_min']:.2f})")
        else:
            lines.append("Linear growth: n/a (needs three sizes)")
    if targets.get("errors"):
        for n, e in targets["errors"].items():
            lines.append(f"ERROR at {n} rows: {e}")
    lines.append(f"Overall: {'PASS' if targets.get('all_pass') else 'FAIL'}")
    return "\n".join(lines)


# --------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Benchmark aidctl validate against a plain fastexcel load.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--sizes", default="50000,200000,500000",
                    help="comma-separated row counts (default %(default)s)")
    ap.add_argument("--workdir", default="/tmp/aidctl-bench",
                    help="where rosters are cached and results.json is written")
    ap.add_argument("--cmd", default=DEFAULT_CMD,
                    help="command under test; {file} is replaced by the roster "
                         "path (shell-quoted); run by /bin/sh with stdout to "
                         "/dev/null (default: %(default)s)")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    ap.add_argument("--seed", type=int, default=2011)
    ap.add_argument("--ok-exit", default="0,1",
                    help="exit codes of the command that count as success")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter for the baseline, generator and wrappers")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    args = ap.parse_args(argv)

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if "{file}" not in args.cmd:
        ap.error("--cmd must contain {file}")
    os.makedirs(args.workdir, exist_ok=True)
    env = child_env(args.python)

    first_word = shlex.split(args.cmd)[0]
    if shutil.which(first_word, path=env["PATH"]) is None:
        print(f"warning: {first_word!r} not found on PATH", file=sys.stderr)

    machine = machine_info(args.python)
    config = {"sizes": sizes, "cmd": args.cmd, "runs": args.runs, "seed": args.seed,
              "ok_exit": args.ok_exit, "workdir": os.path.abspath(args.workdir),
              "baseline": LOAD_CODE.strip()}
    started = _dt.datetime.now().astimezone().isoformat(timespec="seconds")

    rows = []
    for n in sizes:
        roster = ensure_roster(args.python, args.workdir, n, args.seed)
        print(f"[{n}] {roster['file']} ({roster['bytes'] / 1e6:.1f} MB"
              + (", cached" if roster["cached"] else f", generated in {roster['generate_s']}s")
              + ")", file=sys.stderr, flush=True)
        rows.append(bench_size(n, roster, args, env))

    targets = check_targets(rows)
    md = render_markdown(machine, config, rows, targets)
    print(md)

    results = {"started": started, "machine": machine, "config": config,
               "results": rows, "targets": targets}
    out = os.path.join(args.workdir, "results.json")
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(results, fh, ensure_ascii=False, indent=1)
    print(f"\nresults written to {out}", file=sys.stderr)
    return 0 if targets.get("all_pass") else 1


if __name__ == "__main__":
    sys.exit(main())
