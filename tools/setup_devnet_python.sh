#!/usr/bin/env bash
# Creates (once) the ignored venv .venv-devnet-py/ with bittensor 11.3.0 (its offline codec, bittensor._transport)
# py-sr25519-bindings (schnorrkel) and substrate-interface 1.8.1, which tools/devnet_*.py use, and prints the path of its python.
# Safe to run repeatedly and from several tests at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-devnet-py"
python="$venv/bin/python"
stamp="$venv/.btpow-devnet-py-2"
packages=("bittensor==11.3.0" "py-sr25519-bindings==0.2.4" "substrate-interface==1.8.1")

if [[ ! -f "$stamp" ]]; then
    exec 9>"$root/.venv-devnet-py.lock"
    flock 9
    if [[ ! -f "$stamp" ]]; then
        if [[ ! -x "$python" ]] || ! "$python" -c 'import bittensor._transport, sr25519, substrateinterface' 2>/dev/null; then
            rm -rf "$venv"
            python3 -m venv "$venv" >&2
            "$python" -m pip install --quiet --disable-pip-version-check "${packages[@]}" >&2
        fi
        "$python" -c 'import bittensor._transport, sr25519, substrateinterface' >&2
        touch "$stamp"
    fi
fi
echo "$python"
