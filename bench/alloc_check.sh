#!/usr/bin/env bash
# No allocation in the hot loop: counts the heap allocations of a whole `btpow solve` (an LD_PRELOAD
# counter, bench/malloc_count.c) over 1 batch and over 100 batches of 20,000 nonces, for every
# available kernel and both schemes. Equal counts: neither the per-nonce nor the per-batch path allocates.
# Usage: bash bench/alloc_check.sh   (BTPOW=path skips the build)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cc >/dev/null || { echo "a C compiler (cc) is needed to build the allocation counter" >&2; exit 1; }
BTPOW=${BTPOW:-}
if [ -z "$BTPOW" ]; then swift build -c release --product btpow >&2; BTPOW=$(swift build -c release --show-bin-path)/btpow; fi
lib=$(mktemp -d)/malloc_count.so
cc -O2 -shared -fPIC -o "$lib" bench/malloc_count.c
key=0x$(printf 'ab%.0s' $(seq 32))
kernels=$("$BTPOW" bench --list-kernels --json | python3 -c 'import json,sys; print(" ".join(k["name"] for k in json.load(sys.stdin)["kernels"] if k["available"]))')
echo "| kernel | scheme | allocations, 20,000 nonces (1 batch) | allocations, 2,000,000 nonces (100 batches) |"
echo "|---|---|---|---|"
for kernel in $kernels; do
  for scheme in legacy v1; do
    extra=()
    [ "$scheme" = v1 ] && extra=(--netuid 1 --coldkey "$key")
    counts=()
    for n in 20000 2000000; do
      counts+=("$(LD_PRELOAD=$lib "$BTPOW" solve --scheme "$scheme" --block-hash "$key" --hotkey "$key" "${extra[@]}" \
          --difficulty 18446744073709551615 --threads 1 --update-interval 20000 --nonce-start 0 --nonce-end "$n" \
          --kernel "$kernel" --quiet --json 2>&1 >/dev/null | sed -n 's/^malloc_count: \([0-9]*\) allocations$/\1/p' || true)")
    done
    echo "| $kernel | $scheme | ${counts[0]} | ${counts[1]} |"
  done
done
