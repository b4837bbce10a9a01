#!/usr/bin/env bash
# Issue targets for registering, measured in one run on this machine (prints a markdown section for BENCHMARKS.md):
# - building and signing pow_register with the key unlocked: `btpow bench --register-latency` beside bittensor 11.3's
#   own composer (bench/register_reference.py) on the same local chain's metadata;
# - solution found → extrinsic in the pool, and whether work found in block N is included in N + 1, over RUNS
#   registrations on an in-process local chain with 1 s blocks.
#
#   bench/register.sh                    # 200 registrations
#   RUNS=50 bench/register.sh
#   BTPOW=path/to/btpow bench/register.sh  # skip the build
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
RUNS="${RUNS:-200}"
build_btpow
PY="$("$ROOT/tools/setup_devnet_python.sh")"

# The reference: bittensor's composer against a `btpow devnet` process (its metadata, version, genesis).
log="$(mktemp)"
"$BTPOW" devnet --port 0 --block-time 0 >"$log" 2>&1 &
devnet=$!
trap 'kill -INT $devnet 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do grep -q "ws://" "$log" && break; sleep 0.1; done
port="$(grep -o 'ws://127.0.0.1:[0-9]*' "$log" | head -n 1 | cut -d: -f3)"
ref="$("$PY" "$ROOT/bench/register_reference.py" "$port" 2000)"
kill -INT $devnet; wait $devnet || true

ours="$("$BTPOW" bench --register-latency --runs "$RUNS" --json)"

"$PY" - "$ours" "$ref" "$(git -C "$ROOT" rev-parse --short HEAD)" <<'PYEOF'
import json, subprocess, sys, datetime
ours, ref, commit = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
fields = dict(line.split(":", 1) for line in cpu.splitlines() if ":" in line)
model = f"{fields.get('Model name', '?').strip()} (family {fields.get('CPU family', '?').strip()} model {fields.get('Model', '?').strip()}, {fields.get('CPU(s)', '?').strip()} CPUs)"
print(f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; commit `{commit}` (release build)")
print(f"- CPU: {model}")
print(f"- Local chain in process, {ours['block_time_ms'] / 1000:g} s blocks, difficulty {ours['difficulty']:,}; "
      f"{ours['threads']} worker thread(s), kernel {ours['kernel']}; {ours['runs']} registrations ({ours['attempts']} solves)")
print()
s = ours["build_and_sign_us"]
print("| build and sign `pow_register`, key unlocked | median | p99 | mean |")
print("|---|---|---|---|")
print(f"| btpow (`PoWRegistrar.signedExtrinsic`, {s['count']} times) | {s['median']:.1f} µs | {s['p99']:.1f} µs | {s['mean']:.1f} µs |")
print(f"| bittensor {ref['bittensor']} composer + py-sr25519-bindings ({ref['count']} times) | {ref['median']:.1f} µs | {ref['p99']:.1f} µs | {ref['mean']:.1f} µs |")
print()
print("| registration, per run | min | median | p90 | p99 | max |")
print("|---|---|---|---|---|---|")
for key, label in [("found_to_pool_ms", "solution found → extrinsic in the pool (node's `ready`)"),
                   ("found_into_block_ms", "where in its block the solution was found (after the head's arrival)"),
                   ("pool_before_next_block_ms", "in the pool ahead of block N + 1's announcement")]:
    d = ours[key]
    print(f"| {label} | {d['min']:.2f} ms | {d['median']:.2f} ms | {d['p90']:.2f} ms | {d['p99']:.2f} ms | {d['max']:.2f} ms |")
print()
n, later = ours["included_in_next_block"], ours["included_later"]
print(f"Work found under head N was included in block N + 1 in {n} of {ours['runs']} runs ({100 * n / ours['runs']:.1f} %); later in {later}.")
PYEOF
