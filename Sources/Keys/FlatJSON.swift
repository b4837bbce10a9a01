/// A reader for the one JSON shape keyfiles have: a single object whose values are strings, numbers,
/// booleans or null. It works in place on the (secret) bytes and copies nothing out by itself, so a secret
/// field can be decoded straight into `SecretBytes` and the rest never leaves the wiped buffer.
struct FlatJSONObject {
    enum Value: Equatable {
        /// The raw bytes between the quotes; `escaped` when they contain a backslash.
        case string(Range<Int>, escaped: Bool)
        case null
        case other
    }

    private(set) var fields: [String: Value] = [:]

    /// Parses `bytes`; the error message names the byte offset, never the content.
    init(parsing bytes: UnsafeRawBufferPointer) throws(KeysError) {
        var i = 0
        let n = bytes.count
        func skipSpace() {
            while i < n, bytes[i] == 0x20 || bytes[i] == 0x0a || bytes[i] == 0x0d || bytes[i] == 0x09 { i += 1 }
        }
        func fail(_ what: String) -> KeysError { .malformedKeyfile(reason: "not a JSON object (\(what) at byte \(i))") }
        func string() throws(KeysError) -> Value {
            guard i < n, bytes[i] == 0x22 else { throw fail("expected a string") }
            i += 1
            let start = i
            var escaped = false
            while i < n, bytes[i] != 0x22 {
                if bytes[i] == 0x5c { escaped = true; i += 1 }
                else if bytes[i] < 0x20 { throw fail("control character in a string") }
                i += 1
            }
            guard i < n else { throw fail("unterminated string") }
            let range = start ..< i
            i += 1
            return .string(range, escaped: escaped)
        }
        if n >= 3, bytes[0] == 0xef, bytes[1] == 0xbb, bytes[2] == 0xbf { i = 3 }  // UTF-8 byte order mark
        skipSpace()
        guard i < n, bytes[i] == 0x7b else { throw fail("expected '{'") }
        i += 1
        skipSpace()
        if i < n, bytes[i] == 0x7d { i += 1 } else {
            while true {
                skipSpace()
                guard case .string(let keyRange, let keyEscaped) = try string(), !keyEscaped else {
                    throw fail("unsupported field name")
                }
                let key = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[keyRange]), as: UTF8.self)
                skipSpace()
                guard i < n, bytes[i] == 0x3a else { throw fail("expected ':'") }
                i += 1
                skipSpace()
                guard i < n else { throw fail("missing value") }
                let value: Value
                switch bytes[i] {
                case 0x22: value = try string()
                case 0x7b, 0x5b: throw fail("nested value")
                default:
                    let start = i
                    while i < n, bytes[i] != 0x2c, bytes[i] != 0x7d, bytes[i] != 0x20, bytes[i] != 0x0a,
                          bytes[i] != 0x0d, bytes[i] != 0x09 { i += 1 }
                    let token = UnsafeRawBufferPointer(rebasing: bytes[start ..< i])
                    if token.elementsEqual("null".utf8) { value = .null }
                    else if token.elementsEqual("true".utf8) || token.elementsEqual("false".utf8) { value = .other }
                    else if !token.isEmpty, token.allSatisfy({ (0x30 ... 0x39).contains($0) || $0 == 0x2d || $0 == 0x2b || $0 == 0x2e || $0 == 0x65 || $0 == 0x45 }) {
                        value = .other
                    } else { throw fail("invalid value") }
                }
                fields[key] = value
                skipSpace()
                guard i < n else { throw fail("unterminated object") }
                if bytes[i] == 0x2c { i += 1; continue }
                guard bytes[i] == 0x7d else { throw fail("expected ',' or '}'") }
                i += 1
                break
            }
        }
        skipSpace()
        guard i == n else { throw fail("data after the object") }
    }
}
