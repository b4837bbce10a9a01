/// The environment variable bittensor-wallet (4.1.1) keeps a keyfile's password in, and the (reversible)
/// obfuscation of its value. Pure functions: reading the environment is the caller's business.
///
/// The value is base64 (standard alphabet, padded) of the password's UTF-8 bytes XORed, byte by byte, with
/// the variable name's bytes repeated.
public enum PasswordEnvironment {
    /// `BT_PW_` followed by the keyfile's path with every `/` and `.` replaced by `_`, upper-cased: the name
    /// bittensor-wallet's `Keyfile.env_var_name()` gives for the same (expanded, absolute) path.
    public static func variableName(keyfilePath: String) -> String {
        let flattened = String(keyfilePath.map { $0 == "/" || $0 == "." ? "_" : $0 })
        return "BT_PW_" + flattened.uppercased()
    }

    /// The password held in `value`, the content of the variable `variableName`.
    public static func password(fromValue value: String, variableName: String) throws(KeysError) -> SecretBytes {
        var copy = Array(value.utf8)
        defer { SecretBytes.wipe(&copy) }
        let result = copy.withUnsafeBytes { bytes in
            Result { () throws(KeysError) -> SecretBytes in try password(fromValue: bytes, variableName: variableName) }
        }
        return try result.get()
    }

    /// The same from the value's bytes as the environment holds them (no string copy of the value is made).
    public static func password(fromValue value: UnsafeRawBufferPointer, variableName: String) throws(KeysError) -> SecretBytes {
        let key = Array(variableName.utf8)
        guard !key.isEmpty else { throw .invalidPasswordEnvironment(variable: "the variable", reason: "it has no name") }
        let decoded = try Base64.decodeSecret(value, variable: variableName)
        var valid = true
        decoded.withUnsafeMutableBytes { b in
            for i in 0 ..< b.count { b[i] ^= key[i % key.count] }
            valid = Base64.isValidUTF8(UnsafeRawBufferPointer(b))
        }
        guard valid else { throw .invalidPasswordEnvironment(variable: variableName, reason: "it does not decode to UTF-8 text") }
        return decoded
    }

    /// The value bittensor-wallet's `save_password_to_env` stores for `password` under `variableName`.
    public static func obfuscatedValue(password: SecretBytes, variableName: String) -> String {
        let key = Array(variableName.utf8)
        precondition(!key.isEmpty)
        var mixed = password.withUnsafeBytes { Array($0) }
        for i in 0 ..< mixed.count { mixed[i] ^= key[i % key.count] }
        defer { SecretBytes.wipe(&mixed) }
        return Base64.encode(mixed)
    }
}

enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 3) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 15) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func sextet(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A") ... UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a") ... UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }

    /// Standard padded base64 into a secret; errors never quote the input.
    static func decodeSecret(_ chars: UnsafeRawBufferPointer, variable: String) throws(KeysError) -> SecretBytes {
        guard chars.count % 4 == 0 else {
            throw .invalidPasswordEnvironment(variable: variable, reason: "it is not base64 (length \(chars.count))")
        }
        var padding = 0
        if chars.last == UInt8(ascii: "=") { padding += 1 }
        if chars.count >= 2, chars[chars.count - 2] == UInt8(ascii: "=") { padding += 1 }
        let out = SecretBytes(count: chars.count / 4 * 3 - padding)
        var bad = false
        out.withUnsafeMutableBytes { o in
            var j = 0
            var q = 0
            while q < chars.count {
                var v: UInt32 = 0
                for k in 0 ..< 4 {
                    let c = chars[q + k]
                    let isPad = c == UInt8(ascii: "=") && q + 4 == chars.count && k >= 4 - padding
                    guard let s = isPad ? 0 : sextet(c) else { bad = true; return }
                    v = v << 6 | UInt32(s)
                }
                let produced = q + 4 == chars.count ? 3 - padding : 3
                for k in 0 ..< produced {
                    o[j] = UInt8(truncatingIfNeeded: v >> UInt32(16 - 8 * k))
                    j += 1
                }
                q += 4
            }
        }
        guard !bad else { throw .invalidPasswordEnvironment(variable: variable, reason: "it is not base64") }
        return out
    }

    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
