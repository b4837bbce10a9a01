import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import PoWCore
import ServiceLifecycle
import ChainCodec
import Synchronization

/// How a devnet runs. Every field has the default `btpow devnet` uses.
public struct DevnetConfiguration: Sendable {
    /// Address to listen on. Default 127.0.0.1 (loopback only).
    public var host: String
    /// Port; 0 picks a free one (`DevnetServer.start()` returns it). Default 9944, a node's.
    public var port: Int
    /// Time between blocks; `.zero` produces blocks only on `devnet_produceBlock` / `produceBlock()`.
    public var blockTime: Duration
    /// Subnets that exist from genesis (root, 0, always exists, without PoW registration).
    public var subnets: [UInt16]
    /// Difficulty of every subnet (also of subnets added later). Default 10,000,000, the chain's default.
    public var difficulty: UInt64
    /// The rule legacy (`register`/faucet) work is checked with. Default: the chain's little-endian rule.
    public var legacyRule: DifficultyRule
    /// Difficulty of faucet work (legacy, netuid -1): 1,000,000 on the chain, 100 on fast-blocks builds.
    public var faucetDifficulty: UInt64
    /// MaxRegistrationsPerBlock of every subnet. Default 1, the chain's default.
    public var maxRegistrationsPerBlock: UInt16
    /// Blocks kept for `chain_getBlockHash(n)`, `chain_getHeader(hash)` and `state_getStorage(key, at)`.
    public var historyDepth: Int
    /// Largest request accepted (HTTP body or WebSocket message), in bytes; jsonrpsee's default is 10 MiB.
    public var maxRequestSize: Int
    /// How long `stop()` waits for connections to close before cutting them.
    public var shutdownTimeout: Duration
    /// `pow_register`'s work-block window W: the work block must satisfy `work_block < now && now - work_block < W`,
    /// `now` being the block that executes the call. Default 3, subtensor's source (bittensor 11.3 assumes 5).
    public var powWindow: UInt64
    /// Whether the subnets in `subnets` (and those added later) start with PoW registration allowed. Default true.
    public var powRegistrationAllowed: Bool

    public init(host: String = "127.0.0.1", port: Int = 9944, blockTime: Duration = .seconds(12),
                subnets: [UInt16] = [1], difficulty: UInt64 = 10_000_000,
                legacyRule: DifficultyRule = .chainLittleEndian, faucetDifficulty: UInt64 = 1_000_000,
                maxRegistrationsPerBlock: UInt16 = 1,
                historyDepth: Int = 1024, maxRequestSize: Int = 10 * 1024 * 1024,
                shutdownTimeout: Duration = .seconds(2), powWindow: UInt64 = 3, powRegistrationAllowed: Bool = true) {
        self.powWindow = powWindow
        self.powRegistrationAllowed = powRegistrationAllowed
        self.host = host
        self.port = port
        self.blockTime = blockTime
        self.subnets = subnets
        self.difficulty = difficulty
        self.legacyRule = legacyRule
        self.faucetDifficulty = faucetDifficulty
        self.maxRegistrationsPerBlock = maxRegistrationsPerBlock
        self.historyDepth = historyDepth
        self.maxRequestSize = maxRequestSize
        self.shutdownTimeout = shutdownTimeout
    }
}

public enum DevnetServerError: Error, CustomStringConvertible {
    case alreadyRunning
    case couldNotStart(host: String, port: Int, underlying: String)

    public var description: String {
        switch self {
        case .alreadyRunning: return "the devnet is already running"
        case .couldNotStart(let host, let port, let why): return "the devnet could not listen on \(host):\(port): \(why)"
        }
    }
}

/// A local chain answering a Substrate node's JSON-RPC (WebSocket and HTTP POST on one port) for everything
/// btpow uses, producing blocks on a timer. The chain outlives `stop()`: a restarted server continues it.
public actor DevnetServer {
    public nonisolated let configuration: DevnetConfiguration
    private let logger: Logger
    private let chain: DevnetChain

    private var runTask: Task<Void, Never>?
    private var blockTask: Task<Void, Never>?
    private var serviceGroup: ServiceGroup?
    private var boundPort: Int?
    /// The port of the last run: a restart with `port: 0` listens there again.
    private var lastPort: Int?

    public init(configuration: DevnetConfiguration = DevnetConfiguration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.chain = DevnetChain(configuration: configuration, logger: logger)
    }

    /// The port listened on, while running.
    public var port: Int? { boundPort }

    public var isRunning: Bool { runTask != nil }

    /// `ws://host:port` while running.
    public var url: String? { boundPort.map { "ws://\(configuration.host):\($0)" } }

    /// Starts listening and producing blocks; returns once the socket is bound, with the bound port.
    /// After a `stop()`, a server configured with port 0 listens on the port it had before.
    @discardableResult
    public func start() async throws -> Int {
        guard runTask == nil else { throw DevnetServerError.alreadyRunning }
        let chain = self.chain
        let maxSize = configuration.maxRequestSize
        let logger = self.logger
        let listenPort = configuration.port == 0 ? (lastPort ?? 0) : configuration.port

        let router = Router(context: BasicRequestContext.self)
        router.post("/") { request, _ -> Response in
            await Self.respondHTTP(request, chain: chain, maxSize: maxSize)
        }
        // A plain GET (no WebSocket upgrade) is refused the way a node refuses it.
        router.get("/") { _, _ -> Response in
            Response(status: .methodNotAllowed, headers: [.contentType: "text/plain"],
                     body: .init(byteBuffer: ByteBuffer(string: "Used HTTP Method is not allowed. POST is required\n")))
        }

        let (started, startedContinuation) = AsyncStream<Result<Int, any Error>>.makeStream()
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(configuration: .init(ws: .init(maxFrameSize: maxSize, closeTimeout: .seconds(2)))) { _, _, _ in
                let connectionID = Self.connectionCounter.add(1, ordering: .relaxed).newValue
                return .upgrade([:]) { inbound, outbound, _ in
                    await Self.serveWebSocket(inbound: inbound, outbound: outbound, chain: chain,
                                              connectionID: connectionID, maxSize: maxSize, logger: logger)
                }
            },
            configuration: .init(address: .hostname(configuration.host, port: listenPort),
                                 serverName: DevnetChain.nodeName),
            onServerRunning: { channel in
                startedContinuation.yield(.success(channel.localAddress?.port ?? 0))
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let host = configuration.host, port = listenPort
        runTask = Task {
            do {
                try await group.run()
                startedContinuation.yield(.failure(DevnetServerError.couldNotStart(host: host, port: port, underlying: "server stopped")))
            } catch {
                startedContinuation.yield(.failure(DevnetServerError.couldNotStart(host: host, port: port, underlying: "\(error)")))
            }
            startedContinuation.finish()
        }
        serviceGroup = group

        var result: Result<Int, any Error> = .failure(DevnetServerError.couldNotStart(host: host, port: port, underlying: "no answer"))
        for await first in started { result = first; break }
        switch result {
        case .success(let bound):
            boundPort = bound
            lastPort = bound
            startBlocks()
            let headNumber = await chain.head.number
            logger.info("devnet listening", metadata: ["url": "ws://\(host):\(bound)", "head": "\(headNumber)"])
            return bound
        case .failure(let error):
            await runTask?.value
            runTask = nil
            serviceGroup = nil
            throw error
        }
    }

    /// Stops listening and producing blocks; open connections are closed. The chain is kept for a later `start()`.
    public func stop() async {
        blockTask?.cancel()
        blockTask = nil
        guard let task = runTask else { return }
        await serviceGroup?.triggerGracefulShutdown()
        let timeout = configuration.shutdownTimeout
        let watchdog = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { task.cancel() }
        }
        await task.value
        watchdog.cancel()
        runTask = nil
        serviceGroup = nil
        boundPort = nil
        await chain.dropAllSubscriptions()
        logger.info("devnet stopped")
    }

    /// Connection ids, unique in the process (no actor hop during the upgrade).
    static let connectionCounter = Atomic<UInt64>(0)

    private func startBlocks() {
        guard configuration.blockTime > .zero else { return }
        let chain = self.chain, blockTime = configuration.blockTime
        blockTask = Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: blockTime) } catch { return }
                await chain.produceBlock()
            }
        }
    }

    // MARK: In-process control (what the admin methods do)

    /// The current head.
    public func head() async -> BlockHeader { await chain.head }

    /// Produces a block now (in addition to the timer's).
    @discardableResult
    public func produceBlock() async -> BlockHeader { await chain.produceBlock() }

    public func addSubnet(_ netuid: UInt16) async throws {
        try await chain.addSubnet(netuid)
    }

    public func setDifficulty(netuid: UInt16, difficulty: UInt64) async throws {
        try await chain.setDifficulty(netuid, difficulty)
    }

    public func setPoWRegistrationAllowed(netuid: UInt16, allowed: Bool) async throws {
        try await chain.setPoWRegistrationAllowed(netuid, allowed)
    }

    public func setMaxRegistrationsPerBlock(netuid: UInt16, max: UInt16) async throws {
        try await chain.setMaxRegistrationsPerBlock(netuid, max)
    }

    /// Registers a hotkey without work; returns its UID.
    @discardableResult
    public func registerHotkey(netuid: UInt16, hotkey: Bytes32) async throws -> UInt16 {
        try await chain.registerHotkey(netuid, hotkey)
    }

    /// Checks a solution as the chain would and applies it. `legacyNetuid` is the subnet for legacy work
    /// (nil: faucet); v1 solutions carry their netuid.
    public func submit(_ solution: PoWSolution, legacyNetuid: UInt16? = nil) async throws -> DevnetRegistrationOutcome {
        try await chain.submit(DevnetSubmission(solution: solution, legacyNetuid: legacyNetuid))
    }

    /// The chain state at the head (read-only copy).
    public func state() async -> ChainState { await chain.headState }

    // MARK: Transports

    static func respondHTTP(_ request: Request, chain: DevnetChain, maxSize: Int) async -> Response {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxSize)
        } catch {
            let reply = RPCEnvelope.error(.oversized(limit: maxSize), id: .null).jsonText
            return Response(status: .contentTooLarge, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: reply)))
        }
        let reply = await RPCProcessor.process(Array(body.readableBytesView), chain: chain, connection: nil) ?? ""
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: reply)))
    }

    static func serveWebSocket(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, chain: DevnetChain,
                               connectionID: UInt64, maxSize: Int, logger: Logger) async {
        let (outbox, continuation) = AsyncStream<String>.makeStream()
        let connection = Connection(id: connectionID, outbox: continuation)
        logger.debug("devnet websocket open", metadata: ["connection": "\(connectionID)"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for await text in outbox { try await outbound.write(.text(text)) }
                } catch {
                    logger.debug("devnet websocket write failed", metadata: ["error": "\(error)"])
                }
            }
            do {
                for try await message in inbound.messages(maxSize: maxSize) {
                    let bytes: [UInt8]
                    switch message {
                    case .text(let text): bytes = Array(text.utf8)
                    case .binary(let buffer): bytes = Array(buffer.readableBytesView)
                    }
                    if let reply = await RPCProcessor.process(bytes, chain: chain, connection: connection) {
                        continuation.yield(reply)
                    }
                }
            } catch {
                logger.debug("devnet websocket read ended", metadata: ["error": "\(error)"])
            }
            await chain.disconnected(connection)
            continuation.finish()
            await group.waitForAll()
        }
        logger.debug("devnet websocket closed", metadata: ["connection": "\(connectionID)"])
    }
}

/// Text in, text out: parse errors, batches, notifications.
enum RPCProcessor {
    static func process(_ bytes: [UInt8], chain: DevnetChain, connection: Connection?) async -> String? {
        guard let value = JSONValue.parse(bytes) else {
            return RPCEnvelope.error(.parseError, id: .null).jsonText
        }
        if case .array(let items) = value {
            guard !items.isEmpty else { return RPCEnvelope.error(.invalidRequest, id: .null).jsonText }
            var replies: [JSONValue] = []
            for item in items {
                if let reply = await one(item, chain: chain, connection: connection) { replies.append(reply) }
            }
            return replies.isEmpty ? nil : JSONValue.array(replies).jsonText
        }
        return await one(value, chain: chain, connection: connection)?.jsonText
    }

    private static func one(_ value: JSONValue, chain: DevnetChain, connection: Connection?) async -> JSONValue? {
        switch RPCEnvelope.parseCall(value) {
        case .failure(let refusal): return RPCEnvelope.error(refusal.error, id: refusal.id)
        case .success(let call): return await chain.handle(call, connection: connection)
        }
    }
}
