#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Secret bytes (a private key, a nonce seed, a password, a derived key, a decrypted keyfile) in memory this
/// object owns and overwrites with zeros when it goes away.
///
/// It deliberately has no `Codable`, no `Equatable`, no hex or string form: its `description` and mirror
/// say only how many bytes it holds, so printing or dumping it shows nothing secret.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let storage: UnsafeMutableRawBufferPointer
    /// The number of bytes held.
    public let count: Int

    /// `count` zero bytes, to be filled through `withUnsafeMutableBytes`.
    public init(count: Int) {
        precondition(count >= 0)
        self.count = count
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
    }

    /// A copy of `bytes`. The caller stays responsible for wiping its own copy.
    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(count: bytes.count)
        if !bytes.isEmpty { storage.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
    }

    /// A copy of `bytes` (tests and callers that already hold the value in an array).
    public convenience init(copying bytes: [UInt8]) {
        self.init(count: bytes.count)
        bytes.withUnsafeBytes { src in
            if !src.isEmpty { storage.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: src.count) }
        }
    }

    deinit {
        SecretBytes.wipe(storage.baseAddress!, storage.count)
        storage.deallocate()
    }

    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0 ..< count]))
    }

    public func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeMutableRawBufferPointer(rebasing: storage[0 ..< count]))
    }

    /// A new secret holding `range` of this one.
    public func slice(_ range: Range<Int>) -> SecretBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        return withUnsafeBytes { SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// Compares in time independent of the contents.
    public func constantTimeEquals(_ other: SecretBytes) -> Bool {
        guard count == other.count else { return false }
        var diff: UInt8 = 0
        withUnsafeBytes { a in other.withUnsafeBytes { b in for i in 0 ..< count { diff |= a[i] ^ b[i] } } }
        return diff == 0
    }

    public var description: String { "SecretBytes(\(count) bytes, not shown)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// Overwrites `count` bytes at `pointer` with zeros in a way the compiler may not drop.
    public static func wipe(_ pointer: UnsafeMutableRawPointer, _ count: Int) {
        guard count > 0 else { return }
        #if canImport(Glibc)
        explicit_bzero(pointer, count)
        #elseif canImport(Darwin)
        _ = memset_s(pointer, count, 0, count)
        #else
        let p = pointer.assumingMemoryBound(to: UInt8.self)
        for i in 0 ..< count { p[i] = 0 }
        #endif
    }

    /// Overwrites an array's bytes with zeros (for short-lived copies a call had to make).
    public static func wipe(_ array: inout [UInt8]) {
        array.withUnsafeMutableBytes { if let b = $0.baseAddress { wipe(b, $0.count) } }
    }
}
