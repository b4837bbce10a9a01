#!/usr/bin/env python3
"""The reference side of bench/keys.sh: py-sr25519-bindings (schnorrkel) signing and verification time per
signature, and bittensor-wallet 4.1.1 unlocking a $NACL coldkey it wrote. Prints one JSON object."""
import json
import os
import sys
import tempfile
import time

import sr25519


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    seed = os.urandom(32)
    pair = sr25519.pair_from_seed(seed)
    message = b"\x5a" * 128
    for _ in range(50):
        sr25519.sign(pair, message)
    count, start = 0, time.perf_counter()
    sig = None
    while count < 100_000:
        sig = sr25519.sign(pair, message)
        count += 1
        if count % 64 == 0 and time.perf_counter() - start > min(seconds, 5):
            break
    signed = time.perf_counter()
    for _ in range(count):
        assert sr25519.verify(sig, message, pair[0])
    verified = time.perf_counter()

    from bittensor_wallet import Keypair, Wallet

    with tempfile.TemporaryDirectory() as root:
        wallet = Wallet(name="bench", hotkey="bench", path=root)
        saved = os.dup(1)
        os.dup2(2, 1)  # bittensor-wallet prints progress on stdout
        try:
            wallet.set_coldkey(Keypair.create_from_seed(seed.hex()), encrypt=True, overwrite=True, coldkey_password="benchmark password")
            t0 = time.perf_counter()
            wallet.coldkey_file.get_keypair(password="benchmark password")
            unlock = time.perf_counter() - t0
        finally:
            os.dup2(saved, 1)
    json.dump({"signatures": count, "sign_microseconds": (signed - start) / count * 1e6,
               "verify_microseconds": (verified - signed) / count * 1e6, "unlock_seconds": unlock}, sys.stdout)


if __name__ == "__main__":
    main()
