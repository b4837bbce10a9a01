import ChainCodec
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a Subtensor node is: bittensor's network names, or a ws:// / wss:// URL.
public struct SubtensorEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// bittensor's settings: finney, test, archive; local is `BT_SUBTENSOR_CHAIN_ENDPOINT` or `ws://127.0.0.1:9944`.
    public static let finney = "wss://entrypoint-finney.opentensor.ai:443"
    public static let test = "wss://test.finney.opentensor.ai:443"
    public static let archive = "wss://archive.chain.opentensor.ai:443"
    public static let local = "ws://127.0.0.1:9944"
    public static let localEnvironmentVariable = "BT_SUBTENSOR_CHAIN_ENDPOINT"
    public static let networkNames = ["finney", "test", "archive", "local"]

    /// The network name given (or "custom").
    public let network: String
    /// The WebSocket URL.
    public let url: String
    public let usesTLS: Bool
    public let host: String
    public let port: Int

    public var description: String { network == "custom" ? url : "\(network) (\(url))" }

    /// `finney`, `test`, `archive`, `local` or a `ws://` / `wss://` URL (http:// and https:// are taken as ws:// and wss://,
    /// since a node serves both on one port). `environment` is the caller's (the CLI passes its process environment):
    /// for `local`, its `BT_SUBTENSOR_CHAIN_ENDPOINT` overrides the URL, as in bittensor. The library reads none itself.
    public init(_ networkOrURL: String, environment: [String: String] = [:]) throws(EndpointError) {
        let text = networkOrURL.trimmingWhitespace()
        let url: String
        switch text.lowercased() {
        case "finney": network = "finney"; url = Self.finney
        case "test": network = "test"; url = Self.test
        case "archive": network = "archive"; url = Self.archive
        case "local":
            network = "local"
            if let custom = environment[Self.localEnvironmentVariable]?.trimmingWhitespace(), !custom.isEmpty {
                url = custom
            } else {
                url = Self.local
            }
        default:
            network = "custom"
            url = text
        }
        let parsed: (url: String, tls: Bool, host: String, port: Int)
        do { parsed = try Self.parse(url, given: networkOrURL, isCustom: network == "custom") } catch {
            if network == "local" && url != Self.local {
                throw EndpointError("\(Self.localEnvironmentVariable): \(error.description)")
            }
            throw error
        }
        self.url = parsed.url
        self.usesTLS = parsed.tls
        self.host = parsed.host
        self.port = parsed.port
    }

    static func parse(_ url: String, given: String, isCustom: Bool) throws(EndpointError) -> (url: String, tls: Bool, host: String, port: Int) {
        let shown = PublicKey.clip(given)
        guard !url.isEmpty else {
            throw EndpointError("no network given: use finney, test, archive, local or a ws:// / wss:// URL")
        }
        let lower = url.lowercased()
        let tls: Bool
        var rest: Substring
        if lower.hasPrefix("wss://") { tls = true; rest = url.dropFirst(6) }
        else if lower.hasPrefix("ws://") { tls = false; rest = url.dropFirst(5) }
        else if lower.hasPrefix("https://") { tls = true; rest = url.dropFirst(8) }
        else if lower.hasPrefix("http://") { tls = false; rest = url.dropFirst(7) }
        else {
            if isCustom && !url.contains("://") {
                throw EndpointError("unknown network '\(shown)': use finney, test, archive, local or a ws:// / wss:// URL")
            }
            throw EndpointError("endpoint '\(PublicKey.clip(url))' is not a ws:// or wss:// URL")
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let path = rest[authorityEnd...]
        rest = rest[..<authorityEnd]
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        var host = String(rest)
        var port = tls ? 443 : 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw EndpointError("endpoint '\(PublicKey.clip(url))' has a malformed IPv6 host") }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1 ... 65535).contains(p) else {
                    throw EndpointError("endpoint '\(PublicKey.clip(url))' has an invalid port")
                }
                port = p
            } else if !after.isEmpty {
                throw EndpointError("endpoint '\(PublicKey.clip(url))' has a malformed IPv6 host")
            }
            host = String(host[host.index(after: host.startIndex) ..< close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1 ... 65535).contains(p) else {
                throw EndpointError("endpoint '\(PublicKey.clip(url))' has an invalid port")
            }
            port = p
            host = String(host[..<colon])
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace }) else {
            throw EndpointError("endpoint '\(PublicKey.clip(url))' has no host")
        }
        let scheme = tls ? "wss" : "ws"
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return ("\(scheme)://\(hostPart):\(port)\(path == "/" ? "" : path)", tls, host, port)
    }
}
