#!/usr/bin/env bash
# btpow on a machine with an NVIDIA GPU: vector checks, a solve at a real difficulty, benchmarks.
#
# Build the static binary where Swift is (Linux x86_64), then run this on the GPU machine from the
# repository root (it reads the test vectors in Tests/TestSupport/Fixtures):
#   swift build -c release --static-swift-stdlib --scratch-path .build-static
#   mkdir -p .gpu && cp .build-static/release/btpow .gpu/btpow && strip .gpu/btpow && gzip -9 .gpu/btpow
#   bash bench/gpu.sh                  # on the GPU machine; needs python3 and the NVIDIA driver (the binary
#                                      # carries cubins for sm_70...sm_120, so NVRTC is optional)
# Settings (environment):
#   BTPOW=path/to/btpow (default .gpu/btpow)   GPU_FLAG=--cuda (or --opencl, to try this script
#   on PoCL without a GPU)   BENCH_SECONDS=10   REAL_DIFFICULTY=20000000000 (legacy; v1 uses 3/5 of it)
#   REAL_TIMEOUT=120 (seconds per real-difficulty solve; the device tool stops a command at 600 s)
#   RULE_DIFFICULTY=20000000 (the scheme × rule comparisons, which the CPU also scans)
#   OUT=folder for the JSON results (default /tmp/btpow-gpu; at most 6 files: devices, real_*, bench_*)
# With the device tool: run(command="bash bench/gpu.sh 2>&1 | tee $OUT/gpu.log", carry=[".gpu"], timeout_s=600)
# Exit status: 0 when every check passed.
set -uo pipefail
cd "$(dirname "$0")/.."
B=${BTPOW:-.gpu/btpow}
FLAG=${GPU_FLAG:---cuda}
BENCH_SECONDS=${BENCH_SECONDS:-10}
REAL_DIFFICULTY=${REAL_DIFFICULTY:-20000000000}
REAL_TIMEOUT=${REAL_TIMEOUT:-120}
RULE_DIFFICULTY=${RULE_DIFFICULTY:-20000000}
OUTDIR=${OUT:-/tmp/btpow-gpu}
VECTORS=Tests/TestSupport/Fixtures/registration-pow.json
mkdir -p "$OUTDIR"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0
section() { printf '\n== %s ==\n' "$*"; }
pass() { echo "ok    $*"; }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }
# A field of the JSON object on stdin, or "" (no solution, an error).
field() { python3 -c '
import json, sys
try: v = json.load(sys.stdin)
except Exception: v = {}
print(v.get(sys.argv[1], "") if isinstance(v, dict) else "")' "$1"; }
# The first solution of a range as "nonce", or "none" (exit 1), or "error".
first() { local out rc; out=$("$B" "$@"); rc=$?; if [ $rc -eq 0 ]; then echo "$out" | field nonce; elif [ $rc -eq 1 ]; then echo none; else echo error; fi; }

command -v python3 > /dev/null || { echo "python3 is needed (JSON fields, timings)"; exit 2; }
# A gzipped binary travels in a third of the space (the device tool carries 64 MiB in all).
if [ ! -x "$B" ] && [ -f "$B.gz" ]; then gunzip -c "$B.gz" > "$B" && chmod +x "$B"; fi
[ -x "$B" ] || { echo "no btpow binary at $B (see the build steps at the top of $0)"; exit 2; }
# --static-swift-stdlib still links glibc, libstdc++ and libgcc_s dynamically: say what this machine lacks.
if command -v ldd > /dev/null && missing=$(ldd "$B" 2>&1 | grep -e "not found" -e "version .* not found"); then
    echo "the binary cannot run here, missing: $missing"; exit 2
fi

section machine
nvidia-smi -L 2>/dev/null || echo "(no nvidia-smi)"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>/dev/null || true
"$B" --version
# NVRTC (optional: only for --maxrregcount below and GPUs without a prebuilt cubin): btpow looks on the loader
# path, in /usr/local/cuda* and in pip wheel folders; otherwise use any copy under /usr or /opt.
if [ "$FLAG" = "--cuda" ] && [ -z "${BTPOW_NVRTC_LIBRARY:-}" ]; then
    nvrtc_ok=$("$B" devices --json | python3 -c 'import json,sys; print(bool(json.load(sys.stdin)["cuda"].get("nvrtc_available")))')
    if [ "$nvrtc_ok" != "True" ]; then
        lib=$(find /usr /opt -name 'libnvrtc.so.1[0-9]*' 2>/dev/null | grep -v -e alt -e builtins | sort -r | head -n 1)
        if [ -n "$lib" ]; then export BTPOW_NVRTC_LIBRARY="$lib"; echo "using NVRTC at $lib"; fi
    fi
fi
"$B" devices
"$B" devices --json > "$OUTDIR/devices.json"

section "first solve (the prebuilt cubin, or an NVRTC compile cached on disk)"
start=$(date +%s.%N)
"$B" solve --block-hash 0x$(printf '11%.0s' {1..32}) --hotkey 0x$(printf '22%.0s' {1..32}) --difficulty 1000 \
    --nonce-start 0 --nonce-end 1000000 $FLAG --threads 0 --json --quiet > "$WORK/first.json" \
    && pass "first solve (build + run) in $(python3 -c "import time;print(round(time.time()-$start,1))") s" \
    || { fail "first solve"; echo "cannot go on without a working $FLAG worker"; exit 1; }

section "vector checks: legacy first solution in range (seed rule), GPU only, two batch shapes"
python3 - "$VECTORS" > "$WORK/legacy_cases.txt" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1]))["legacy"]["first_solution_in_range"]:
    print(f["block_hash"], f["hotkey_public_key"], f["difficulty"], f["nonce_start"], f["nonce_end"], f["first_nonce"], f["seal"])
PY
while read -r bh hk d s e first seal; do
    for shape in "--tpb 256" "--tpb 64 --update-interval 1"; do
        out=$("$B" solve --block-hash "$bh" --hotkey "$hk" --difficulty "$d" --nonce-start "$s" --nonce-end "$e" \
              $FLAG --threads 0 $shape --json --quiet)
        got=$(echo "$out" | field nonce); gotseal=$(echo "$out" | field seal)
        if [ "$got" = "$first" ] && [ "$gotseal" = "$seal" ]; then pass "d=$d [$s, $e) $shape -> $got"
        else fail "d=$d [$s, $e) $shape: expected $first $seal, got '$got' '$gotseal'"; fi
    done
done < "$WORK/legacy_cases.txt"

section "vector checks: v1 solutions, GPU range result = CPU range result, verified"
python3 - "$VECTORS" > "$WORK/v1_cases.txt" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1]))["v1"]:
    a = c.get("a_solution")
    if a:
        print(c["netuid"], c["block_hash"], c["hotkey_public_key"], c["coldkey_public_key"], c["difficulty"], a["nonce"], a["seal"])
PY
while read -r netuid bh hk ck d n seal; do
    s=$(python3 -c "print(max(0, $n - 2000000))"); e=$(python3 -c "print($n + 1)")
    args=(--scheme v1 --netuid "$netuid" --block-hash "$bh" --hotkey "$hk" --coldkey "$ck" --difficulty "$d" --nonce-start "$s" --nonce-end "$e" --json --quiet)
    gpu=$(first solve "${args[@]}" $FLAG --threads 0)
    cpu=$(first solve "${args[@]}")
    if [ "$gpu" != error ] && [ "$gpu" != none ] && [ "$gpu" = "$cpu" ] && "$B" verify --scheme v1 --netuid "$netuid" --block-hash "$bh" --hotkey "$hk" \
        --coldkey "$ck" --nonce "$gpu" --difficulty "$d" > /dev/null; then pass "v1 netuid $netuid d=$d -> $gpu (CPU $cpu)"
    else fail "v1 netuid $netuid d=$d: GPU '$gpu' CPU '$cpu'"; fi
    "$B" verify --scheme v1 --netuid "$netuid" --block-hash "$bh" --hotkey "$hk" --coldkey "$ck" --nonce "$n" --difficulty "$d" --json \
        | grep -q "$seal" && pass "v1 reference seal for nonce $n" || fail "v1 reference seal for nonce $n"
done < "$WORK/v1_cases.txt"

section "every scheme and rule, nonces wrapping past 2^64-1: GPU = CPU"
K1=0x$(printf 'a1%.0s' {1..32}); K2=0x$(printf 'b2%.0s' {1..32}); K3=0x$(printf 'c3%.0s' {1..32})
for scheme in legacy v1; do
    extra=(); [ "$scheme" = v1 ] && extra=(--netuid 7 --coldkey "$K3")
    for rule in seed chain chain-be; do
        for range in "1000000000 9000000000" "18446744073700000000 18446744073709551615"; do
            set -- $range
            args=(--scheme "$scheme" "${extra[@]}" --block-hash "$K1" --hotkey "$K2" --difficulty "$RULE_DIFFICULTY" --rule "$rule"
                  --nonce-start "$1" --nonce-end "$2" --json --quiet)
            gpu=$(first solve "${args[@]}" $FLAG --threads 0)
            cpu=$(first solve "${args[@]}")
            if [ "$gpu" != error ] && [ "$gpu" = "$cpu" ]; then pass "$scheme $rule from $1 -> $gpu"
            else fail "$scheme $rule from $1: GPU '$gpu' CPU '$cpu'"; fi
        done
    done
done

section "benchmarks ($BENCH_SECONDS s each)"
for scheme in legacy v1; do
    "$B" bench $FLAG --scheme "$scheme" --seconds "$BENCH_SECONDS" --json > "$OUTDIR/bench_$scheme.json" \
        && python3 -c "import json;r=json.load(open('$OUTDIR/bench_$scheme.json'));[print('$scheme', w['worker'], '%.4g seals/s' % w['hashes_per_second'], w['device']) for w in r['workers']]" \
        || fail "bench $scheme"
done

section "a solve at a real difficulty (random start, as bittensor's Python solver; status shown)"
for scheme in legacy v1; do
    d=$REAL_DIFFICULTY; extra=()
    if [ "$scheme" = v1 ]; then d=$((REAL_DIFFICULTY * 3 / 5)); extra=(--netuid 1 --coldkey "$K3"); fi
    start=$(date +%s.%N)
    out=$(timeout "$REAL_TIMEOUT" "$B" solve --scheme "$scheme" "${extra[@]}" --block-hash "$K2" --hotkey "$K1" --difficulty "$d" \
          $FLAG --no-output-in-place --json 2> "$WORK/real_$scheme.log")
    took=$(python3 -c "import time;print(round(time.time()-$start,1))")
    tail -n 2 "$WORK/real_$scheme.log"
    n=$(echo "$out" | field nonce)
    if [ -n "$n" ] && "$B" verify --scheme "$scheme" "${extra[@]}" --block-hash "$K2" --hotkey "$K1" --nonce "$n" --difficulty "$d" > /dev/null; then
        pass "$scheme difficulty $d solved in $took s: nonce $n, verified"
    else fail "$scheme difficulty $d: no verified solution in $took s"; fi
    echo "$out" > "$OUTDIR/real_$scheme.json"
done

section "tuning and launch overhead"
for tpb in 128 512 1024; do
    "$B" bench $FLAG --tpb "$tpb" --seconds 5 --json \
        | python3 -c "import json,sys;r=json.load(sys.stdin);print('legacy --tpb $tpb: %.4g seals/s' % r['hashes_per_second'], r['workers'][0]['device'])"
done
# Launch overhead: batches 10x larger amortize it; the difference is what launches cost.
small=$("$B" bench $FLAG --seconds 5 --update-interval 50000 --json | field hashes_per_second)
large=$("$B" bench $FLAG --seconds 5 --update-interval 500000 --json | field hashes_per_second)
python3 -c "s,l=$small,$large;print('launch overhead at update-interval 50000: %.2f%% (%.4g vs %.4g seals/s)' % (100*(1-s/l), s, l))"
if [ "$FLAG" = "--cuda" ]; then
    if python3 -c "import json,sys;sys.exit(0 if json.load(open('$OUTDIR/devices.json'))['cuda'].get('nvrtc_available') else 1)"; then
        BTPOW_NVRTC_OPTIONS=--maxrregcount=64 "$B" bench --cuda --seconds 5 --json \
            | python3 -c "import json,sys;r=json.load(sys.stdin);print('legacy, NVRTC --maxrregcount=64: %.4g seals/s' % r['hashes_per_second'], r['workers'][0]['device'])"
    else echo "no NVRTC here: the --maxrregcount=64 variant (compiled at run time) skipped"; fi
    "$B" bench --cuda --threads "$(nproc)" --seconds 5 | tail -n 1
    if python3 -c "import json,sys;sys.exit(0 if json.load(open('$OUTDIR/devices.json'))['opencl']['available'] else 1)"; then
        for scheme in legacy v1; do "$B" bench --opencl --scheme "$scheme" --seconds 5 | tail -n 2; done
    else echo "no OpenCL platform on this machine: OpenCL bench skipped"; fi
fi

section summary
if [ "$failures" -eq 0 ]; then echo "all checks passed"; else echo "$failures check(s) FAILED"; fi
[ "$failures" -eq 0 ]
