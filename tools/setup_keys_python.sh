#!/usr/bin/env bash
# Creates (once) the ignored venv .venv-keys/ with the independent sr25519 and wallet implementations the
# Keys tests check btpow against, and prints the path of its python.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"
btpow_venv keys 1 "sr25519, bittensor_wallet" "py-sr25519-bindings" "bittensor-wallet==4.1.1"
