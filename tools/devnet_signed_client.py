#!/usr/bin/env python3
"""A third-party client for btpow's devnet: bittensor 11.3's own codec (bittensor._transport) reads the devnet's
metadata, composes a SubtensorModule call, prepares and signs it (through a py-sr25519-bindings keypair), and this
script submits it over a plain WebSocket (`websockets`) with author_submitAndWatchExtrinsic, produces a block,
waits for inBlock and finalized, fetches the block with chain_getBlock and verifies the included extrinsic's
signature with py-sr25519-bindings. It then reads the effect back through bittensor's own storage keys and decoding
of the devnet's metadata (state_getStorage over the socket): System.Account before and after, System.Events of the
block, and SubtensorModule.Uids(netuid, hotkey) for a pow_register. Prints one JSON object.

Usage: devnet_signed_client.py PORT SEED_HEX CALL ARGS_JSON
  CALL: faucet | pow_register; ARGS_JSON: the call's arguments (hex strings for byte arguments).
"""
import asyncio
import json
import sys

import sr25519

from bittensor._transport.codec import RuntimeCodec, ss58_encode
from bittensor._transport.storage import decode_storage_value
from bittensor._transport.extrinsics import attach_signature, prepare_extrinsic, sign_unsigned

from devnet_rpc import Keypair, Node, plain


def read_storage(node: Node, codec: RuntimeCodec, pallet: str, name: str, params: list, at=None):
    """One storage item, keyed and decoded by bittensor's codec from the devnet's metadata."""
    entry = codec.storage_entry(pallet, name)
    key = "0x" + codec.storage_key(entry, params).hex()
    raw = node.result("state_getStorage", [key] if at is None else [key, at])
    return decode_storage_value(codec, entry, None if raw is None else bytes.fromhex(raw[2:]))


def main() -> None:
    port, seed, call_name, args = int(sys.argv[1]), bytes.fromhex(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
    args = {k: bytes.fromhex(v[2:]) if isinstance(v, str) and v.startswith("0x") else v for k, v in args.items()}
    node = Node(port)
    metadata = bytes.fromhex(node.result("state_getMetadata", [])[2:])
    version = node.result("state_getRuntimeVersion", [])
    codec = RuntimeCodec(metadata, spec_version=version["specVersion"], transaction_version=version["transactionVersion"])
    keypair = Keypair(seed)
    genesis = node.result("chain_getBlockHash", [0])
    head = int(node.result("chain_getHeader", [])["number"], 16)
    era = {"period": 16, "current": head}
    birth_hash = node.result("chain_getBlockHash", [codec.era_birth(era, head)])
    nonce = node.result("system_accountNextIndex", [ss58_encode(keypair.public_key, 42)])
    account_before = read_storage(node, codec, "System", "Account", [ss58_encode(keypair.public_key, 42)])
    call = codec.compose_call("SubtensorModule", call_name, args)
    unsigned = prepare_extrinsic(codec, call, address="", public_key=keypair.public_key, crypto_type=1, era=era,
                                 nonce=nonce, tip=0, genesis_hash=genesis, era_block_hash=birth_hash)
    signature = asyncio.run(sign_unsigned(unsigned, keypair))
    signed = attach_signature(codec, unsigned, signature)
    subscription = node.result("author_submitAndWatchExtrinsic", ["0x" + signed.data.hex()])
    updates = [node.notification(subscription)]
    node.result("devnet_produceBlock", [])
    updates.append(node.notification(subscription))
    updates.append(node.notification(subscription))
    block_hash = updates[1]["inBlock"]
    block = node.result("chain_getBlock", [block_hash])["block"]
    included = bytes.fromhex(block["extrinsics"][0][2:])
    # Compact length (2 bytes here), version, MultiAddress::Id (1 + 32), MultiSignature::Sr25519 (1 + 64).
    prefix = 1 if included[0] & 3 == 0 else 2
    signer = included[prefix + 2: prefix + 34]
    fetched_signature = included[prefix + 35: prefix + 99]
    account_after = read_storage(node, codec, "System", "Account", [ss58_encode(keypair.public_key, 42)])
    events = read_storage(node, codec, "System", "Events", [], at=block_hash)
    uid = None
    if call_name == "pow_register":
        uid = read_storage(node, codec, "SubtensorModule", "Uids", [args["netuid"], ss58_encode(args["hotkey"], 42)])
    print(json.dumps({
        "publicKey": "0x" + keypair.public_key.hex(),
        "hash": signed.extrinsic_hash,
        "extrinsic": "0x" + signed.data.hex(),
        "updates": updates,
        "included": included == signed.data,
        # What btpow needs to compose the same extrinsic and compare it byte for byte with bittensor's.
        "eraCurrent": head,
        "eraBirthHash": birth_hash,
        "accountNonce": nonce,
        "signature": "0x" + bytes(signature).hex(),
        "payload": "0x" + bytes(unsigned.payload).hex(),
        "verified": sr25519.verify(fetched_signature, unsigned.payload, signer),
        "tamperedVerifies": sr25519.verify(fetched_signature, unsigned.payload + b"\x00", signer),
        "accountBefore": plain(account_before),
        "accountAfter": plain(account_after),
        "events": plain(events),
        "uid": uid,
    }))


if __name__ == "__main__":
    main()
