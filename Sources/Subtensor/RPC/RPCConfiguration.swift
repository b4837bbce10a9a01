import NIOSSL

/// Settings of an `RPCClient`.
public struct RPCConfiguration: Sendable {
    /// Default time a request waits for its reply (including the wait for a connection).
    public var requestTimeout: Duration
    /// Largest reply (WebSocket message) accepted; a larger one drops the connection.
    public var maxReplyBytes: Int
    /// First wait before reconnecting; doubled on each failure up to `maxBackoff`, reset after a connection.
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// WebSocket ping period, to notice a dead connection; nil = no pings.
    public var pingInterval: Duration?
    /// The WebSocket layer's own limit (4 × maxReplyBytes): over it a message drops the connection
    /// (`connectionClosed`); between the two, only the request fails (`replyTooLarge`).
    package var transportLimit: Int { maxReplyBytes > Int(UInt32.max) / 4 ? Int(UInt32.max) : max(maxReplyBytes * 4, 1 << 14) }
    /// TLS settings for wss:// (nil = system trust roots).
    public var tlsConfiguration: TLSConfiguration?

    public init(requestTimeout: Duration = .seconds(10), maxReplyBytes: Int = 16 << 20,
                initialBackoff: Duration = .milliseconds(250), maxBackoff: Duration = .seconds(8),
                pingInterval: Duration? = .seconds(30), tlsConfiguration: TLSConfiguration? = nil) {
        self.requestTimeout = requestTimeout
        self.maxReplyBytes = maxReplyBytes
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.pingInterval = pingInterval
        self.tlsConfiguration = tlsConfiguration
    }
}
