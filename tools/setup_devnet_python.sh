#!/usr/bin/env bash
# Creates (once) the ignored venv .venv-devnet-py/ with bittensor 11.3.0 (its offline codec, bittensor._transport),
# py-sr25519-bindings (schnorrkel) and substrate-interface 1.8.1, which tools/devnet_*.py use, and prints the path
# of its python.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"
btpow_venv devnet-py 2 "bittensor._transport, sr25519, substrateinterface" \
    "bittensor==11.3.0" "py-sr25519-bindings==0.2.4" "substrate-interface==1.8.1"
