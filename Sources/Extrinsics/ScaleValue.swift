import ChainMetadata

/// A value to encode by a metadata type. The type decides the bytes; the value only has to fit it
/// (`ValueEncoder` says which shapes fit which types).
public indirect enum ScaleValue: Sendable, Equatable {
    case bool(Bool)
    /// Any unsigned integer or compact; must fit the type's width.
    case uint(UInt128)
    /// Any signed integer; must fit the type's width.
    case int(Int128)
    /// A byte string: `Vec<u8>`, `[u8; N]` (exactly N bytes), or a newtype around one (AccountId32, H256).
    case bytes([UInt8])
    case string(String)
    /// Elements of a sequence, array or tuple, or the fields of a struct in order.
    case sequence([ScaleValue])
    /// The fields of a struct by name: all of them, no others.
    case fields([String: ScaleValue])
    /// An enum variant by name, with its fields in order.
    case variant(String, [ScaleValue])
    /// An enum variant by its index byte, with its fields in order.
    case variantIndex(UInt8, [ScaleValue])

    /// `Option::None` (named apart from Swift's own `.none`).
    public static let optionNone = ScaleValue.variant("None", [])
    /// `Option::Some(value)`.
    public static func optionSome(_ value: ScaleValue) -> ScaleValue { .variant("Some", [value]) }
    /// The unit value `()` (an empty struct or tuple).
    public static let unit = ScaleValue.sequence([])

    /// A short description for error messages.
    var shape: String {
        switch self {
        case .bool(let b): return "bool \(b)"
        case .uint(let v): return "unsigned \(v)"
        case .int(let v): return "signed \(v)"
        case .bytes(let b): return "\(b.count) bytes"
        case .string: return "a string"
        case .sequence(let s): return "a sequence of \(s.count)"
        case .fields(let f): return "fields \(f.keys.sorted())"
        case .variant(let n, _): return "variant \(n)"
        case .variantIndex(let i, _): return "variant #\(i)"
        }
    }
}
