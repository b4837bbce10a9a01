#!/usr/bin/env bash
# Creates (once) the ignored venv .venv-extrinsic/ with bittensor 11.3.0, whose offline codec
# tools/extrinsic_vectors.py runs, and prints the path of its python. Safe to run repeatedly and from several
# tests at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-extrinsic"
python="$venv/bin/python"
stamp="$venv/.btpow-extrinsic-1"
packages=("bittensor==11.3.0")

if [[ ! -f "$stamp" ]]; then
    exec 9>"$root/.venv-extrinsic.lock"
    flock 9
    if [[ ! -f "$stamp" ]]; then
        if [[ ! -x "$python" ]] || ! "$python" -c 'import bittensor._transport' 2>/dev/null; then
            rm -rf "$venv"
            python3 -m venv "$venv" >&2
            "$python" -m pip install --quiet --disable-pip-version-check "${packages[@]}" >&2
        fi
        "$python" -c 'import bittensor._transport' >&2
        touch "$stamp"
    fi
fi
echo "$python"
