#!/usr/bin/env python3
"""Independent sr25519 and wallet implementations for btpow's Keys tests.

Reads a JSON list of operations on stdin and prints a JSON list of results, one per operation:
  {"op": "pair_from_seed", "seed": hex}                         -> {"public": hex, "secret": hex}  (py-sr25519-bindings)
  {"op": "sign", "public": hex, "secret": hex, "message": hex}  -> {"signature": hex}              (py-sr25519-bindings)
  {"op": "verify", "public": hex, "message": hex, "signature": hex} -> {"valid": bool}            (py-sr25519-bindings)
  {"op": "wallet_verify", "public": hex, "message": hex, "signature": hex} -> {"valid": bool}     (bittensor-wallet Keypair)
  {"op": "create_wallet", "path": dir, "name": str, "hotkey": str, "password": str, "cold_seed": hex (optional)}
      -> bittensor-wallet 4.1.1 writes an encrypted coldkey (from cold_seed when given), coldkeypub.txt and a
         plain hotkey; {"coldkey_path", "env_var_name", "env_value", "coldkey_public", "hotkey_public",
         "coldkey_ss58", "hotkey_ss58", "coldkey_secret" (py-sr25519-bindings' pair_from_seed, with cold_seed)}
"""
import json
import sys

import sr25519


def run(op):
    kind = op["op"]
    if kind == "pair_from_seed":
        public, secret = sr25519.pair_from_seed(bytes.fromhex(op["seed"]))
        return {"public": public.hex(), "secret": secret.hex()}
    if kind == "sign":
        sig = sr25519.sign((bytes.fromhex(op["public"]), bytes.fromhex(op["secret"])), bytes.fromhex(op["message"]))
        return {"signature": sig.hex()}
    if kind == "verify":
        try:
            ok = sr25519.verify(bytes.fromhex(op["signature"]), bytes.fromhex(op["message"]), bytes.fromhex(op["public"]))
        except Exception:  # malformed key or signature: not valid
            ok = False
        return {"valid": bool(ok)}
    if kind == "wallet_verify":
        from bittensor_wallet import Keypair
        try:
            ok = Keypair(public_key=op["public"]).verify(bytes.fromhex(op["message"]), bytes.fromhex(op["signature"]))
        except Exception:
            ok = False
        return {"valid": bool(ok)}
    if kind == "create_wallet":
        from bittensor_wallet import Keypair, Wallet
        wallet = Wallet(name=op["name"], hotkey=op["hotkey"], path=op["path"])
        seed = op.get("cold_seed")
        cold = Keypair.create_from_seed(seed) if seed else Keypair.create_from_mnemonic(Keypair.generate_mnemonic())
        hot = Keypair.create_from_mnemonic(Keypair.generate_mnemonic())
        wallet.set_coldkey(cold, encrypt=True, overwrite=True, coldkey_password=op["password"])
        wallet.set_coldkeypub(cold, overwrite=True)
        wallet.set_hotkey(hot, encrypt=False, overwrite=True)
        return {
            "coldkey_path": wallet.coldkey_file.path,
            "env_var_name": wallet.coldkey_file.env_var_name(),
            "env_value": wallet.coldkey_file.save_password_to_env(op["password"]),
            "coldkey_public": cold.public_key.hex(),
            "hotkey_public": hot.public_key.hex(),
            "coldkey_ss58": cold.ss58_address,
            "hotkey_ss58": hot.ss58_address,
            "coldkey_secret": sr25519.pair_from_seed(bytes.fromhex(seed))[1].hex() if seed else None,
        }
    raise ValueError(f"unknown op {kind}")


if __name__ == "__main__":
    import os

    ops = json.load(sys.stdin)
    # bittensor-wallet prints progress ("Encrypting...") on stdout, from Python and from Rust: keep the real
    # stdout for the JSON answer and point file descriptor 1 at stderr while the operations run.
    sys.stdout.flush()
    answer = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    results = [run(op) for op in ops]
    sys.stdout.flush()
    json.dump(results, answer)
    answer.close()
