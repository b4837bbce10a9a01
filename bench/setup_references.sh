#!/usr/bin/env bash
# Creates the Python reference environments used by the benchmarks (idempotent).
#
#   .venv-ref/seed  bittensor==9.12.2 + async-substrate-interface==1.5.15
#                   (bittensor's Python reference, the legacy solver bittensor.utils.registration.pow;
#                    a newer async-substrate-interface breaks its import)
#   .venv-ref/v11   bittensor==11.3.0 (brings bittensor_core==0.1.5, pow_mine_cpu)
#
# Both live under the git-ignored folder .venv-ref/ at the repository root.
# Re-running only installs what is missing; each venv is then checked by importing
# the modules the benchmarks use. Usage: bench/setup_references.sh [seed|v11 ...]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENVS="$ROOT/.venv-ref"
PYTHON="${PYTHON:-python3}"

SEED_PINS=("bittensor==9.12.2" "async-substrate-interface==1.5.15")
V11_PINS=("bittensor==11.3.0" "bittensor_core==0.1.5")

SEED_CHECK='
import importlib.metadata as md
import bittensor.utils.registration.pow as pow
assert md.version("bittensor") == "9.12.2", md.version("bittensor")
assert md.version("async-substrate-interface") == "1.5.15"
assert callable(pow._solve_for_nonce_block) and callable(pow._create_seal_hash)
print("seed ok: bittensor", md.version("bittensor"))
'
V11_CHECK='
import importlib.metadata as md
import bittensor_core
assert md.version("bittensor") == "11.3.0", md.version("bittensor")
assert md.version("bittensor_core") == "0.1.5", md.version("bittensor_core")
assert callable(bittensor_core.pow_mine_cpu)
import bittensor.pow_registration
print("v11 ok: bittensor", md.version("bittensor"), "bittensor_core", md.version("bittensor_core"))
'

die() { echo "setup_references: $*" >&2; exit 1; }

command -v "$PYTHON" >/dev/null || die "$PYTHON not found (install Python 3.9+ or set PYTHON=...)"
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null \
    || die "$PYTHON lacks venv/ensurepip (on Debian/Ubuntu: apt-get install python3-venv)"

# make_venv NAME CHECK PIN...
make_venv() {
    local name="$1" check="$2"; shift 2
    local dir="$VENVS/$name" py="$VENVS/$name/bin/python"
    if [[ -x "$py" ]] && "$py" -c "$check" 2>/dev/null; then
        return 0  # already set up and importing; the check printed its line
    fi
    echo "== setting up $dir: $*" >&2
    [[ -x "$py" ]] || "$PYTHON" -m venv "$dir"
    "$py" -m pip install --quiet --disable-pip-version-check "$@" \
        || die "pip install failed for $name ($*)"
    "$py" -c "$check" || die "$name venv installed but its import check failed"
}

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(seed v11)
for t in "${targets[@]}"; do
    case "$t" in
        seed) make_venv seed "$SEED_CHECK" "${SEED_PINS[@]}" ;;
        v11)  make_venv v11  "$V11_CHECK"  "${V11_PINS[@]}" ;;
        *) die "unknown reference '$t' (expected seed or v11)" ;;
    esac
done
