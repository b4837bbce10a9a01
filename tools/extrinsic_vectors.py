#!/usr/bin/env python3
"""Prints, as JSON, what bittensor 11.3's own offline codec (bittensor._transport, over bittensor_core) says about
the spec-343 metadata fixtures and the extrinsics it composes from them. ChainMetadataTests compares btpow's
metadata reader and extrinsic builder with this output: the committed copy
Tests/ChainMetadataTests/Fixtures/extrinsic-vectors.json, and a live run when tools/setup_extrinsic_python.sh can
install bittensor==11.3.0.

Usage: extrinsic_vectors.py FIXTURES_DIR > extrinsic-vectors.json
"""
import hashlib
import json
import sys
from pathlib import Path

from bittensor._transport.codec import RuntimeCodec, strip_option_opaque_metadata
from bittensor._transport.extrinsics import attach_signature, prepare_extrinsic

SPEC_VERSION = 343
TX_VERSION = 1
GENESIS = "0x" + "2f" * 16 + "a1" * 16
BIRTH_HASH = "0x" + "5e" * 32
SIGNER = bytes(range(1, 33))
SIGNATURE = bytes((7 * i + 11) % 256 for i in range(64))
ACCOUNT_A = "0x" + bytes(range(100, 132)).hex()
ACCOUNT_B = "0x" + "ee" * 32


def load(fixtures: Path, version: int) -> RuntimeCodec:
    raw = bytes.fromhex((fixtures / f"subtensor-spec343-v{version}.hex").read_text().strip().removeprefix("0x"))
    if version == 15:  # the runtime API's Option<OpaqueMetadata>
        raw = strip_option_opaque_metadata(raw)
    return RuntimeCodec(raw, spec_version=SPEC_VERSION, transaction_version=TX_VERSION)


def to_python(value):
    """Typed JSON arguments ({"u": 1}, {"bytes": "0x.."}, {"seq": [..]}, {"fields": {..}}, {"none": null},
    {"some": ..}) to the plain values compose_call takes."""
    (kind, inner), = value.items()
    if kind == "u":
        return int(inner)
    if kind == "bytes":
        return bytes.fromhex(inner.removeprefix("0x"))
    if kind == "seq":
        return [to_python(v) for v in inner]
    if kind == "fields":
        return {k: to_python(v) for k, v in inner.items()}
    if kind == "none":
        return None
    if kind == "some":
        return to_python(inner)
    raise ValueError(kind)


def registry_digest(codec: RuntimeCodec) -> tuple[int, str]:
    """One line per type, without docs, in the form ChainMetadataTests writes too; blake2b-256 of the lines."""
    def fields(fs):
        return ",".join(f"{f.get('name', '')}:{f['type']}:{f.get('typeName', '')}" for f in fs)

    lines = []
    for entry in codec.registry_types():
        t = entry["type"]
        (kind, d), = t["def"].items()
        if kind == "composite":
            body = "composite(" + fields(d.get("fields", [])) + ")"
        elif kind == "variant":
            body = "variant(" + ";".join(
                f"{v['name']}#{v['index']}[{fields(v.get('fields', []))}]" for v in d.get("variants", [])) + ")"
        elif kind == "sequence":
            body = f"sequence({d['type']})"
        elif kind == "array":
            body = f"array({d['len']},{d['type']})"
        elif kind == "tuple":
            body = "tuple(" + ",".join(str(x) for x in d) + ")"
        elif kind == "primitive":
            body = f"primitive({d})"
        elif kind == "compact":
            body = f"compact({d['type']})"
        else:
            body = f"bitsequence({d['bit_store_type']},{d['bit_order_type']})"
        params = ",".join(f"{p['name']}:{'' if p.get('type') is None else p['type']}" for p in t.get("params", []))
        lines.append(f"{entry['id']}|{'::'.join(t.get('path', []))}|{params}|{body}")
    text = "\n".join(lines).encode()
    return len(lines), hashlib.blake2b(text, digest_size=32).hexdigest()


CALLS = [
    ("SubtensorModule", "faucet", {"block_number": {"u": 1000}, "nonce": {"u": 12345}, "work": {"bytes": "0x" + "01" * 32}}),
    ("SubtensorModule", "burned_register", {"netuid": {"u": 3}, "hotkey": {"bytes": ACCOUNT_A}}),
    ("SubtensorModule", "register", {"netuid": {"u": 1}, "block_number": {"u": 77}, "nonce": {"u": 5},
                                     "work": {"bytes": "0x" + "42" * 32}, "hotkey": {"bytes": ACCOUNT_A},
                                     "coldkey": {"bytes": ACCOUNT_B}}),
    ("SubtensorModule", "swap_hotkey", {"hotkey": {"bytes": ACCOUNT_A}, "new_hotkey": {"bytes": ACCOUNT_B}, "netuid": {"none": None}}),
    ("SubtensorModule", "swap_hotkey", {"hotkey": {"bytes": ACCOUNT_A}, "new_hotkey": {"bytes": ACCOUNT_B}, "netuid": {"some": {"u": 513}}}),
    ("SubtensorModule", "associate_evm_key", {"netuid": {"u": 65535}, "evm_key": {"bytes": "0x" + "09" * 20},
                                              "block_number": {"u": 2**64 - 1}, "signature": {"bytes": "0x" + "07" * 65}}),
    ("Scheduler", "cancel_named", {"id": {"bytes": "0x" + "a5" * 32}}),
    ("Multisig", "approve_as_multi", {"threshold": {"u": 2}, "other_signatories": {"seq": [{"bytes": ACCOUNT_A}, {"bytes": ACCOUNT_B}]},
                                      "maybe_timepoint": {"some": {"fields": {"height": {"u": 100}, "index": {"u": 2}}}},
                                      "call_hash": {"bytes": "0x" + "03" * 32},
                                      "max_weight": {"fields": {"ref_time": {"u": 1_000_000}, "proof_size": {"u": 4096}}}}),
]

# (metadata version, call args, era, nonce, tip)
EXTRINSICS = [
    (15, ("SubtensorModule", "faucet", {"block_number": {"u": 1000}, "nonce": {"u": 12345}, "work": {"bytes": "0x" + "01" * 32}}),
     {"period": 64, "current": 1000}, 7, 0),
    (14, ("SubtensorModule", "faucet", {"block_number": {"u": 4_567_889}, "nonce": {"u": 2**64 - 1}, "work": {"bytes": "0x" + "c3" * 32}}),
     "00", 0, 0),
    (14, ("SubtensorModule", "faucet", {"block_number": {"u": 4_567_889}, "nonce": {"u": 99}, "work": {"bytes": "0x" + "7e" * 300}}),
     {"period": 16, "current": 4_567_890}, 1_000_000_000, 0),
    (15, ("SubtensorModule", "burned_register", {"netuid": {"u": 3}, "hotkey": {"bytes": ACCOUNT_A}}),
     {"period": 128, "current": 9_233_781}, 64, 12345),
]

ERAS = [(64, 1000), (16, 5000), (16, 0), (100, 123456), (1, 7), (5, 3), (4096, 1_000_000), (8192, 1_000_001),
        (65536, 12_345_678), (262144, 999_999)]


def main() -> None:
    fixtures = Path(sys.argv[1])
    out = {"generator": "tools/extrinsic_vectors.py", "bittensor": "11.3.0", "specVersion": SPEC_VERSION,
           "transactionVersion": TX_VERSION, "genesisHash": GENESIS, "eraBirthHash": BIRTH_HASH,
           "signer": "0x" + SIGNER.hex(), "signature": "0x" + SIGNATURE.hex(), "metadata": {}}
    for version in (14, 15):
        codec = load(fixtures, version)
        ir = codec._rt.metadata_ir()
        count, digest = registry_digest(codec)
        subtensor = next(p for p in ir["pallets"] if p["name"] == "SubtensorModule")
        uids = codec.storage_entry("SubtensorModule", "Uids")
        calls = []
        for pallet, name, args in CALLS:
            data = codec.compose_call(pallet, name, {k: to_python(v) for k, v in args.items()}).data
            ir_pallet = next(p for p in ir["pallets"] if p["name"] == pallet)
            ir_call = next(c for c in ir_pallet["calls"] if c["name"] == name)
            calls.append({"pallet": pallet, "call": name, "args": args, "palletIndex": data[0], "callIndex": data[1],
                          "argTypes": [[a["name"], a["type_ident"]] for a in ir_call["args"]], "bytes": "0x" + data.hex()})
        out["metadata"][f"v{version}"] = {
            "isV15": codec.is_v15,
            "extrinsicVersion": codec.extrinsic_version,
            "signedExtensions": codec.signed_extension_identifiers(),
            "typeCount": count,
            "registryDigest": digest,
            "pallets": [[p["name"], p["index"]] for p in ir["pallets"]],
            "subtensorErrors": [[e["index"], e["name"]] for e in subtensor["errors"]],
            "systemErrors": [[e["index"], e["name"]] for e in next(p for p in ir["pallets"] if p["name"] == "System")["errors"]],
            "subtensorCallNames": [c["name"] for c in subtensor["calls"]],
            "callArgumentTypes": {p["name"]: {c["name"]: [[a["name"], a["type_ident"]] for a in c["args"]]
                                              for c in p["calls"]} for p in ir["pallets"] if p["calls"]},
            "storageValueTypes": {p["name"]: {e["name"]: e["value_type_ident"] for e in p["storage"]}
                                  for p in ir["pallets"] if p["storage"]},
            "uids": {"hashers": uids.param_hashers, "keyTypes": uids.param_types, "valueType": uids.value_type,
                     "modifier": uids.modifier, "default": "0x" + uids.default_bytes.hex()},
            "calls": calls,
        }
    out["eras"] = []
    codec = load(fixtures, 14)
    for period, current in ERAS:
        era = {"period": period, "current": current}
        out["eras"].append({"period": period, "current": current, "encoded": "0x" + codec.encode_era(era).hex(),
                            "birth": codec.era_birth(era, current)})
    out["extrinsics"] = []
    for version, (pallet, name, args), era, nonce, tip in EXTRINSICS:
        codec = load(fixtures, version)
        call = codec.compose_call(pallet, name, {k: to_python(v) for k, v in args.items()})
        unsigned = prepare_extrinsic(codec, call, address="", public_key=SIGNER, crypto_type=1, era=era, nonce=nonce,
                                     tip=tip, genesis_hash=GENESIS,
                                     era_block_hash=GENESIS if era == "00" else BIRTH_HASH)
        signed = attach_signature(codec, unsigned, SIGNATURE)
        out["extrinsics"].append({
            "metadata": f"v{version}", "pallet": pallet, "call": name, "args": args,
            "era": era if era != "00" else None, "nonce": nonce, "tip": tip,
            "callData": "0x" + codec.call_data(call).hex(),
            "extra": "0x" + unsigned.included_in_extrinsic.hex(),
            "additional": "0x" + unsigned.included_in_signed_data.hex(),
            "payload": "0x" + unsigned.payload.hex(),
            "signed": "0x" + signed.data.hex(),
            "hash": signed.extrinsic_hash,
        })
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
