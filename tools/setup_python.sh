#!/usr/bin/env bash
# Creates (once) the ignored venv .venv-tools/ with the third-party Python clients the tests drive the
# devnet with, and prints the path of its python.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"
btpow_venv tools 1 "websockets" "websockets==15.0.1"
