#!/usr/bin/env python3
"""How much the run-time kernel choice's timing varies between processes (docs/kernels.md, "Mechanism").

Reads one `btpow bench --list-kernels --json` object per line (each from a fresh process, so each made its own
choice) and prints, for each pair of kernels next to each other in the choice's order, the ratio of the later one's
timed rate to the earlier one's (min, median, max), and how often each kernel was chosen:

  for i in $(seq 200); do taskset -c 1 .build/release/btpow bench --list-kernels --json; done \\
      | python3 tools/choice_timing.py
"""
import json
import statistics
import sys


def main() -> int:
    runs, chosen = [], {}
    for number, line in enumerate(sys.stdin, 1):
        try:
            listed = json.loads(line)
            runs.append({k["name"]: k["legacy_seals_per_second"] for k in listed["choice_timing"]})
            chosen[listed["best"]] = chosen.get(listed["best"], 0) + 1
        except (ValueError, KeyError, TypeError):
            print(f"choice_timing.py: line {number} is not btpow bench --list-kernels --json output", file=sys.stderr)
            return 1
    if not runs or not runs[0] or any(list(run) != list(runs[0]) for run in runs):
        print("choice_timing.py: no timings, or processes that timed different kernels", file=sys.stderr)
        return 1
    names = list(runs[0])
    print(f"{len(runs)} processes; ratio = later / earlier kernel in the choice's order (legacy seals/s)")
    for earlier, later in zip(names, names[1:]):
        ratios = sorted(run[later] / run[earlier] for run in runs)
        print(f"{later:>13} / {earlier:<13} min {ratios[0]:.3f}  median {statistics.median(ratios):.3f}  "
              f"max {ratios[-1]:.3f}")
    print("chosen: " + ", ".join(f"{name} {count}" for name, count in sorted(chosen.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
