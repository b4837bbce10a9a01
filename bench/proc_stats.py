#!/usr/bin/env python3
"""Start-up time and peak memory of a command, as one JSON line.

  bench/proc_stats.py [--runs 5] [--ok 0,1] -- COMMAND ARGS...

Runs COMMAND --runs times under `/usr/bin/time -v` and reports the wall time of
each run (spawn to exit, measured here with time.perf_counter; it includes the
~1 ms that /usr/bin/time itself adds) as median and minimum in milliseconds, and
the largest "Maximum resident set size" that /usr/bin/time reports. Exit codes
listed in --ok (default 0) count as success; anything else stops with an error.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

TIME = "/usr/bin/time"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--ok", default="0", help="comma-separated accepted exit codes")
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd:
        p.error("no command given")
    if not os.access(TIME, os.X_OK):
        sys.exit(f"proc_stats: {TIME} not found (GNU time; on Debian/Ubuntu: apt-get install time)")
    ok = {int(x) for x in a.ok.split(",")}
    walls, rss, codes = [], [], []
    for _ in range(a.runs):
        with tempfile.NamedTemporaryFile("r") as report:
            t0 = time.perf_counter()
            r = subprocess.run([TIME, "-v", "-o", report.name, *cmd],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            walls.append((time.perf_counter() - t0) * 1000)
            text = report.read()
        if r.returncode not in ok:
            sys.exit(f"proc_stats: exit code {r.returncode} from {' '.join(cmd)}\n{r.stderr[-2000:]}")
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        if not m:
            sys.exit(f"proc_stats: no 'Maximum resident set size' in the {TIME} -v report")
        rss.append(int(m.group(1)))
        codes.append(r.returncode)
    print(json.dumps({
        "runs": a.runs,
        "wall_ms_median": round(statistics.median(walls), 2),
        "wall_ms_min": round(min(walls), 2),
        "max_rss_kb": max(rss),
        "exit_codes": codes,
    }))


if __name__ == "__main__":
    main()
