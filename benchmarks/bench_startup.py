#!/usr/bin/env python3
"""Start-up: the wall clock and CPU time of short commands, two installs of aidctl side by side.

    python benchmarks/bench_startup.py --base BASE/bin/aidctl --new NEW/bin/aidctl [--runs 15]

Times `aidctl validate` of a 30-row roster (make_roster.py), `aidctl codes` and `aidctl --help`,
each in a fresh process, alternating the two installs in one loop (the order swapped every round),
so that the load of a shared machine falls on both alike. Prints, per command and install, the
median, the fastest and the slowest of the runs, wall clock and CPU (user + system). Every run's
exit code and output are compared between the two installs: a difference stops the benchmark.
Writes results-startup.json beside this file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_roster import make_roster  # noqa: E402

COMMANDS = {
    "validate 30 rows": ["validate", "{roster}", "--term", "2011-autumn"],
    "codes": ["codes"],
    "--help": ["--help"],
}


def once(exe: str, args: list[str], cwd: Path) -> tuple[float, float, int, bytes]:
    """(wall s, CPU s, exit code, output) of one run in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([exe, *args], cwd=cwd, capture_output=True,
                          env={**os.environ, "COLUMNS": "120"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, done.stdout


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="the aidctl executable of the baseline install")
    ap.add_argument("--new", required=True, help="the aidctl executable of the install measured")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=2)
    args = ap.parse_args(argv)
    builds = {"base": args.base, "new": args.new}
    with tempfile.TemporaryDirectory(prefix="aidctl-startup-") as tmp:
        cwd = Path(tmp)
        make_roster(30, str(cwd / "roster.xlsx"))
        times = {(c, b): [] for c in COMMANDS for b in builds}
        for i in range(args.warmup + args.runs):
            for name, template in COMMANDS.items():
                cmd = [a.format(roster="roster.xlsx") for a in template]
                order = list(builds) if i % 2 == 0 else list(builds)[::-1]
                outputs = {}
                for build in order:
                    wall, cpu, code, out = once(builds[build], cmd, cwd)
                    outputs[build] = (code, out)
                    if i >= args.warmup:
                        times[(name, build)].append((wall, cpu))
                if outputs["base"] != outputs["new"]:
                    print(f"{name}: the two installs differ (exit {outputs['base'][0]} / {outputs['new'][0]})",
                          file=sys.stderr)
                    return 1
    rows = []
    print(f"{args.runs} runs each, alternating; seconds: median (fastest–slowest)\n")
    print("| command | install | wall | CPU |")
    print("|---|---|---:|---:|")
    for (name, build), runs in times.items():
        wall = [w for w, _ in runs]
        cpu = [c for _, c in runs]
        rows.append({"command": name, "install": build, "wall": wall, "cpu": cpu})
        print(f"| {name} | {build} | {statistics.median(wall):.2f} ({min(wall):.2f}–{max(wall):.2f}) "
              f"| {statistics.median(cpu):.2f} ({min(cpu):.2f}–{max(cpu):.2f}) |")
    (HERE / "results-startup.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
