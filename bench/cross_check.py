#!/usr/bin/env python3
"""Seals computed by bittensor's own Python code (the references), as JSON, to compare with `btpow verify`.

  .venv-ref/seed/bin/python bench/cross_check.py [--count 8] [--seed 1] [--scheme legacy]
  .venv-ref/v11/bin/python  bench/cross_check.py --scheme v1

legacy (venv .venv-ref/seed: bittensor's Python reference, bittensor 9.12.2, bittensor.utils.registration.pow):
  block_and_hotkey_hash = _hash_block_with_hotkey(block_hash, hotkey)
  seal                  = _create_seal_hash(block_and_hotkey_hash, nonce)
  meets_seed_rule       = _seal_meets_difficulty(seal, difficulty, 2**256 - 1)
v1 (v11 venv, bittensor 11.3.0, bittensor.pow_registration):
  prefix = registration_prefix(netuid, block_hash, hotkey_ss58, coldkey_ss58)
  seal   = registration_seal(prefix, nonce)
  meets_chain_rule = int.from_bytes(seal, "little") <= (2**256 - 1) // difficulty
                     (the check mine_registration applies)

The other rule in each case is computed here in plain Python from its definition
in docs/chain-facts.md, "Difficulty rules" (seed: big-endian product < 2^256-1;
chain: little-endian product <= 2^256-1), and is marked as such in "rule_sources".

Each case is one (challenge, nonce, difficulty). Difficulties include 1, a random
u64, and the largest difficulty that still passes each rule for that seal plus the
one after it (when they fit in a u64), so the boundary of each rule is exercised.
"verify_args" is the argument list for `btpow verify` for that case. Output: one
JSON document {"scheme", "reference", "rule_sources", "cases": [...]}.
"""

import argparse
import json
import random
import sys

LIMIT = (1 << 256) - 1
U64_MAX = (1 << 64) - 1


def hx(b):
    return "0x" + bytes(b).hex()


def difficulties_for(seal, rng):
    """1, a random u64, and each rule's boundary difficulty and the next one."""
    be = int.from_bytes(seal, "big")
    le = int.from_bytes(seal, "little")
    ds = {1, rng.randrange(1, U64_MAX + 1)}
    # seed rule: be * d < 2^256 - 1  <=>  d <= (2^256 - 2) // be
    if be:
        ds.update({(LIMIT - 1) // be, (LIMIT - 1) // be + 1})
    # chain rule: le * d <= 2^256 - 1  <=>  d <= (2^256 - 1) // le
    if le:
        ds.update({LIMIT // le, LIMIT // le + 1})
    return sorted(d for d in ds if 1 <= d <= U64_MAX)


def nonces_for(rng, count):
    fixed = [0, 1, U64_MAX]
    return fixed + [rng.randrange(0, U64_MAX + 1) for _ in range(max(0, count - len(fixed)))]


def legacy_cases(rng, count):
    from bittensor.utils.registration import pow as seedpow
    import importlib.metadata as md

    cases = []
    for i in range(count):
        block_hash = rng.randbytes(32)
        hotkey = rng.randbytes(32)
        bh = seedpow._hash_block_with_hotkey(block_hash, hotkey)
        for nonce in nonces_for(rng, 3):
            seal = seedpow._create_seal_hash(bh, nonce)
            for d in difficulties_for(seal, rng):
                cases.append({
                    "block_hash": hx(block_hash),
                    "hotkey": hx(hotkey),
                    "block_and_hotkey_hash": hx(bh),
                    "nonce": nonce,
                    "difficulty": d,
                    "seal": hx(seal),
                    "meets_seed_rule": bool(seedpow._seal_meets_difficulty(seal, d, LIMIT)),
                    "meets_chain_rule": int.from_bytes(seal, "little") * d <= LIMIT,
                    "verify_args": ["--scheme", "legacy", "--block-hash", hx(block_hash),
                                    "--hotkey", hx(hotkey), "--nonce", str(nonce),
                                    "--difficulty", str(d), "--json"],
                })
    return {
        "scheme": "legacy",
        "reference": "bittensor==" + md.version("bittensor")
                     + " bittensor.utils.registration.pow",
        "rule_sources": {"meets_seed_rule": "_seal_meets_difficulty (reference code)",
                         "meets_chain_rule": "plain Python, docs/chain-facts.md Difficulty rules"},
        "cases": cases,
    }


def v1_cases(rng, count):
    from bittensor import pow_registration as pr
    import importlib.metadata as md
    import bittensor_core

    cases = []
    for i in range(count):
        netuid = rng.randrange(1, 65536)
        block_hash = rng.randbytes(32)
        hotkey = rng.randbytes(32)
        coldkey = rng.randbytes(32)
        prefix = pr.registration_prefix(netuid, hx(block_hash),
                                        bittensor_core.ss58_encode(hotkey, 42),
                                        bittensor_core.ss58_encode(coldkey, 42))
        for nonce in nonces_for(rng, 3):
            seal = pr.registration_seal(prefix, nonce)
            for d in difficulties_for(seal, rng):
                cases.append({
                    "netuid": netuid,
                    "block_hash": hx(block_hash),
                    "hotkey": hx(hotkey),
                    "coldkey": hx(coldkey),
                    "prefix": hx(prefix),
                    "nonce": nonce,
                    "difficulty": d,
                    "seal": hx(seal),
                    "meets_seed_rule": int.from_bytes(seal, "big") * d < LIMIT,
                    "meets_chain_rule": int.from_bytes(seal, "little") <= LIMIT // d,
                    "verify_args": ["--scheme", "v1", "--block-hash", hx(block_hash),
                                    "--hotkey", hx(hotkey), "--netuid", str(netuid),
                                    "--coldkey", hx(coldkey), "--nonce", str(nonce),
                                    "--difficulty", str(d), "--json"],
                })
    return {
        "scheme": "v1",
        "reference": "bittensor==" + md.version("bittensor") + " bittensor.pow_registration",
        "rule_sources": {"meets_chain_rule": "mine_registration's check (reference code)",
                         "meets_seed_rule": "plain Python, docs/chain-facts.md Difficulty rules"},
        "cases": cases,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scheme", choices=["legacy", "v1"], default="legacy")
    p.add_argument("--count", type=int, default=8, help="number of random challenges")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed (default: a fresh one, printed in the output)")
    args = p.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 32)
    rng = random.Random(seed)
    try:
        doc = legacy_cases(rng, args.count) if args.scheme == "legacy" else v1_cases(rng, args.count)
    except ImportError as e:
        venv = "seed" if args.scheme == "legacy" else "v11"
        sys.exit(f"cross_check: cannot import the reference ({e}); run it with "
                 f".venv-ref/{venv}/bin/python (bench/setup_references.sh creates it)")
    doc["random_seed"] = seed
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
