#!/usr/bin/env python3
"""Summarize tools/choice_timing.c runs (one line per process on standard input): for each pair of kernels next to
each other in the choice's order, the ratio of the later one's rate to the earlier one's (min, median, max), and
how many processes the choice, with its 10 % margin, resolved each way (docs/kernels.md, "Mechanism")."""
import statistics
import sys

MARGIN = 1.10   # KernelCatalog.choice: an earlier kernel is taken only if it is this much faster


def main() -> int:
    runs = []
    for number, line in enumerate(sys.stdin, 1):
        try:
            runs.append({name: float(rate) for name, rate in (item.split("=") for item in line.split())})
        except ValueError:
            print(f"choice_timing.py: line {number} is not NAME=RATE ...: {line.strip()!r}", file=sys.stderr)
            return 1
    if not runs or any(run.keys() != runs[0].keys() for run in runs):
        print("choice_timing.py: no runs, or runs that timed different kernels", file=sys.stderr)
        return 1
    names = list(runs[0])
    print(f"{len(runs)} processes; ratio = later / earlier kernel in the choice's order")
    for earlier, later in zip(names, names[1:]):
        ratios = sorted(run[later] / run[earlier] for run in runs)
        print(f"{later:>13} / {earlier:<13} min {ratios[0]:.3f}  median {statistics.median(ratios):.3f}  "
              f"max {ratios[-1]:.3f}")
    chosen = {}
    for run in runs:
        rates = [run[name] for name in names]
        pick = len(rates) - 1
        for i, rate in enumerate(rates):
            if rate > rates[pick] * MARGIN:
                pick = i
        chosen[names[pick]] = chosen.get(names[pick], 0) + 1
    print("chosen: " + ", ".join(f"{name} {count}" for name, count in sorted(chosen.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
