/// The libsodium functions the key layer uses: ristretto255 group and scalar arithmetic, SHA-512, Argon2i,
/// XSalsa20-Poly1305 secretbox, OS randomness and memory wiping. libsodium is opened at run time, so the
/// package builds and every other command works on machines without it (SodiumLibrary.swift opens it); this
/// type only needs a way to look up C symbols by name.
public final class Sodium: @unchecked Sendable {
    typealias VoidFn = @convention(c) () -> Int32
    typealias SizeFn = @convention(c) () -> Int
    typealias BufFn = @convention(c) (UnsafeMutableRawPointer?, Int) -> Void
    typealias HashFn = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, UInt64) -> Int32
    typealias PwhashFn = @convention(c) (UnsafeMutableRawPointer?, UInt64, UnsafeRawPointer?, UInt64,
                                         UnsafeRawPointer?, UInt64, Int, Int32) -> Int32
    typealias BoxFn = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, UInt64,
                                      UnsafeRawPointer?, UnsafeRawPointer?) -> Int32
    typealias UnaryFn = @convention(c) (UnsafeRawPointer?) -> Int32
    typealias BinaryFn = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, UnsafeRawPointer?) -> Int32
    typealias BaseFn = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?) -> Int32
    typealias ReduceFn = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?) -> Void
    typealias ScalarFn = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, UnsafeRawPointer?) -> Void

    /// Where the functions came from (a path or soname), for messages.
    public let library: String

    let memzero: BufFn
    let randombytes: BufFn
    let sha512: HashFn
    let pwhash: PwhashFn
    let argon2iOpslimitSensitive: Int
    let argon2iMemlimitSensitive: Int
    let argon2i13: Int32
    let secretboxEasy: BoxFn
    let secretboxOpenEasy: BoxFn
    let isValidPoint: UnaryFn
    let pointAdd: BinaryFn
    let pointSub: BinaryFn
    let scalarmult: BinaryFn
    let scalarmultBase: BaseFn
    let scalarReduce: ReduceFn
    let scalarAdd: ScalarFn
    let scalarMul: ScalarFn

    /// Binds every function through `lookup` (a `dlsym` or a table) and runs `sodium_init`.
    public init(library: String, lookup: (String) -> UnsafeMutableRawPointer?) throws(KeysError) {
        func fn<T>(_ name: String, _ type: T.Type) throws(KeysError) -> T {
            guard let p = lookup(name) else { throw .libsodiumTooOld(library: library, missing: name) }
            return unsafeBitCast(p, to: T.self)
        }
        self.library = library
        let initialize = try fn("sodium_init", VoidFn.self)
        guard initialize() >= 0 else { throw .libsodiumInitFailed(library: library) }
        memzero = try fn("sodium_memzero", BufFn.self)
        randombytes = try fn("randombytes_buf", BufFn.self)
        sha512 = try fn("crypto_hash_sha512", HashFn.self)
        pwhash = try fn("crypto_pwhash", PwhashFn.self)
        argon2iOpslimitSensitive = try fn("crypto_pwhash_argon2i_opslimit_sensitive", SizeFn.self)()
        argon2iMemlimitSensitive = try fn("crypto_pwhash_argon2i_memlimit_sensitive", SizeFn.self)()
        argon2i13 = try fn("crypto_pwhash_alg_argon2i13", VoidFn.self)()
        secretboxEasy = try fn("crypto_secretbox_easy", BoxFn.self)
        secretboxOpenEasy = try fn("crypto_secretbox_open_easy", BoxFn.self)
        isValidPoint = try fn("crypto_core_ristretto255_is_valid_point", UnaryFn.self)
        pointAdd = try fn("crypto_core_ristretto255_add", BinaryFn.self)
        pointSub = try fn("crypto_core_ristretto255_sub", BinaryFn.self)
        scalarmult = try fn("crypto_scalarmult_ristretto255", BinaryFn.self)
        scalarmultBase = try fn("crypto_scalarmult_ristretto255_base", BaseFn.self)
        scalarReduce = try fn("crypto_core_ristretto255_scalar_reduce", ReduceFn.self)
        scalarAdd = try fn("crypto_core_ristretto255_scalar_add", ScalarFn.self)
        scalarMul = try fn("crypto_core_ristretto255_scalar_mul", ScalarFn.self)
    }

    // MARK: Hashing and randomness

    /// SHA-512 of `data`.
    public func sha512(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        _ = out.withUnsafeMutableBytes { sha512($0.baseAddress, data.baseAddress, UInt64(data.count)) }
        return out
    }

    /// SHA-512 of `data` into a secret (for hashing secret seeds).
    func sha512Secret(_ data: UnsafeRawBufferPointer) -> SecretBytes {
        let out = SecretBytes(count: 64)
        _ = out.withUnsafeMutableBytes { sha512($0.baseAddress, data.baseAddress, UInt64(data.count)) }
        return out
    }

    /// Fills `buffer` with random bytes from the operating system.
    func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) {
        randombytes(buffer.baseAddress, buffer.count)
    }

    // MARK: ristretto255

    static let pointLength = 32
    static let scalarLength = 32

    /// Whether `bytes` is the canonical encoding of a ristretto255 point.
    func isValidPoint(_ bytes: [UInt8]) -> Bool {
        bytes.count == 32 && bytes.withUnsafeBytes { isValidPoint($0.baseAddress) } == 1
    }

    /// `scalar`·B; nil when libsodium refuses (the result would be the identity).
    func multiplyBase(_ scalar: UnsafeRawBufferPointer) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 32)
        let rc = out.withUnsafeMutableBytes { scalarmultBase($0.baseAddress, scalar.baseAddress) }
        return rc == 0 ? out : nil
    }

    /// `scalar`·`point`; nil when the point does not decode or the result is the identity.
    func multiply(_ scalar: [UInt8], _ point: [UInt8]) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 32)
        let rc = out.withUnsafeMutableBytes { o in
            scalar.withUnsafeBytes { s in point.withUnsafeBytes { p in scalarmult(o.baseAddress, s.baseAddress, p.baseAddress) } }
        }
        return rc == 0 ? out : nil
    }

    /// p − q; nil when either does not decode.
    func subtract(_ p: [UInt8], _ q: [UInt8]) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 32)
        let rc = out.withUnsafeMutableBytes { o in
            p.withUnsafeBytes { a in q.withUnsafeBytes { b in pointSub(o.baseAddress, a.baseAddress, b.baseAddress) } }
        }
        return rc == 0 ? out : nil
    }

    /// A 64-byte little-endian number reduced mod ℓ.
    func reduceWide(_ wide: UnsafeRawBufferPointer) -> [UInt8] {
        precondition(wide.count == 64)
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBytes { scalarReduce($0.baseAddress, wide.baseAddress) }
        return out
    }

    /// Whether 32 little-endian bytes are a scalar already reduced mod ℓ.
    func isCanonicalScalar(_ scalar: UnsafeRawBufferPointer) -> Bool {
        guard scalar.count == 32 else { return false }
        var wide = [UInt8](repeating: 0, count: 64)
        wide.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: scalar.baseAddress!, byteCount: 32) }
        var reduced = wide.withUnsafeBytes { reduceWide($0) }
        var diff: UInt8 = 0
        for i in 0 ..< 32 { diff |= reduced[i] ^ scalar[i] }
        SecretBytes.wipe(&wide)
        SecretBytes.wipe(&reduced)
        return diff == 0
    }

    /// x·y + z mod ℓ into `out` (32 bytes each).
    func mulAdd(_ out: UnsafeMutableRawBufferPointer, _ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer,
                _ z: UnsafeRawBufferPointer) {
        scalarMul(out.baseAddress, x.baseAddress, y.baseAddress)
        scalarAdd(out.baseAddress, UnsafeRawPointer(out.baseAddress), z.baseAddress)
    }

    // MARK: Argon2i and secretbox

    public static let secretboxKeyLength = 32
    public static let secretboxNonceLength = 24
    public static let secretboxTagLength = 16

    /// Argon2i v1.3 (`crypto_pwhash`, ALG_ARGON2I13) at libsodium's SENSITIVE limits: 32 bytes.
    public func argon2iSensitive(password: SecretBytes, salt: [UInt8]) throws(KeysError) -> SecretBytes {
        precondition(salt.count == 16)
        let key = SecretBytes(count: Sodium.secretboxKeyLength)
        let rc = key.withUnsafeMutableBytes { out in
            password.withUnsafeBytes { pw in
                salt.withUnsafeBytes { s in
                    pwhash(out.baseAddress, UInt64(out.count), pw.baseAddress, UInt64(pw.count), s.baseAddress,
                           UInt64(argon2iOpslimitSensitive), argon2iMemlimitSensitive, argon2i13)
                }
            }
        }
        guard rc == 0 else { throw .keyDerivationFailed }
        return key
    }

    /// XSalsa20-Poly1305 (`crypto_secretbox_easy`): tag || ciphertext.
    public func secretboxSeal(_ plaintext: SecretBytes, nonce: [UInt8], key: SecretBytes) -> [UInt8] {
        precondition(nonce.count == Sodium.secretboxNonceLength && key.count == Sodium.secretboxKeyLength)
        var out = [UInt8](repeating: 0, count: plaintext.count + Sodium.secretboxTagLength)
        _ = out.withUnsafeMutableBytes { o in
            plaintext.withUnsafeBytes { m in
                nonce.withUnsafeBytes { n in
                    key.withUnsafeBytes { k in secretboxEasy(o.baseAddress, m.baseAddress, UInt64(m.count), n.baseAddress, k.baseAddress) }
                }
            }
        }
        return out
    }

    /// Opens a secretbox (`crypto_secretbox_open_easy`); nil when the tag does not verify.
    public func secretboxOpen(_ box: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, key: SecretBytes) -> SecretBytes? {
        guard box.count >= Sodium.secretboxTagLength, nonce.count == Sodium.secretboxNonceLength else { return nil }
        let out = SecretBytes(count: box.count - Sodium.secretboxTagLength)
        let rc = out.withUnsafeMutableBytes { m in
            key.withUnsafeBytes { k in
                secretboxOpenEasy(m.baseAddress, box.baseAddress, UInt64(box.count), nonce.baseAddress, k.baseAddress)
            }
        }
        return rc == 0 ? out : nil
    }

    /// `count` random bytes (public uses: nonces).
    public func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fillRandom($0) }
        return out
    }
}
