#!/usr/bin/env python3
"""A third-party client for btpow's devnet: substrate-interface 1.8.1 (with its scalecodec) connects, reads the
devnet's metadata and runtime version, queries storage (System.Account, SubtensorModule.Uids) and decodes a block
holding an extrinsic that btpow built, signed and submitted (get_block: the call's module, function, arguments and
the signer). Then py-sr25519-bindings verifies that extrinsic's signature over a signing payload rebuilt here:
call || extra || additional, where call and extra are cut from the bytes chain_getBlock returns (extra walked
extension by extension with the metadata's types) and additional is built from spec_version, transaction_version
and the genesis hash read over RPC and the era's birth-block hash (chain_getBlockHash); hashed with blake2b-256 when
longer than 256 bytes. A payload with one bit flipped must not verify. Prints one JSON object.

Usage: devnet_substrate_interface.py PORT BLOCK_HASH COLDKEY_SS58 HOTKEY_SS58 NETUID
"""
import hashlib
import json
import sys

import sr25519
from scalecodec.base import ScaleBytes
from substrateinterface import SubstrateInterface

from devnet_rpc import plain


def compact(data: bytes, offset: int) -> tuple[int, int]:
    """A SCALE compact integer at offset: (value, offset after it)."""
    mode = data[offset] & 3
    if mode == 0:
        return data[offset] >> 2, offset + 1
    if mode == 1:
        return int.from_bytes(data[offset:offset + 2], "little") >> 2, offset + 2
    if mode == 2:
        return int.from_bytes(data[offset:offset + 4], "little") >> 2, offset + 4
    length = (data[offset] >> 2) + 4
    return int.from_bytes(data[offset + 1:offset + 1 + length], "little"), offset + 1 + length


def mortal_birth(era: bytes, number: int) -> int:
    """The birth block of a SCALE-encoded era (0 for immortal), seen from a block inside its window."""
    if era == b"\x00":
        return 0
    encoded = int.from_bytes(era[:2], "little")
    period = 2 << (encoded % 16)
    phase = (encoded >> 4) * max(period >> 12, 1)
    return (max(number, phase) - phase) // period * period + phase


def main() -> None:
    port, block_hash, cold_ss58, hot_ss58, netuid = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    # No ss58_format given: substrate-interface reads it from system_properties, as it does against a node.
    substrate = SubstrateInterface(url=f"ws://127.0.0.1:{port}")
    out = {"chain": substrate.chain, "ss58Format": substrate.ss58_format, "properties": substrate.properties}

    # Metadata and runtime version.
    substrate.init_runtime(block_hash=block_hash)
    metadata = substrate.get_metadata(block_hash=block_hash)
    out["specVersion"] = substrate.runtime_version
    out["transactionVersion"] = substrate.transaction_version
    out["pallets"] = [p.name for p in metadata.pallets]
    out["signedExtensions"] = list(metadata.get_signed_extensions().keys())

    # Storage, keyed and decoded by substrate-interface.
    account = substrate.query("System", "Account", [cold_ss58], block_hash=block_hash)
    out["account"] = plain(account.value)
    uid = substrate.query("SubtensorModule", "Uids", [netuid, hot_ss58], block_hash=block_hash)
    out["uid"] = uid.value

    # The block, decoded by substrate-interface.
    block = substrate.get_block(block_hash=block_hash)
    decoded = []
    for extrinsic in block["extrinsics"]:
        value = extrinsic.value
        decoded.append({
            "module": value["call"]["call_module"],
            "function": value["call"]["call_function"],
            "args": {a["name"]: plain(a["value"]) for a in value["call"]["call_args"]},
            "address": value.get("address"),
            "nonce": value.get("nonce"),
            "tip": value.get("tip"),
            "era": plain(value.get("era")),
            "hash": value.get("extrinsic_hash"),
        })
    out["extrinsics"] = decoded
    events = substrate.get_events(block_hash=block_hash)
    out["events"] = [f"{e.value['module_id']}.{e.value['event_id']}" for e in events]

    # The signature, checked over a payload rebuilt here from the fetched bytes and the chain's values.
    raw = bytes.fromhex(substrate.rpc_request("chain_getBlock", [block_hash])["result"]["block"]["extrinsics"][0][2:])
    length, at = compact(raw, 0)
    assert length == len(raw) - at, "length prefix"
    assert raw[at] == 0x84, f"not a signed v4 extrinsic: {raw[at]:#x}"
    assert raw[at + 1] == 0x00 and raw[at + 34] == 0x01, "MultiAddress::Id and MultiSignature::Sr25519 expected"
    signer, signature = raw[at + 2:at + 34], raw[at + 35:at + 99]
    at += 99
    extra_start = at
    era_birth = None
    additional = b""
    header = substrate.rpc_request("chain_getHeader", [block_hash])["result"]
    block_number = int(header["number"], 16)
    version = substrate.rpc_request("state_getRuntimeVersion", [])["result"]
    genesis = bytes.fromhex(substrate.rpc_request("chain_getBlockHash", [0])["result"][2:])
    for name, types in metadata.get_signed_extensions().items():
        before = at
        part = substrate.runtime_config.create_scale_object(types["extrinsic"], data=ScaleBytes(raw[at:]))
        value = part.decode(check_remaining=False)
        at += part.data.offset
        if name == "CheckMortality":
            era_birth = mortal_birth(raw[before:at], block_number)
            additional += bytes.fromhex(substrate.rpc_request("chain_getBlockHash", [era_birth])["result"][2:])
        elif name == "CheckSpecVersion":
            additional += int(version["specVersion"]).to_bytes(4, "little")
        elif name == "CheckTxVersion":
            additional += int(version["transactionVersion"]).to_bytes(4, "little")
        elif name == "CheckGenesis":
            additional += genesis
        elif name == "CheckMetadataHash":
            # Mode Disabled signs Option::None; Enabled would sign the metadata's digest, which is not rebuilt here.
            mode = value["mode"] if isinstance(value, dict) else value
            assert mode == "Disabled", f"CheckMetadataHash mode {mode}"
            additional += b"\x00"
        else:
            empty = substrate.runtime_config.create_scale_object(types["additional_signed"], data=ScaleBytes(b""))
            empty.decode(check_remaining=False)
            assert empty.data.offset == 0, f"{name} signs additional data this script does not rebuild"
    extra = raw[extra_start:at]
    call = raw[at:]
    payload = call + extra + additional
    if len(payload) > 256:
        payload = hashlib.blake2b(payload, digest_size=32).digest()
    flipped = bytearray(payload)
    flipped[0] ^= 0x01
    out["signature"] = {
        "signer": "0x" + signer.hex(),
        "eraBirth": era_birth,
        "callBytes": "0x" + call.hex(),
        "extraBytes": "0x" + extra.hex(),
        "additionalBytes": "0x" + additional.hex(),
        "verified": sr25519.verify(signature, payload, signer),
        "flippedVerifies": sr25519.verify(signature, bytes(flipped), signer),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
