#!/usr/bin/env bash
# Cross-check against the real Python references: random challenges and nonces are sealed and judged by
# bittensor 9.12.2 (legacy) and bittensor 11.3.0 (v1) (bench/cross_check.py), then by `btpow verify`;
# every seal and every rule verdict must agree. Usage: bash bench/cross_check.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-25}
bash bench/setup_references.sh >&2
BTPOW=${BTPOW:-}
if [ -z "$BTPOW" ]; then swift build -c release --product btpow >&2; BTPOW=$(swift build -c release --show-bin-path)/btpow; fi
status=0
for scheme in legacy v1; do
  venv=.venv-ref/seed; [ "$scheme" = v1 ] && venv=.venv-ref/v11
  "$venv/bin/python" bench/cross_check.py --scheme "$scheme" --count "$count" > "/tmp/btpow-cross-$scheme.json"
  python3 - "$BTPOW" "/tmp/btpow-cross-$scheme.json" <<'PY' || status=1
import json, subprocess, sys
btpow, path = sys.argv[1], sys.argv[2]
data = json.load(open(path))
bad = 0
for case in data["cases"]:
    out = subprocess.run([btpow, "verify", *case["verify_args"]], capture_output=True, text=True)
    got = json.loads(out.stdout)
    for key in ("seal", "meets_seed_rule", "meets_chain_rule"):
        if got[key] != case[key]:
            bad += 1
            print(f"MISMATCH {data['scheme']} nonce {case['nonce']} d={case['difficulty']} {key}: reference {case[key]} btpow {got[key]}")
print(f"{data['scheme']}: {len(data['cases'])} cases from {data['reference']}, {bad} mismatches")
sys.exit(1 if bad else 0)
PY
done
exit $status
