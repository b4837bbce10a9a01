"""Drives a running devnet with third-party clients (the `websockets` package and urllib) and checks the
wire format a Substrate node uses. Usage: devnet_ws_client.py PORT DIFFICULTY_KEY_HEX EXPECTED_VALUE_HEX
Prints one JSON line with what it saw; exits non-zero (with the reason on stderr) on any mismatch."""
import asyncio
import json
import re
import sys
import urllib.request

import websockets

HEX32 = re.compile(r"^0x[0-9a-f]{64}$")
NUMBER = re.compile(r"^0x(0|[1-9a-f][0-9a-f]*)$")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def check_header(header):
    check(isinstance(header, dict), f"header is not an object: {header!r}")
    check(set(header) == {"parentHash", "number", "stateRoot", "extrinsicsRoot", "digest"}, f"header keys: {sorted(header)}")
    for key in ("parentHash", "stateRoot", "extrinsicsRoot"):
        check(HEX32.match(header[key]), f"{key} is not 0x + 64 hex digits: {header[key]!r}")
    check(isinstance(header["number"], str) and NUMBER.match(header["number"]), f"number: {header['number']!r}")
    check(header["digest"] == {"logs": []}, f"digest: {header['digest']!r}")
    return int(header["number"], 16)


async def main(port, key, expected):
    seen = {}
    async with websockets.connect(f"ws://127.0.0.1:{port}") as ws:
        pending = []  # notifications that arrive while waiting for a reply

        async def call(method, params, id):
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if message.get("id") == id and "method" not in message:
                    check(message.get("jsonrpc") == "2.0", f"jsonrpc field: {message!r}")
                    return message
                pending.append(message)

        async def notification():
            while not pending:
                pending.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
            return pending.pop(0)

        reply = await call("chain_subscribeNewHeads", [], 1)
        subscription = reply["result"]
        check(isinstance(subscription, (str, int)), f"subscription id: {reply!r}")
        numbers = []
        for _ in range(2):
            note = await notification()
            check(set(note) == {"jsonrpc", "method", "params"}, f"notification keys: {sorted(note)}")
            check(note["jsonrpc"] == "2.0" and note["method"] == "chain_newHead", f"notification: {note!r}")
            check(note["params"]["subscription"] == subscription, f"subscription in notification: {note!r}")
            numbers.append(check_header(note["params"]["result"]))
            last = note["params"]["result"]
        check(numbers[1] > numbers[0], f"heads not increasing: {numbers}")
        seen["heads"] = numbers

        block_hash = (await call("chain_getBlockHash", [numbers[1]], 2))["result"]
        check(HEX32.match(block_hash), f"block hash: {block_hash!r}")
        header = (await call("chain_getHeader", [block_hash], 3))["result"]
        check(header == last, f"getHeader({block_hash}) != notified header: {header!r} vs {last!r}")
        seen["header"] = header

        value = (await call("state_getStorage", [key, block_hash], 4))["result"]
        check(value == expected, f"state_getStorage: {value!r}, expected {expected!r}")
        absent = (await call("state_getStorage", ["0x" + "ab" * 40], 5))["result"]
        check(absent is None, f"absent key gave {absent!r}")
        seen["storage"] = value

        error = await call("no_such_method", [], "python-id")
        check(error["error"]["code"] == -32601 and error["error"]["message"] == "Method not found", f"error: {error!r}")
        seen["error"] = error["error"]

        done = await call("chain_unsubscribeNewHeads", [subscription], 6)
        check(done["result"] is True, f"unsubscribe: {done!r}")

    # HTTP POST on the same port.
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/",
        data=json.dumps({"jsonrpc": "2.0", "id": 7, "method": "state_getStorage", "params": [key]}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.loads(response.read())
    check(body == {"jsonrpc": "2.0", "id": 7, "result": expected}, f"HTTP POST: {body!r}")
    seen["http"] = body
    print(json.dumps(seen, sort_keys=True))


if __name__ == "__main__":
    try:
        asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
    except AssertionError as error:
        print(f"wire format mismatch: {error}", file=sys.stderr)
        sys.exit(1)
