/// Why runtime metadata could not be decoded, or a lookup in it failed. Each description is one line.
public enum MetadataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The first four bytes are not "meta".
    case badMagic([UInt8])
    /// A metadata version other than 14 or 15.
    case unsupportedVersion(UInt8)
    /// Fewer bytes than the item needs.
    case truncated(what: String, needed: Int, available: Int)
    /// A length or count that cannot fit in the bytes left (each element takes at least one byte).
    case countTooLarge(what: String, count: UInt64, remaining: Int)
    /// A compact integer that is not in its shortest form or does not fit 32 bits.
    case invalidCompact(what: String)
    /// An enum tag (TypeDef, primitive, hasher, Option, ...) outside the known range.
    case invalidTag(what: String, tag: UInt8)
    /// A string that is not UTF-8.
    case invalidUTF8(what: String)
    /// Bytes left over after the metadata.
    case trailingBytes(Int)
    /// Two registry entries with the same type id.
    case duplicateTypeID(UInt32)
    /// A reference to a type id the registry does not have.
    case unknownTypeID(UInt32, referencedBy: String)
    /// A type that contains itself with no variant or sequence in between: it would have no finite encoding.
    case cyclicType(UInt32)
    /// Types nested deeper than any real runtime's.
    case tooDeep(UInt32)
    /// No pallet by that name.
    case palletNotFound(String)
    /// No pallet with that index.
    case palletIndexNotFound(UInt8)
    /// The pallet has no calls, errors or storage (the `what`).
    case palletHasNo(pallet: String, what: String)
    /// No call by that name in the pallet.
    case callNotFound(pallet: String, call: String)
    /// No error with that index in the pallet.
    case errorNotFound(pallet: String, index: UInt8)
    /// No storage entry by that name in the pallet.
    case storageNotFound(pallet: String, entry: String)
    /// A type that should be an enum (calls, errors) is something else.
    case notAVariant(UInt32, role: String)

    public var description: String {
        switch self {
        case .badMagic(let bytes):
            return "metadata: magic \(bytes.map { String($0, radix: 16) }) is not \"meta\" (6d 65 74 61)"
        case .unsupportedVersion(let v): return "metadata: version \(v) is not supported (14 and 15 are)"
        case .truncated(let what, let needed, let available):
            return "metadata \(what): needs \(needed) byte\(needed == 1 ? "" : "s"), only \(available) left"
        case .countTooLarge(let what, let count, let remaining):
            return "metadata \(what): length \(count) cannot fit in the \(remaining) bytes left"
        case .invalidCompact(let what): return "metadata \(what): compact integer not in shortest form or over 32 bits"
        case .invalidTag(let what, let tag): return "metadata \(what): unknown tag \(tag)"
        case .invalidUTF8(let what): return "metadata \(what): string is not valid UTF-8"
        case .trailingBytes(let n): return "metadata: \(n) unexpected byte\(n == 1 ? "" : "s") after the end"
        case .duplicateTypeID(let id): return "metadata: type id \(id) appears twice in the registry"
        case .unknownTypeID(let id, let by): return "metadata: \(by) refers to type id \(id), which the registry does not have"
        case .cyclicType(let id): return "metadata: type \(id) contains itself with no variant or sequence between (no finite encoding)"
        case .tooDeep(let id): return "metadata: type \(id) is nested too deeply"
        case .palletNotFound(let name): return "metadata: no pallet named \(name)"
        case .palletIndexNotFound(let i): return "metadata: no pallet with index \(i)"
        case .palletHasNo(let pallet, let what): return "metadata: pallet \(pallet) has no \(what)"
        case .callNotFound(let pallet, let call): return "metadata: pallet \(pallet) has no call named \(call)"
        case .errorNotFound(let pallet, let index): return "metadata: pallet \(pallet) has no error with index \(index)"
        case .storageNotFound(let pallet, let entry): return "metadata: pallet \(pallet) has no storage entry named \(entry)"
        case .notAVariant(let id, let role): return "metadata: \(role) type \(id) is not an enum"
        }
    }
}
