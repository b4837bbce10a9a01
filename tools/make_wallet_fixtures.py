#!/usr/bin/env python3
"""Creates the wallet fixtures (Tests/WalletTests/Fixtures) and the SS58 fixture (Tests/ChainCodecTests/Fixtures)
with the real bittensor-wallet and scalecodec packages.

    python3 -m venv .venv-wallet
    .venv-wallet/bin/pip install "bittensor-wallet==4.1.1" "scalecodec==1.2.12"
    .venv-wallet/bin/python tools/make_wallet_fixtures.py

Every key made here is a throwaway test key. It writes:
  Tests/WalletTests/Fixtures/wallets/<wallet>/...       btcli wallet layout, as bittensor-wallet writes it
  Tests/WalletTests/Fixtures/wallets/expected.json      the public keys the package reported for each wallet
  Tests/ChainCodecTests/Fixtures/ss58-full-format.json  SS58 addresses in two-byte ("full") prefix formats, by scalecodec
"""
import json
import os
import shutil
import sys

from bittensor_wallet import Wallet
from bittensor_wallet import __version__ as wallet_version  # noqa: F401  (fails loudly on a wrong install)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "Tests", "WalletTests", "Fixtures", "wallets")
SS58_FIXTURE = os.path.join(HERE, "..", "Tests", "ChainCodecTests", "Fixtures", "ss58-full-format.json")
PASSWORD = "test-only-password"


def make(name, hotkey, coldkey_password=None, hotkey_password=None):
    w = Wallet(name=name, hotkey=hotkey, path=ROOT)
    w.create_new_coldkey(n_words=12, use_password=coldkey_password is not None, overwrite=True, suppress=True,
                         coldkey_password=coldkey_password)
    w.create_new_hotkey(n_words=12, use_password=hotkey_password is not None, overwrite=True, suppress=True,
                        hotkey_password=hotkey_password)
    cold = w.coldkeypub
    hot = w.get_hotkey(hotkey_password) if hotkey_password else w.hotkey
    return w, {
        "wallet": name, "hotkey": hotkey,
        "hotkey_public_key": "0x" + hot.public_key.hex(), "hotkey_ss58": hot.ss58_address,
        "coldkey_public_key": "0x" + cold.public_key.hex(), "coldkey_ss58": cold.ss58_address,
    }


def main():
    if os.path.exists(ROOT):
        shutil.rmtree(ROOT)
    os.makedirs(ROOT)
    expected = {}

    # 1. The usual wallet: encrypted coldkey, unencrypted hotkey, both pub files.
    _, e = make("main", "default", coldkey_password=PASSWORD)
    expected["main"] = e
    with open(os.path.join(ROOT, "main", "coldkey"), "rb") as f:
        assert f.read(5) == b"$NACL", "the coldkey should be encrypted"

    # 2. A second hotkey name in its own wallet, hotkeypub.txt removed: the fallback reads the hotkey file.
    w, e = make("nopub", "miner1", coldkey_password=PASSWORD)
    os.remove(os.path.join(w.path, "nopub", "hotkeys", "miner1pub.txt"))
    expected["nopub"] = e

    # 3. An encrypted hotkey and no hotkeypub.txt: the fallback must refuse it, naming the path.
    w, e = make("encrypted", "default", coldkey_password=PASSWORD, hotkey_password=PASSWORD)
    os.remove(os.path.join(w.path, "encrypted", "hotkeys", "defaultpub.txt"))
    expected["encrypted"] = e

    with open(os.path.join(ROOT, "expected.json"), "w") as f:
        json.dump({"package": "bittensor-wallet==4.1.1", "wallets": expected}, f, indent=2, sort_keys=True)
        f.write("\n")

    # Full-format SS58 vectors (formats >= 64 use a two-byte prefix); bittensor-wallet only writes format 42.
    from scalecodec.utils.ss58 import ss58_encode
    keys = [e["hotkey_public_key"] for e in expected.values()]
    keys.append("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
    vectors = []
    for key in keys:
        for fmt in (64, 65, 127, 128, 255, 256, 1284, 2254, 16383):
            vectors.append({"public_key": key, "format": fmt, "address": ss58_encode(key, fmt)})
    with open(SS58_FIXTURE, "w") as f:
        json.dump({"package": "scalecodec==1.2.12", "vectors": vectors}, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"wrote {ROOT} and ss58-full-format.json", file=sys.stderr)


if __name__ == "__main__":
    main()
