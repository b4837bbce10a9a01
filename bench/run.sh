#!/usr/bin/env bash
# btpow against bittensor's own Python solver (bittensor.utils.registration,
# the "seed" reference), in one run on this machine. Prints a markdown table for BENCHMARKS.md on stdout;
# progress goes to stderr.
#
#   bench/run.sh                      # 10 s per measurement
#   BENCH_SECONDS=30 bench/run.sh     # longer
#   BTPOW=path/to/btpow bench/run.sh  # skip the build
#
# Measures, in this order:
#   1. btpow bench --scheme legacy --threads 1           (default kernel)
#   2. bittensor's _solve_for_nonce_block, 1 process        (bench/reference_rate.py)
#   3. btpow bench --scheme legacy --threads <all CPUs>
#   4. btpow solve at difficulty 1, 1 thread, 5 runs: wall time from spawn to
#      exit (an upper bound on start-to-first-hash) and peak RSS (/usr/bin/time -v)
#   5. btpow solve with all threads over a fixed nonce range that takes ~3 s at
#      the rate of 3., at difficulty 2^64-1: peak RSS while solving
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

check_common_tools
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) not found; on Debian/Ubuntu: apt-get install time"

build_btpow
setup_refs seed
start_results run
NCPU="$(nproc)"
S="$BENCH_SECONDS"

record btpow-1   "$BTPOW" bench --scheme legacy --threads 1 --seconds "$S" --json
record seed-1    "$SEED_PY" "$BENCH/reference_rate.py" --which seed --seconds "$S"
record btpow-all "$BTPOW" bench --scheme legacy --threads "$NCPU" --seconds "$S" --json

# A fixed legacy challenge for the solve runs (any 32-byte values do).
BLOCK_HASH=0x5f1a0c1d9e0b7c3a2e4d6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4
HOTKEY=0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d

record first-hash "$PYTHON" "$BENCH/proc_stats.py" --runs 5 -- \
    "$BTPOW" solve --block-hash "$BLOCK_HASH" --hotkey "$HOTKEY" --difficulty 1 --threads 1 --json

# About 3 s of work at the all-threads rate; no nonce is expected to pass at
# difficulty 2^64-1, so exit code 1 (none in range) is the normal outcome.
NONCES="$("$PYTHON" -c 'import json,sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["label"] == "btpow-all": print(max(1_000_000, int(r["hashes_per_second"] * 3)))' "$RESULTS")"
record memory "$PYTHON" "$BENCH/proc_stats.py" --runs 1 --ok 0,1 -- \
    "$BTPOW" solve --block-hash "$BLOCK_HASH" --hotkey "$HOTKEY" --difficulty 18446744073709551615 \
    --threads "$NCPU" --nonce-start 0 --nonce-end "$NONCES" --json
# Keep the range size with the memory figure for the report.
"$PYTHON" - "$RESULTS" "$NONCES" <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
rows = [json.loads(l) for l in open(path)]
for r in rows:
    if r["label"] == "memory":
        r["nonces"] = n
open(path, "w").write("".join(json.dumps(r) + "\n" for r in rows))
PY

say "results: $RESULTS"
"$PYTHON" "$BENCH/report.py" run "$RESULTS"
