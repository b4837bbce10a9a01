#!/usr/bin/env bash
# Creates (once) the ignored venv .venv-extrinsic/ with bittensor 11.3.0, whose offline codec
# tools/extrinsic_vectors.py runs, and prints the path of its python.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"
btpow_venv extrinsic 1 "bittensor._transport" "bittensor==11.3.0"
