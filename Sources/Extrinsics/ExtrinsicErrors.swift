import ChainMetadata

/// Why a call or an extrinsic could not be built. Each description is one line.
public enum ExtrinsicError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A metadata lookup failed (no such pallet, call, type, ...).
    case metadata(MetadataError)
    /// The call takes an argument that was not given.
    case missingArgument(call: String, argument: String)
    /// An argument the call does not take.
    case unexpectedArgument(call: String, argument: String)
    /// The value's shape does not fit the type (a number for a byte string, a sequence for a bool, ...).
    case typeMismatch(at: String, expected: String, given: String)
    /// A number outside its type's range.
    case outOfRange(at: String, value: String, type: String)
    /// A fixed-length array or tuple given the wrong number of elements.
    case wrongLength(at: String, type: String, expected: Int, given: Int)
    /// A struct given fields it lacks, or missing fields it has.
    case fieldMismatch(at: String, type: String, detail: String)
    /// No variant of that name (or index) in the enum.
    case unknownVariant(at: String, type: String, variant: String)
    /// A type this encoder does not write (char, bit sequences, compact of a non-integer).
    case unsupportedType(at: String, type: String)
    /// A value nested deeper than any real call's.
    case tooDeep(at: String)
    /// The runtime's extrinsic format is not version 4.
    case unsupportedExtrinsicVersion(UInt8)
    /// The runtime lists a signed extension that carries data and that this builder does not know how to fill.
    case unsupportedSignedExtension(name: String, extraType: String, additionalType: String)
    /// The metadata does not say the extrinsic's address or signature type.
    case missingExtrinsicType(String)
    /// A signature that is not 64 bytes.
    case badSignatureLength(Int)
    /// Decoding: fewer bytes than the value needs.
    case truncated(at: String, needed: Int, available: Int)
    /// Decoding: bytes that no value of the type encodes to (a bool of 2, an unknown variant index, a compact not in
    /// shortest form, text that is not UTF-8, a length that cannot fit in the bytes left).
    case invalidEncoding(at: String, type: String, detail: String)
    /// Decoding: bytes left over after the value.
    case trailingBytes(at: String, count: Int)
    /// Events: the `System.Events` records are not shaped as `EventRecord { phase, event, topics }`.
    case unexpectedEventShape(String)

    public var description: String {
        switch self {
        case .metadata(let e): return e.description
        case .missingArgument(let call, let a): return "call \(call): argument \(a) is missing"
        case .unexpectedArgument(let call, let a): return "call \(call) takes no argument named \(a)"
        case .typeMismatch(let at, let expected, let given): return "\(at): expected \(expected), given \(given)"
        case .outOfRange(let at, let value, let type): return "\(at): \(value) does not fit \(type)"
        case .wrongLength(let at, let type, let expected, let given):
            return "\(at): \(type) needs \(expected) element\(expected == 1 ? "" : "s"), given \(given)"
        case .fieldMismatch(let at, let type, let detail): return "\(at): \(type) \(detail)"
        case .unknownVariant(let at, let type, let variant): return "\(at): \(type) has no variant \(variant)"
        case .unsupportedType(let at, let type): return "\(at): values of type \(type) cannot be encoded here"
        case .tooDeep(let at): return "\(at): value nested too deeply"
        case .unsupportedExtrinsicVersion(let v): return "runtime uses extrinsic format \(v); only version 4 is supported"
        case .unsupportedSignedExtension(let name, let extra, let additional):
            return "runtime lists signed extension \(name) (extra \(extra), additional \(additional)), which this client cannot fill: refusing to sign"
        case .missingExtrinsicType(let what): return "metadata does not give the extrinsic's \(what) type"
        case .badSignatureLength(let n): return "signature is \(n) bytes; sr25519 signatures are 64"
        case .truncated(let at, let needed, let available):
            return "\(at): needs \(needed) byte\(needed == 1 ? "" : "s"), only \(available) left"
        case .invalidEncoding(let at, let type, let detail): return "\(at): not a valid \(type): \(detail)"
        case .trailingBytes(let at, let count): return "\(at): \(count) unexpected byte\(count == 1 ? "" : "s") after the value"
        case .unexpectedEventShape(let detail): return "System.Events: \(detail)"
        }
    }
}
