#!/usr/bin/env bash
# Creates (once) the ignored venv .venv-keys/ with the independent sr25519 and wallet implementations the
# Keys tests check btpow against, and prints the path of its python. Safe to run repeatedly and from several
# tests at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-keys"
python="$venv/bin/python"
stamp="$venv/.btpow-keys-1"
packages=("py-sr25519-bindings" "bittensor-wallet==4.1.1")

if [[ ! -f "$stamp" ]]; then
    exec 9>"$root/.venv-keys.lock"
    flock 9
    if [[ ! -f "$stamp" ]]; then
        rm -rf "$venv"
        python3 -m venv "$venv" >&2
        "$python" -m pip install --quiet --disable-pip-version-check "${packages[@]}" >&2
        touch "$stamp"
    fi
fi
echo "$python"
