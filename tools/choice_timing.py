#!/usr/bin/env python3
"""How much the run-time kernel choice's timing varies between processes (docs/kernels.md, "Mechanism").

Reads one `btpow bench --list-kernels --json` object per line (each from a fresh process, so each made its own
choice) and prints, for each pair of kernels next to each other in the choice's order, the ratio of the later one's
timed rate to the earlier one's (min, median, max), how many processes timed a kernel's best round more than 10 %
below its median, and how often each kernel was taken by the first two rounds alone and in the end (where those
rounds take a kernel other than the preferred, last one, two more rounds of every kernel decide):

  for i in $(seq 200); do taskset -c 1 .build/release/btpow bench --list-kernels --json; done \\
      | python3 tools/choice_timing.py

With `--choose-among avx2,avx2-shani` added, each process times the choice as on a CPU that runs only those two.
"""
import json
import statistics
import sys


def main() -> int:
    runs, rounds, chosen, first, retimed = [], [], {}, {}, 0
    for number, line in enumerate(sys.stdin, 1):
        try:
            listed = json.loads(line)
            runs.append({k["name"]: k["legacy_seals_per_second"] for k in listed["choice_timing"]})
            chosen[listed["best"]] = chosen.get(listed["best"], 0) + 1
            first[listed["first_choice"]] = first.get(listed["first_choice"], 0) + 1
            rounds.append({k["name"]: k["rounds"] for k in listed["choice_timing"]})
            retimed += any(len(k["rounds"]) > 2 for k in listed["choice_timing"])
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
    # Slow rounds: are they moments (then both of a process's first two rounds are rarely slow, about the square of
    # one round's chance) or whole processes (then they come in pairs, and more rounds would not help)?
    for name in names:
        median = statistics.median(r for run in rounds for r in run[name])
        slow = [[r < median / 1.1 for r in run[name][:2]] for run in rounds]
        one = sum(map(sum, slow)) / (2 * len(slow))
        both = sum(all(pair) for pair in slow)
        print(f"{name:>13}: median round {median / 1e6:.2f} M/s; a round >10 % below it: {100 * one:.2f} %; "
              f"both first rounds: {both} processes ({one * one * len(slow):.2f} if independent)")
    print("taken by the first two rounds: " + ", ".join(f"{name} {count}" for name, count in sorted(first.items())))
    print(f"re-timed (two more rounds): {retimed}")
    print("taken: " + ", ".join(f"{name} {count}" for name, count in sorted(chosen.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
