"""What the Python clients of btpow's local chain share (tools/devnet_signed_client.py,
tools/devnet_substrate_interface.py, bench/register_reference.py): an sr25519 key pair in the shape bittensor's
signer expects, a JSON-RPC connection over a plain WebSocket, and decoded values as JSON.
"""
import json

import sr25519
from websockets.sync.client import connect


class Keypair:
    """What bittensor's sign_unsigned needs: a public key and sign(payload)."""

    def __init__(self, seed: bytes):
        self.public_key, self._secret = sr25519.pair_from_seed(seed)
        self.ss58_format = 42
        self.ss58_address = ""

    def sign(self, data: bytes) -> bytes:
        return sr25519.sign((self.public_key, self._secret), data)


class Node:
    def __init__(self, port: int):
        self.ws = connect(f"ws://127.0.0.1:{port}/", max_size=None)
        self.next_id = 0
        self.buffered = []

    def call(self, method: str, params: list):
        self.next_id += 1
        self.ws.send(json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=10))
            if message.get("id") == self.next_id:
                return message
            self.buffered.append(message)

    def result(self, method: str, params: list):
        reply = self.call(method, params)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def notification(self, subscription: str):
        while True:
            for i, m in enumerate(self.buffered):
                if m.get("params", {}).get("subscription") == subscription:
                    return self.buffered.pop(i)["params"]["result"]
            self.buffered.append(json.loads(self.ws.recv(timeout=10)))


def plain(value):
    """Decoded values as JSON: bytes as 0x-hex, tuples as lists."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
