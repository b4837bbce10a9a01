#!/usr/bin/env bash
# No allocation in the hot loop: under valgrind, count heap allocations of a whole `btpow solve`
# over a small and a 10x larger nonce range with each kernel valgrind can run (it has no AVX-512).
# Equal counts mean the per-nonce path allocates nothing. Usage: bash bench/alloc_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }
BTPOW=${BTPOW:-$(swift build -c release --show-bin-path)/btpow}
[ -x "$BTPOW" ] || swift build -c release --product btpow >&2
key=0x$(printf 'ab%.0s' $(seq 32))
echo "| kernel | scheme | nonces | heap allocations (whole process) |"
echo "|---|---|---|---|"
for kernel in swift-scalar avx2 avx2-shani; do
  for scheme in legacy v1; do
    extra=()
    [ "$scheme" = v1 ] && extra=(--netuid 1 --coldkey "$key")
    for n in 20000 200000; do
      allocs=$(valgrind --tool=memcheck --leak-check=no "$BTPOW" solve --scheme "$scheme" --block-hash "$key" --hotkey "$key" "${extra[@]}" \
          --difficulty 18446744073709551615 --threads 1 --update-interval 20000 --nonce-start 0 --nonce-end "$n" \
          --kernel "$kernel" --quiet --json 2>&1 >/dev/null | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p')
      echo "| $kernel | $scheme | $n | ${allocs:-?} |"
    done
  done
done
