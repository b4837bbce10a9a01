import ChainCodec
import Devnet
import PoWCore
import Subtensor
import Testing

/// The node's JSON-RPC as seen over real sockets on 127.0.0.1: HTTP POST and WebSocket.
@Suite(.serialized) struct RPCTests {
    @Test func testSystemMethodsOverHTTP() async throws {
        let (server, port) = try await startDevnet()
        let chain = try await httpCall(port: port, "system_chain")
        #expect(chain == .string("btpow devnet"))
        let name = try await httpCall(port: port, "system_name")
        #expect(name.stringValue != nil)
        let version = try await httpCall(port: port, "system_version")
        #expect(version.stringValue != nil)
        // A Subtensor node's chain-spec properties: SS58 format 42, 9 decimals, TAO.
        let properties = try await httpCall(port: port, "system_properties")
        #expect(properties == ["ss58Format": 42, "tokenDecimals": 9, "tokenSymbol": "TAO"])
        let methods = try await httpCall(port: port, "rpc_methods")
        guard case .array(let list)? = methods["methods"] else { Issue.record("rpc_methods: \(methods)"); return }
        for m in ["chain_getHeader", "chain_getBlockHash", "chain_getFinalizedHead", "state_getStorage",
                  "chain_subscribeNewHeads", "chain_unsubscribeNewHeads", "devnet_submitPow"] {
            #expect(list.contains(.string(m)), "\(m)")
        }
        await server.stop()
    }

    /// Everything the devnet serves, aliases included.
    static let servedMethods: Set<String> = [
        "chain_getBlockHash", "chain_getFinalizedHead", "chain_getHead", "chain_getHeader",
        "chain_subscribeAllHeads", "chain_subscribeFinalizedHeads", "chain_subscribeNewHeads",
        "chain_unsubscribeAllHeads", "chain_unsubscribeFinalizedHeads", "chain_unsubscribeNewHeads",
        "subscribe_newHead", "unsubscribe_newHead",
        "devnet_addSubnet", "devnet_produceBlock", "devnet_registerHotkey", "devnet_setDifficulty",
        "devnet_setMaxRegistrationsPerBlock", "devnet_setPowRegistrationAllowed", "devnet_submitPow",
        "rpc_methods", "state_getStorage", "state_getStorageAt",
        "system_chain", "system_health", "system_name", "system_properties", "system_version",
        "state_getMetadata", "state_getRuntimeVersion", "chain_getRuntimeVersion",
        "system_accountNextIndex", "account_nextIndex", "chain_getBlock",
        "author_submitExtrinsic", "author_submitAndWatchExtrinsic", "author_unwatchExtrinsic", "author_pendingExtrinsics",
    ]

    @Test func testRPCMethodsListsExactlyWhatIsServed() async throws {
        let (server, port) = try await startDevnet()
        let reply = try await httpCall(port: port, "rpc_methods")
        #expect(reply["version"] == 1)
        guard case .array(let list)? = reply["methods"] else { Issue.record("rpc_methods: \(reply)"); return }
        let names = list.compactMap(\.stringValue)
        #expect(names.count == list.count, "every entry is a string")
        #expect(names == names.sorted(), "sorted, as a node sorts them")
        #expect(Set(names).count == names.count, "no name twice")
        #expect(Set(names) == Self.servedMethods)

        // Each listed method is answered (over a WebSocket, where subscriptions are served too): a result or an
        // error about its parameters, never "method not found".
        let client = try await WSTestClient.connect(port: port)
        for (index, name) in names.enumerated() {
            let answer = try await client.call(name, [], id: JSONValue(UInt64(100 + index)))
            #expect(answer["error"]?["code"] != -32601, "\(name): \(answer.jsonText)")
            #expect(answer["result"] != nil || answer["error"] != nil, "\(name): \(answer.jsonText)")
        }
        // And a name not listed is not served.
        for name in ["state_call", "author_submitAndWatch", "state_getKeysPaged", "rpc_method", "System_chain"] {
            #expect(try await client.call(name, [], id: 99)["error"]?["code"] == -32601, "\(name)")
        }
        await client.close()
        await server.stop()
    }

    @Test func testHeadersHashesAndHistory() async throws {
        let (server, port) = try await startDevnet()
        let genesis = try await httpCall(port: port, "chain_getHeader")
        #expect(genesis["number"] == "0x0")
        #expect(genesis["parentHash"] == .string(Bytes32.zero.hex))
        #expect(genesis["digest"] == ["logs": []])
        for key in ["stateRoot", "extrinsicsRoot"] {
            #expect(try Bytes32(hex: genesis[key]?.stringValue ?? "").hex.count == 66, "\(key)")
        }

        let head = try await httpCall(port: port, "devnet_produceBlock", [27])
        #expect(head["number"] == "0x1b")
        let latest = try await httpCall(port: port, "chain_getHeader")
        #expect(latest == head)

        let hash26 = try await httpCall(port: port, "chain_getBlockHash", [26])
        let hash27 = try await httpCall(port: port, "chain_getBlockHash", [27])
        #expect(try await httpCall(port: port, "chain_getBlockHash", ["0x1b"]) == hash27)
        #expect(try await httpCall(port: port, "chain_getBlockHash") == hash27)
        #expect(try await httpCall(port: port, "chain_getBlockHash", [[26, 27]]) == [hash26, hash27])
        #expect(try await httpCall(port: port, "chain_getFinalizedHead") == hash27)
        #expect(try await httpCall(port: port, "chain_getBlockHash", [999]) == .null)
        #expect(try await httpCall(port: port, "chain_getHeader", [.string(Bytes32.zero.hex)]) == .null)

        let header27 = try await httpCall(port: port, "chain_getHeader", [hash27])
        #expect(header27["number"] == "0x1b")
        #expect(header27["parentHash"] == hash26)

        // The hash is Substrate's: blake2b-256 of the SCALE-encoded header.
        var encoded = try Hex.decode(header27["parentHash"]!.stringValue!)
        encoded += SCALE.compact(27)
        encoded += try Hex.decode(header27["stateRoot"]!.stringValue!)
        encoded += try Hex.decode(header27["extrinsicsRoot"]!.stringValue!)
        encoded.append(0)
        #expect(Hex.encode(blake2b256(encoded)) == hash27.stringValue)
        await server.stop()
    }

    @Test func testStorageUnderRealKeys() async throws {
        let (server, port) = try await startDevnet(subnets: [1, 3], difficulty: 12345)
        func storage(_ key: [UInt8], at: JSONValue? = nil) async throws -> [UInt8]? {
            var params: [JSONValue] = [.string(Hex.encode(key))]
            if let at { params.append(at) }
            let result = try await httpCall(port: port, "state_getStorage", .array(params))
            guard case .string(let text) = result else {
                #expect(result == .null)
                return nil
            }
            return try Hex.decode(text)
        }
        let hotkey = Bytes32(Array(repeating: 7, count: 32))!
        let items = StorageItem.self
        #expect(try items.difficulty.decodeU64(await storage(items.difficulty.key(netuid: 3))) == 12345)
        #expect(try await storage(items.difficulty.key(netuid: 3)) == [0x39, 0x30, 0, 0, 0, 0, 0, 0])
        #expect(try items.minDifficulty.decodeU64(await storage(items.minDifficulty.key(netuid: 1))) == 1)
        #expect(try items.maxDifficulty.decodeU64(await storage(items.maxDifficulty.key(netuid: 1))) == UInt64.max / 4)
        #expect(try await storage(items.networksAdded.key(netuid: 1)) == [1])
        #expect(try await storage(items.networksAdded.key(netuid: 0)) == [1])   // root
        #expect(try await storage(items.networksAdded.key(netuid: 2)) == nil)
        #expect(try await storage(items.difficulty.key(netuid: 2)) == nil)
        #expect(try await storage(items.networkPoWRegistrationAllowed.key(netuid: 1)) == [1])
        #expect(try await storage(items.networkPoWRegistrationAllowed.key(netuid: 0)) == [0])
        #expect(try await storage(items.registrationsThisBlock.key(netuid: 1)) == [0, 0])
        #expect(try await storage(items.maxRegistrationsPerBlock.key(netuid: 1)) == [1, 0])
        #expect(try await storage(items.uids.key(netuid: 1, hotkey: hotkey)) == nil)
        #expect(try await storage(items.lastPoWRegistrationBlock.key(hotkey: hotkey)) == nil)
        #expect(try await storage(Array(repeating: 0xab, count: 40)) == nil)   // a key nobody stores
        #expect(try items.systemNumber.decodeU32(await storage(items.systemNumber.key())) == 0)

        let before = try await httpCall(port: port, "chain_getFinalizedHead")
        _ = try await httpCall(port: port, "devnet_registerHotkey", [1, .string(SS58.encode(publicKey: hotkey))])
        _ = try await httpCall(port: port, "devnet_registerHotkey", [1, .string(Bytes32(Array(repeating: 8, count: 32))!.hex)])
        _ = try await httpCall(port: port, "devnet_setDifficulty", [3, 777])
        #expect(try items.uids.decodeU16(await storage(items.uids.key(netuid: 1, hotkey: hotkey))) == 0)
        #expect(try items.difficulty.decodeU64(await storage(items.difficulty.key(netuid: 3))) == 777)
        // Storage at an older block shows that block's state.
        #expect(try await httpCall(port: port, "devnet_produceBlock")["number"] == "0x1")
        #expect(try items.difficulty.decodeU64(await storage(items.difficulty.key(netuid: 3), at: before)) == 777)
        _ = try await httpCall(port: port, "devnet_setDifficulty", [3, 888])
        #expect(try items.difficulty.decodeU64(await storage(items.difficulty.key(netuid: 3), at: before)) == 777)
        #expect(try items.difficulty.decodeU64(await storage(items.difficulty.key(netuid: 3))) == 888)
        _ = try await httpCall(port: port, "devnet_addSubnet", [2])
        #expect(try await storage(items.networksAdded.key(netuid: 2)) == [1])
        // System.Number: a node stores block N's own number in block N's state.
        _ = try await httpCall(port: port, "devnet_produceBlock", [3])
        #expect(try items.systemNumber.decodeU32(await storage(items.systemNumber.key())) == 4)
        #expect(try items.systemNumber.decodeU32(await storage(items.systemNumber.key(), at: before)) == 0)

        // A block hash the node does not know: the client error a node sends.
        let (_, reply) = try await httpPost(port: port, body: rpcBody("state_getStorage", [.string(Hex.encode(items.difficulty.key(netuid: 1))), .string(Bytes32(Array(repeating: 9, count: 32))!.hex)]))
        #expect(reply?["error"]?["code"] == 4003)
        await server.stop()
    }

    @Test func testJSONRPCErrorsOverHTTP() async throws {
        let (server, port) = try await startDevnet(maxRequestSize: 4096)
        func post(_ body: String) async throws -> JSONValue? { try await httpPost(port: port, body: body).json }

        let parse = try await post("{\"jsonrpc\":\"2.0\",\"id\":1,")
        #expect(parse == ["jsonrpc": "2.0", "id": .null, "error": ["code": -32700, "message": "Parse error"]])

        let invalid = try await post("{\"jsonrpc\":\"2.0\",\"id\":5}")
        #expect(invalid == ["jsonrpc": "2.0", "id": 5, "error": ["code": -32600, "message": "Invalid request"]])
        let notObject = try await post("42")
        #expect(notObject?["error"]?["code"] == -32600)
        let wrongVersion = try await post("{\"jsonrpc\":\"1.0\",\"id\":\"x\",\"method\":\"system_chain\"}")
        #expect(wrongVersion?["error"]?["code"] == -32600)
        #expect(wrongVersion?["id"] == "x")

        let missing = try await post(rpcBody("no_suchMethod", [], id: "abc-1"))
        #expect(missing == ["jsonrpc": "2.0", "id": "abc-1", "error": ["code": -32601, "message": "Method not found"]])

        let bigID: JSONValue = .uint(UInt64.max)
        let badParams = try await post(rpcBody("chain_getBlockHash", ["zz"], id: bigID))
        #expect(badParams?["error"]?["code"] == -32602)
        #expect(badParams?["error"]?["message"] == "Invalid params")
        #expect(badParams?["id"] == bigID)
        for (method, params) in [("state_getStorage", JSONValue.array([])), ("state_getStorage", ["0xzz"]),
                                 ("chain_getHeader", [12]), ("devnet_setDifficulty", [1, -5]),
                                 ("devnet_addSubnet", [70000]), ("devnet_registerHotkey", [1, "5Bad"]),
                                 ("devnet_submitPow", [["nonce": 1]]), ("devnet_submitPow", ["text"]),
                                 ("system_chain", [1])] {
            let reply = try await post(rpcBody(method, params))
            #expect(reply?["error"]?["code"] == -32602, "\(method) \(params.jsonText): \(String(describing: reply?.jsonText))")
        }

        // Subscriptions need a WebSocket.
        let subscribe = try await post(rpcBody("chain_subscribeNewHeads"))
        #expect(subscribe?["error"]?["code"] == -32601)

        // Batches: one reply per call with an id, in order; notifications get none.
        let batch = try await post("[\(rpcBody("system_chain", id: 1)),{\"jsonrpc\":\"2.0\",\"method\":\"system_chain\"},\(rpcBody("nope", id: 2))]")
        #expect(batch == [["jsonrpc": "2.0", "id": 1, "result": "btpow devnet"],
                               ["jsonrpc": "2.0", "id": 2, "error": ["code": -32601, "message": "Method not found"]]])
        #expect(try await post("[]")?["error"]?["code"] == -32600)
        let notification = try await httpPost(port: port, body: "{\"jsonrpc\":\"2.0\",\"method\":\"system_chain\"}")
        #expect(notification.status == 200)
        #expect(notification.json == nil)

        // Over the size limit.
        let huge = try await httpPost(port: port, body: rpcBody("system_chain", [.string(String(repeating: "a", count: 8000))]))
        #expect(huge.status == 413)
        #expect(huge.json?["error"]?["code"] == -32007)

        // Still serving after all that.
        #expect(try await httpCall(port: port, "system_chain") == "btpow devnet")
        await server.stop()
    }

    @Test func testWebSocketCallsAndSubscription() async throws {
        let (server, port) = try await startDevnet(blockTime: .milliseconds(100))
        let client = try await WSTestClient.connect(port: port)
        #expect(try await client.call("system_chain", id: 7)["result"] == "btpow devnet")
        #expect(try await client.call("system_chain", id: "s-1")["id"] == "s-1")

        client.send("{not json")
        let parse = try await client.messages.take(timeout: .seconds(5), "parse error") { $0["error"] != nil }
        #expect(parse["error"]?["code"] == -32700)
        #expect(try await client.call("nope_nope", id: 8)["error"]?["code"] == -32601)

        let subscribed = try await client.call("chain_subscribeNewHeads", id: 9)
        guard case .string(let subscription)? = subscribed["result"] else { Issue.record("\(subscribed)"); return }
        var last: UInt64? = nil
        for _ in 0 ..< 4 {
            let note = try await client.nextHead()
            #expect(note["jsonrpc"] == "2.0")
            #expect(note["params"]?["subscription"] == .string(subscription))
            let header = note["params"]!["result"]!
            for key in ["parentHash", "number", "stateRoot", "extrinsicsRoot", "digest"] { #expect(header[key] != nil, "\(key)") }
            let number = UInt64(header["number"]!.stringValue!.dropFirst(2), radix: 16)!
            if let last { #expect(number == last + 1) }
            last = number
            // The notified header is the one the node serves for that hash.
            let hash = try await client.call("chain_getBlockHash", [JSONValue(number)], id: JSONValue(1000 + number))["result"]!
            #expect(try await client.call("chain_getHeader", [hash], id: JSONValue(2000 + number))["result"] == header)
        }
        #expect(try await client.call("chain_unsubscribeNewHeads", [.string(subscription)], id: 10)["result"] == true)
        #expect(try await client.call("chain_unsubscribeNewHeads", [.string(subscription)], id: 11)["result"] == false)
        try await Task.sleep(for: .milliseconds(150))
        // Drain what was in flight, then nothing more arrives.
        while (try? await client.nextHead(timeout: .milliseconds(10))) != nil {}
        try await Task.sleep(for: .milliseconds(350))
        let late = try? await client.nextHead(timeout: .milliseconds(10))
        #expect(late == nil, "notification after unsubscribe")
        await client.close()
        await server.stop()
    }

    @Test func testStopAndRestartOnTheSamePort() async throws {
        let (server, port) = try await startDevnet(blockTime: .milliseconds(50))
        do { _ = try await server.start(); Issue.record("started twice") } catch DevnetServerError.alreadyRunning {}
        // A second server cannot take the port while the first holds it.
        do {
            let (intruder, _) = try await startDevnet(port: port)
            await intruder.stop()
            Issue.record("two servers on one port")
        } catch DevnetServerError.couldNotStart {}

        let client = try await WSTestClient.connect(port: port)
        _ = try await client.call("chain_subscribeNewHeads", id: 1)
        _ = try await client.nextHead()
        await server.stop()
        let stoppedAt = await server.head().number
        // The connection is closed and nothing listens any more.
        do {
            _ = try await client.messages.take(timeout: .seconds(5), "the close") { _ in false }
            Issue.record("the WebSocket stayed open")
        } catch TestError.closed {}
        await client.close()
        do {
            _ = try await httpPost(port: port, body: rpcBody("system_chain"))
            Issue.record("still listening after stop()")
        } catch {}
        try await Task.sleep(for: .milliseconds(200))
        #expect(await server.head().number == stoppedAt, "blocks produced while stopped")

        // Restart: same port, same chain, blocks go on.
        #expect(try await server.start() == port)
        let again = try await WSTestClient.connect(port: port)
        _ = try await again.call("chain_subscribeNewHeads", id: 1)
        var number: UInt64 = 0
        while number <= stoppedAt {
            let note = try await again.nextHead()
            number = UInt64(note["params"]!["result"]!["number"]!.stringValue!.dropFirst(2), radix: 16)!
        }
        await again.close()
        await server.stop()

        // A fresh devnet on that port explicitly: a new chain.
        let (fresh, freshPort) = try await startDevnet(port: port)
        #expect(freshPort == port)
        #expect(try await httpCall(port: port, "chain_getHeader")["number"] == "0x0")
        await fresh.stop()
    }

    @Test func testHostileInputGetsErrorsNotCrashes() async throws {
        let (server, port) = try await startDevnet(maxRequestSize: 64 * 1024)
        let bodies = [
            String(repeating: "[", count: 60_000),                                   // nesting bomb, unterminated
            String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000),
            "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"system_chain\"}",      // id must be number/string/null
            "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"system_chain\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_chain\",\"params\":\"x\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_getBlockHash\",\"params\":[1e400]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_getBlockHash\",\"params\":[\"0xffffffffffffffffffffff\"]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"devnet_produceBlock\",\"params\":[100000000]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"devnet_submitPow\",\"params\":[{\"nonce\":-1,\"block_number\":1,\"difficulty\":1,\"seal\":\"0x00\",\"scheme\":\"v1\"}]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"devnet_submitPow\",\"params\":[{\"nonce\":1,\"block_number\":99999999999,\"difficulty\":1,\"seal\":\"0x\(String(repeating: "00", count: 32))\",\"scheme\":\"legacy\",\"block_and_hotkey_hash\":\"0x\(String(repeating: "11", count: 32))\",\"netuid\":70000}]}",
            "\u{0}\u{1}\u{2}",
            "",
        ]
        for body in bodies {
            let (status, json) = try await httpPost(port: port, body: body)
            #expect(status == 200, "\(body.prefix(80))")
            #expect(json?["error"]?["code"] != nil, "\(body.prefix(80)): \(String(describing: json?.jsonText))")
        }
        // WebSocket: binary garbage, then a message over the limit (the connection may close), then a new
        // connection still works.
        let client = try await WSTestClient.connect(port: port)
        client.send(String(decoding: [0xff, 0xfe, 0x00, 0x7b], as: UTF8.self))
        let garbage = try await client.messages.take(timeout: .seconds(5), "parse error") { $0["error"] != nil }
        #expect(garbage["error"]?["code"] == -32700)
        client.send(rpcBody("system_chain", [.string(String(repeating: "b", count: 200 * 1024))]))
        try await Task.sleep(for: .milliseconds(200))
        await client.close()
        let fresh = try await WSTestClient.connect(port: port)
        #expect(try await fresh.call("system_chain")["result"] == "btpow devnet")
        await fresh.close()
        #expect(try await httpCall(port: port, "system_chain") == "btpow devnet")
        await server.stop()
    }
}
