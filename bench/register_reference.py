#!/usr/bin/env python3
"""The reference for `btpow bench --register-latency`'s build-and-sign figure: bittensor 11.3's own offline composer
(bittensor._transport) builds SubtensorModule.pow_register from a running local chain's metadata and signs it
(py-sr25519-bindings), the same steps btpow times: compose the call, prepare the signed extensions and payload,
sign, attach the signature. Prints one JSON line: microseconds per extrinsic (median, p99, mean) and the count.

Usage: register_reference.py PORT [COUNT]
"""
import asyncio
import json
import os
import statistics
import sys
import time

from bittensor._transport.codec import RuntimeCodec
from bittensor._transport.extrinsics import attach_signature, prepare_extrinsic, sign_unsigned

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from devnet_rpc import Keypair, Node  # noqa: E402


def main() -> None:
    port = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    node = Node(port)
    metadata = bytes.fromhex(node.result("state_getMetadata", [])[2:])
    version = node.result("state_getRuntimeVersion", [])
    genesis = node.result("chain_getBlockHash", [0])
    head = int(node.result("chain_getHeader", [])["number"], 16)
    codec = RuntimeCodec(metadata, spec_version=version["specVersion"], transaction_version=version["transactionVersion"])
    era = {"period": 16, "current": head}
    birth = node.result("chain_getBlockHash", [codec.era_birth(era, head)])
    node.ws.close()
    keypair = Keypair(os.urandom(32))
    args = {"netuid": 1, "work_block": head, "nonce": 0x1234_5678_9ABC, "work": os.urandom(32), "hotkey": os.urandom(32)}

    def build_and_sign(nonce: int) -> bytes:
        call = codec.compose_call("SubtensorModule", "pow_register", args)
        unsigned = prepare_extrinsic(codec, call, address="", public_key=keypair.public_key, crypto_type=1, era=era,
                                     nonce=nonce, tip=0, genesis_hash=genesis, era_block_hash=birth)
        signature = asyncio.run(sign_unsigned(unsigned, keypair))
        return attach_signature(codec, unsigned, signature).data

    for nonce in range(50):
        build_and_sign(nonce)
    times = []
    for nonce in range(count):
        t0 = time.perf_counter_ns()
        data = build_and_sign(nonce)
        times.append((time.perf_counter_ns() - t0) / 1000)
        assert len(data) > 100
    times.sort()
    print(json.dumps({"count": count, "median": statistics.median(times), "p99": times[int(0.99 * (count - 1))],
                      "mean": statistics.fmean(times), "bittensor": "11.3.0"}))


if __name__ == "__main__":
    main()
