# Shared helpers for the bench scripts (sourced, not run).
#
# Environment:
#   BENCH_SECONDS  seconds per measurement (default 10)
#   BENCH_REPEAT   runs per rate measured with record_best, the fastest kept (default 3)
#   BTPOW          use this btpow binary instead of building one with
#                  `swift build -c release`
#   PYTHON         python3 used for the helpers and to create the venvs

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
BENCH_SECONDS="${BENCH_SECONDS:-10}"
BENCH_REPEAT="${BENCH_REPEAT:-3}"
PYTHON="${PYTHON:-python3}"
SEED_PY="$ROOT/.venv-ref/seed/bin/python"
V11_PY="$ROOT/.venv-ref/v11/bin/python"

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

# need TOOL HINT: stop with a clear message when TOOL is missing.
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found: $2"; }

check_common_tools() {
    need "$PYTHON" "install Python 3 (python3 and python3-venv)"
    [[ -n "${BTPOW:-}" ]] || need swift "install a Swift toolchain (https://www.swift.org/install/), or set BTPOW=/path/to/btpow"
}

# Builds the release binary (unless BTPOW is set) and sets BTPOW to its path.
build_btpow() {
    if [[ -n "${BTPOW:-}" ]]; then
        [[ -x "$BTPOW" ]] || die "BTPOW=$BTPOW is not an executable"
    else
        say "building: swift build -c release"
        (cd "$ROOT" && swift build -c release >&2) || die "swift build -c release failed"
        BTPOW="$(cd "$ROOT" && swift build -c release --show-bin-path)/btpow"
        [[ -x "$BTPOW" ]] || die "no btpow binary at $BTPOW after the build"
    fi
    "$BTPOW" bench --help >/dev/null 2>&1 || die "$BTPOW has no working 'bench' command"
}

# setup_refs seed|v11 ...: creates/checks the reference venvs (seed: bittensor's Python reference, 9.12.2).
setup_refs() {
    say "reference venvs: bench/setup_references.sh $*"
    PYTHON="$PYTHON" "$BENCH/setup_references.sh" "$@" >&2 || die "setting up the Python references failed"
}

# start_results NAME: a fresh results file (JSON lines) with the run's metadata.
start_results() {
    RESULTS="$(mktemp "${TMPDIR:-/tmp}/btpow-$1.XXXXXX.jsonl")"
    local cpu
    cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)"
    [[ -n "$cpu" ]] || cpu="$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n1)"
    "$PYTHON" - "$RESULTS" "$1" "${cpu:-unknown}" "$(nproc)" "$(uname -m)" \
        "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
        "$BENCH_SECONDS" "$BTPOW" <<'PY'
import json, sys, datetime
path, script, cpu, ncpu, arch, commit, secs, btpow = sys.argv[1:]
meta = {"label": "meta", "script": script, "cpu_model": cpu, "cpus": int(ncpu),
        "arch": arch, "commit": commit, "seconds": float(secs), "btpow": btpow,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
open(path, "w").write(json.dumps(meta) + "\n")
PY
}

# record LABEL COMMAND...: runs COMMAND, which prints one JSON object, and appends
# it to $RESULTS with the label and the command line added.
record() { record_runs 1 "$@"; }

# record_best LABEL COMMAND...: runs COMMAND $BENCH_REPEAT times and records the fastest run (its
# hashes_per_second, or legacy + v1 for objects that give both), with every run's rate under "rates". The host's
# other tenants slow a run now and then by up to half; the fastest of a few is what the code does, and every row of
# a run is measured the same way, references included.
record_best() { record_runs "$BENCH_REPEAT" "$@"; }

# record_runs N LABEL COMMAND...: the two above.
record_runs() {
    local n="$1" label="$2"; shift 2
    local outs=() i out
    for ((i = 1; i <= n; i++)); do
        if ((n > 1)); then say "$label ($i/$n): $*"; else say "$label: $*"; fi
        out="$("$@")" || die "measurement '$label' failed: $*"
        outs+=("$out")
    done
    "$PYTHON" - "$RESULTS" "$label" "$*" "${outs[@]}" <<'PY' || die "measurement '$label' printed no JSON object: ${outs[*]}"
import json, sys
path, label, command, *outs = sys.argv[1:]
def parse(out):
    try:
        obj = json.loads(out)
    except ValueError:  # tolerate log lines before a one-line JSON object
        obj = json.loads(out.strip().splitlines()[-1])
    assert isinstance(obj, dict)
    return obj
def rate(obj):
    if "hashes_per_second" in obj:
        return obj["hashes_per_second"]
    return obj["legacy_hashes_per_second"] + obj["v1_hashes_per_second"]
objs = [parse(o) for o in outs]
best = objs[0]
if len(objs) > 1:
    best = max(objs, key=rate)
    best["rates"] = [round(rate(o)) for o in objs]
best.update(label=label, command=command)
open(path, "a").write(json.dumps(best) + "\n")
PY
}
