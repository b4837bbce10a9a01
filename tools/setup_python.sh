#!/usr/bin/env bash
# Creates (once) the ignored venv .venv-tools/ with the third-party Python clients the tests drive the
# devnet with, and prints the path of its python. Safe to run repeatedly and from several tests at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-tools"
python="$venv/bin/python"
stamp="$venv/.btpow-tools-1"
packages=("websockets==15.0.1")

if [[ ! -f "$stamp" ]]; then
    exec 9>"$root/.venv-tools.lock"
    flock 9
    if [[ ! -f "$stamp" ]]; then
        rm -rf "$venv"
        python3 -m venv "$venv" >&2
        "$python" -m pip install --quiet --disable-pip-version-check "${packages[@]}" >&2
        touch "$stamp"
    fi
fi
echo "$python"
