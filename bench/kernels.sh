#!/usr/bin/env bash
# Every kernel of ours against the reference solvers, pinned to one core, then
# all cores. Prints a markdown table for BENCHMARKS.md on
# stdout; progress goes to stderr.
#
#   bench/kernels.sh                      # 10 s per measurement
#   BENCH_SECONDS=30 bench/kernels.sh
#   BENCH_CPU=2 bench/kernels.sh          # pin to CPU 2 (default: the first CPU
#                                         # this process may use, normally 0)
#   BTPOW=path/to/btpow bench/kernels.sh  # skip the build
#   BENCH_REPEAT=5 bench/kernels.sh       # runs per row, the fastest kept (default 3)
#
# One core (taskset -c $BENCH_CPU, 1 thread each):
#   - btpow bench --kernel K --scheme legacy|v1, for every kernel that
#     `btpow bench --list-kernels --json` marks available
#   - bittensor's Python _solve_for_nonce_block (legacy, bittensor 9.12.2)
#   - bittensor_core's pow_mine_cpu (v1, bittensor 11.3.0), 1 thread
#   - native builds (clang -O3 -march=native, which the default build may not use), where the CPU has SHA-NI:
#     btpow's own avx2/avx2-shani-hybrid/avx2-shani (and, with AVX-512, avx512/avx512-shani) C kernels (tools/kbench.c --json) and
#     the plain, independent SHA-NI kernels of bench/limit_kernel.c (AVX2 Keccak; AVX-512 Keccak where the CPU has
#     it), whole and by halves: the references for each design's limit on this CPU (BENCHMARKS.md); and the hybrid
#     AVX2 Keccak (4 ymm lanes + 1 lane in general-purpose registers, rounds side by side) beside the vector one
# All CPUs (no pinning): btpow's default kernel for both schemes and
# pow_mine_cpu, each with one thread per CPU.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

check_common_tools
need taskset "install util-linux (it provides taskset)"

build_btpow
setup_refs seed v11
start_results kernels
NCPU="$(nproc)"
S="$BENCH_SECONDS"
CPU="${BENCH_CPU:-$("$PYTHON" -c 'import os; print(min(os.sched_getaffinity(0)))')}"
PIN=(taskset -c "$CPU")
"${PIN[@]}" true 2>/dev/null || die "cannot pin to CPU $CPU (taskset -c $CPU failed)"

record pinning printf '{"cpu": %d}' "$CPU"
record kernel-list "$BTPOW" bench --list-kernels --json
mapfile -t KERNELS < <("$PYTHON" -c 'import json,sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["label"] == "kernel-list":
        for k in r["kernels"]:
            if k.get("available"): print(k["name"])' "$RESULTS")
[[ ${#KERNELS[@]} -gt 0 ]] || die "btpow bench --list-kernels reports no available kernel"

for k in "${KERNELS[@]}"; do
    for scheme in legacy v1; do
        record_best "pinned:$scheme:$k" "${PIN[@]}" "$BTPOW" bench --scheme "$scheme" --threads 1 \
            --seconds "$S" --json --kernel "$k"
    done
done

# Native builds (clang -O3 -march=native, which the default build cannot use), the references for the limit of
# each design on this CPU: btpow's own C kernels (tools/kbench.c) and the plain, independent SHA-NI kernels of
# bench/limit_kernel.c, whole and by halves (`--part sha`: SHA-NI alone; `--part keccak`: the vector Keccak alone).
# The plain kernel checks itself on every legacy seal vector, in every batch slot, before it is timed.
if grep -qw sha_ni /proc/cpuinfo && grep -qw avx2 /proc/cpuinfo; then
    CLANG="$(command -v clang || true)"
    [[ -n "$CLANG" ]] || die "clang not found (the Swift toolchain ships it): needed for the native builds"
    NATIVE="$(mktemp -d "${TMPDIR:-/tmp}/btpow-native.XXXXXX")"
    trap 'rm -rf "$NATIVE"' EXIT
    # Two builds of btpow's kernels: the AVX2 ones without AVX-512 (with it, -march=native would hand them 32 registers
    # and AVX-512VL's rotates, which no AVX2-only CPU has), the AVX-512 ones with everything.
    for variant in kbench:-march=native kbench_avx2:"-march=native -mno-avx512f"; do
        # shellcheck disable=SC2086
        "$CLANG" -O3 ${variant#*:} -I "$ROOT/Sources/CSealKernels" -I "$ROOT/Sources/CSealKernels/include" \
            "$ROOT/tools/kbench.c" "$ROOT"/Sources/CSealKernels/*.c -o "$NATIVE/${variant%%:*}" || die "building tools/kbench.c failed"
    done
    mapfile -t LIMIT_VECTORS < <("$PYTHON" -c 'import json,sys
for v in json.load(open(sys.argv[1]))["legacy"]["seal"]:
    print("%s:%d:%s" % (v["block_and_hotkey_hash"], v["nonce"], v["seal"]))' "$ROOT/Tests/TestSupport/Fixtures/registration-pow.json")
    NATIVE_KERNELS=(avx2 avx2-shani-hybrid avx2-shani)
    # The AVX2 design (4-lane Keccak), built without AVX-512 even where the CPU has it.
    "$CLANG" -O3 -march=native -mno-avx512f "$BENCH/limit_kernel.c" -o "$NATIVE/limit_kernel_avx2" \
        || die "building bench/limit_kernel.c (AVX2) failed"
    for part in all sha keccak keccak-hybrid; do
        record_best "native:plain-avx2:$part" "${PIN[@]}" "$NATIVE/limit_kernel_avx2" --part "$part" "$S" "${LIMIT_VECTORS[@]}"
    done
    if grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo; then
        NATIVE_KERNELS+=(avx512 avx512-shani)
        "$CLANG" -O3 -march=native "$BENCH/limit_kernel.c" -o "$NATIVE/limit_kernel" || die "building bench/limit_kernel.c failed"
        for part in all sha keccak; do
            record_best "native:plain-avx512:$part" "${PIN[@]}" "$NATIVE/limit_kernel" --part "$part" "$S" "${LIMIT_VECTORS[@]}"
        done
    else
        say "no AVX-512 on this CPU: the AVX-512 native rows are left out"
    fi
    for k in "${NATIVE_KERNELS[@]}"; do
        build=kbench
        [[ $k == avx2* ]] && build=kbench_avx2
        record_best "native:$k" "${PIN[@]}" "$NATIVE/$build" "$S" "$k" --json
    done
else
    say "no SHA-NI + AVX2 on this CPU: the native rows are left out"
fi

record_best seed-1 "${PIN[@]}" "$SEED_PY" "$BENCH/reference_rate.py" --which seed --seconds "$S"
record_best core-1 "${PIN[@]}" "$V11_PY" "$BENCH/reference_rate.py" --which core --threads 1 --seconds "$S"

record_best all:legacy "$BTPOW" bench --scheme legacy --threads "$NCPU" --seconds "$S" --json
record_best all:v1     "$BTPOW" bench --scheme v1 --threads "$NCPU" --seconds "$S" --json
record_best core-all   "$V11_PY" "$BENCH/reference_rate.py" --which core --threads "$NCPU" --seconds "$S"

say "results: $RESULTS"
"$PYTHON" "$BENCH/report.py" kernels "$RESULTS"
