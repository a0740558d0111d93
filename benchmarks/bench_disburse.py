"""Benchmark `aidctl disburse` (read, check, ledger, bank files) against the plain read of the roster.

    python benchmarks/bench_disburse.py [--sizes 50000,200000,500000] [--workdir /tmp/aidctl-bench]
                                        [--db postgresql://user@host:5432/db]

For each size: a fresh workspace whose intake/2011-autumn/ holds the generated roster (make_roster.py),
then, each in a fresh process and from an empty ledger each time, `aidctl disburse --term 2011-autumn
--format json`, alternating with the baseline (the same fastexcel load as bench_validate.py).
With --db, each run also pays the term into that database (database_url in the workspace's
aidctl.toml), beside the SQLite ledger: the schema aidctl_bench is dropped and made again before
each run (the URL's own search_path is replaced), so every run starts from an empty ledger too.
Target, for the 500,000-record term (the largest size run) on SQLite: ≤ 3× the load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_validate as bv  # noqa: E402  (shared generator, wrapper and measurement)

TARGET_RATIO = 3.0
SCHEMA = "aidctl_bench"


def backend(db: str) -> str:
    return "SQLite" if db == "sqlite" else "PostgreSQL"


def fresh_schema(url: str) -> str:
    """Drop and make the benchmark's schema in the database at `url`; the URL that uses it."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"] + [("options", f"-csearch_path={SCHEMA}")]
    bench = urlunsplit(parts._replace(query=urlencode(query)))
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    return bench


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50000,200000,500000")
    ap.add_argument("--workdir", default="/tmp/aidctl-bench")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2011)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--db", default=None, help="a PostgreSQL URL to run beside SQLite")
    args = ap.parse_args(argv)
    os.makedirs(args.workdir, exist_ok=True)
    env = bv.child_env(args.python)
    databases = ["sqlite"] + ([args.db] if args.db else [])
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        roster = bv.ensure_roster(args.python, args.workdir, n, args.seed)
        ws = os.path.join(args.workdir, f"ws-{n}")
        load, runs, docs = [], {db: [] for db in databases}, {}
        for k in range(args.runs):  # load and disburse alternate: a host's drift moves both alike
            load.append(bv.measure_once(args.python, [args.python, "-c", bv.LOAD_CODE, roster["file"]], env,
                                        args.timeout))
            for db in databases:
                shutil.rmtree(ws, ignore_errors=True)          # every run pays into an empty ledger
                intake = os.path.join(ws, "intake", "2011-autumn")
                os.makedirs(intake)
                os.symlink(roster["file"], os.path.join(intake, "roster.xlsx"))
                if db != "sqlite":
                    url = fresh_schema(db)
                    with open(os.path.join(ws, "aidctl.toml"), "w", encoding="utf-8") as fh:
                        fh.write(f'database_url = "{url}"\n')
                cmd = f"aidctl disburse --term 2011-autumn --workspace {ws} --format json > {ws}/out.json"
                r = bv.measure_once(args.python, cmd, env, args.timeout)
                if r["rc"] not in (0, 1):
                    print(f"disburse exited {r['rc']}: {r['stderr_tail'][-800:]}", file=sys.stderr)
                    return 2
                runs[db].append(r)
                print(f"  [{n}] {backend(db)} disburse run {k + 1}/{args.runs}: {r['wall_s']:.2f}s "
                      f"{r['peak_mb']:.0f} MB", file=sys.stderr, flush=True)
                with open(os.path.join(ws, "out.json"), encoding="utf-8") as fh:
                    docs[db] = json.load(fh)
        lo = bv.summarize(load)
        for db in databases:
            di, doc = bv.summarize(runs[db]), docs[db]
            rows.append({"rows": n, "db": backend(db), "load_s": lo["wall_s_median"],
                         "disburse_s": di["wall_s_median"], "ratio": di["wall_s_median"] / lo["wall_s_median"],
                         "peak_mb": di["peak_mb_max"], "paid": doc["totals"]["payments"],
                         "amount": doc["totals"]["amount"], "refused": len(doc["refused"]),
                         "files": len(doc["files"])})
    print("| rows | ledger | load s | disburse s | disburse/load | peak MB | paid | refused | bank files |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['rows']:,} | {r['db']} | {r['load_s']:.2f} | {r['disburse_s']:.2f} | {r['ratio']:.2f} | "
              f"{r['peak_mb']:.0f} | {r['paid']:,} | {r['refused']:,} | {r['files']} |")
    rows_sqlite = [r for r in rows if r["db"] == "SQLite"]
    rows, all_rows = rows_sqlite, rows
    largest = max(rows, key=lambda r: r["rows"])  # the target is for its 500,000-record term
    ok = largest["ratio"] <= TARGET_RATIO
    print(f"Target at {largest['rows']:,} rows: disburse/load ≤ {TARGET_RATIO}: {'PASS' if ok else 'FAIL'} "
          f"({largest['ratio']:.2f})")
    with open(os.path.join(args.workdir, "results-disburse.json"), "w", encoding="utf-8") as fh:
        json.dump(all_rows, fh, ensure_ascii=False, indent=2)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
