#!/usr/bin/env bash
# sr25519 signing/verification and keyfile unlocking: btpow against py-sr25519-bindings (schnorrkel) and
# bittensor-wallet 4.1.1, in one run on this machine. Prints a markdown table for BENCHMARKS.md on stdout.
#
#   bench/keys.sh                      # 3 s of signing per side
#   BENCH_SECONDS=5 bench/keys.sh
#   BTPOW=path/to/btpow bench/keys.sh  # skip the build
set -euo pipefail
S="${BENCH_SECONDS:-3}"   # read before common.sh, whose default is 10 s
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
build_btpow
PY="$("$ROOT/tools/setup_keys_python.sh")"

ours="$("$BTPOW" bench --sign --unlock --seconds "$S" --json)"
ref="$("$PY" "$ROOT/bench/keys_reference.py" "$S")"

"$PY" - "$ours" "$ref" <<'PYEOF'
import json, sys
ours, ref = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("| measurement | btpow | reference | btpow ÷ reference (time) |")
print("|---|---|---|---|")
for key, label, unit, scale in [("sign_microseconds", "sr25519 sign, 128-byte message", "µs", 1),
                                ("verify_microseconds", "sr25519 verify", "µs", 1),
                                ("unlock_seconds", "unlock a $NACL coldkey (Argon2i SENSITIVE + secretbox)", "s", 1)]:
    a, b = ours[key] * scale, ref[key] * scale
    fmt = "%.1f %s" if unit == "µs" else "%.2f %s"
    print(f"| {label} | {fmt % (a, unit)} | {fmt % (b, unit)} | {a / b:.2f} |")
print()
print(f"btpow: {ours['signatures']} signatures, libsodium {ours['libsodium']}; reference: py-sr25519-bindings "
      f"({ref['signatures']} signatures), bittensor-wallet 4.1.1 `Keyfile.get_keypair(password=…)`.")
PYEOF
