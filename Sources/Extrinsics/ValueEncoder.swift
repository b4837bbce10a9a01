import ChainMetadata

/// SCALE-encodes `ScaleValue`s by the types of a metadata registry. A value that does not fit its type (a missing
/// field, a number too wide, an array of the wrong length) is an error naming where, never bytes of another shape.
///
/// Shapes accepted per type:
/// - integers: `.uint` / `.int` within the type's range; `bool`: `.bool`; `str`: `.string`.
/// - `Compact<T>` (T an unsigned integer, or a struct wrapping one): `.uint` within T's range.
/// - `Vec<T>`: `.sequence`; for `Vec<u8>` also `.bytes`. `[T; N]`: `.sequence` of N; for `[u8; N]` `.bytes` of N.
/// - tuples: `.sequence` of the same count. Structs: `.sequence` (fields in order) or `.fields` (by name). A struct
///   of one field takes that field's value directly: AccountId32 and H256 take `.bytes`, a wrapped `Vec` (BoundedVec)
///   its `.sequence` or `.bytes`.
/// - enums: `.variant(name, fields)` or `.variantIndex(index, fields)`; a variant of named fields also takes one
///   `.fields` value naming them (`Option::Some` has one unnamed field: its value goes in the list as it is).
public struct ValueEncoder: Sendable {
    public let types: TypeRegistry

    public init(types: TypeRegistry) { self.types = types }

    /// The encoding of `value` as type `id`; `path` names the value in errors (e.g. `faucet.work`).
    public func encode(_ value: ScaleValue, as id: UInt32, path: String) throws(ExtrinsicError) -> [UInt8] {
        var out = [UInt8]()
        try encode(value, as: id, path: path, into: &out, depth: 0)
        return out
    }

    /// Appends the encoding to `out`; when it throws, `out` may hold part of the value and must be discarded.
    public func encode(_ value: ScaleValue, as id: UInt32, path: String, into out: inout [UInt8]) throws(ExtrinsicError) {
        try encode(value, as: id, path: path, into: &out, depth: 0)
    }

    private func lookup(_ id: UInt32) throws(ExtrinsicError) -> PortableType {
        do { return try types.type(id) } catch { throw .metadata(error) }
    }

    private func encode(_ value: ScaleValue, as id: UInt32, path: String, into out: inout [UInt8],
                        depth: Int) throws(ExtrinsicError) {
        guard depth < TypeRegistry.maximumDepth else { throw .tooDeep(at: path) }
        let type = try lookup(id)
        let name = types.name(id)
        switch type.def {
        case .primitive(let p):
            try encodePrimitive(value, p, path: path, into: &out)

        case .compact(let inner):
            guard let width = try compactWidth(inner, depth: depth) else { throw .unsupportedType(at: path, type: name) }
            guard case .uint(let v) = value else { throw .typeMismatch(at: path, expected: name, given: value.shape) }
            guard width >= 16 || v >> (8 * width) == 0 else { throw .outOfRange(at: path, value: "\(v)", type: name) }
            Self.appendCompact(v, into: &out)

        case .sequence(let element):
            switch value {
            case .bytes(let b) where try isByte(element):
                Self.appendCompact(UInt128(b.count), into: &out)
                out += b
            case .sequence(let items):
                Self.appendCompact(UInt128(items.count), into: &out)
                for (i, item) in items.enumerated() {
                    try encode(item, as: element, path: "\(path)[\(i)]", into: &out, depth: depth + 1)
                }
            default: throw .typeMismatch(at: path, expected: name, given: value.shape)
            }

        case .array(let length, let element):
            switch value {
            case .bytes(let b) where try isByte(element):
                guard b.count == Int(length) else { throw .wrongLength(at: path, type: name, expected: Int(length), given: b.count) }
                out += b
            case .sequence(let items):
                guard items.count == Int(length) else {
                    throw .wrongLength(at: path, type: name, expected: Int(length), given: items.count)
                }
                for (i, item) in items.enumerated() {
                    try encode(item, as: element, path: "\(path)[\(i)]", into: &out, depth: depth + 1)
                }
            default: throw .typeMismatch(at: path, expected: name, given: value.shape)
            }

        case .tuple(let elements):
            guard case .sequence(let items) = value else { throw .typeMismatch(at: path, expected: name, given: value.shape) }
            guard items.count == elements.count else {
                throw .wrongLength(at: path, type: name, expected: elements.count, given: items.count)
            }
            for (i, (item, element)) in zip(items, elements).enumerated() {
                try encode(item, as: element, path: "\(path).\(i)", into: &out, depth: depth + 1)
            }

        case .composite(let fields):
            try encodeFields(value, fields, typeName: name, path: path, into: &out, depth: depth, transparent: true)

        case .variant(let variants):
            let chosen: Variant?
            let fieldValue: [ScaleValue]
            switch value {
            case .variant(let n, let f): chosen = variants.first { $0.name == n }; fieldValue = f
            case .variantIndex(let i, let f): chosen = variants.first { $0.index == i }; fieldValue = f
            default: throw .typeMismatch(at: path, expected: name, given: value.shape)
            }
            guard let v = chosen else {
                let label: String
                if case .variantIndex(let i, _) = value { label = "#\(i)" } else if case .variant(let n, _) = value { label = n } else { label = "?" }
                throw .unknownVariant(at: path, type: name, variant: label)
            }
            out.append(v.index)
            // One `.fields` value may name a variant's named fields.
            var given = ScaleValue.sequence(fieldValue)
            if fieldValue.count == 1, case .fields = fieldValue[0], !v.fields.isEmpty, v.fields.allSatisfy({ $0.name != nil }) {
                given = fieldValue[0]
            }
            try encodeFields(given, v.fields, typeName: "\(name)::\(v.name)", path: "\(path).\(v.name)", into: &out,
                             depth: depth, transparent: false)

        case .bitSequence:
            throw .unsupportedType(at: path, type: name)
        }
    }

    /// Struct or variant fields, from `.sequence` (in order) or `.fields` (by name). With `transparent` (structs), a
    /// struct of one field also takes the field's own value: `.bytes` for AccountId32, a `.sequence` for a wrapped
    /// `Vec`, array or tuple.
    private func encodeFields(_ value: ScaleValue, _ fields: [Field], typeName: String, path: String,
                              into out: inout [UInt8], depth: Int, transparent: Bool) throws(ExtrinsicError) {
        if transparent, fields.count == 1 {
            let listLike = try isListLike(fields[0].type)
            switch value {
            case .fields: break
            case .sequence(let items) where items.count == 1 && !listLike:
                return try encode(items[0], as: fields[0].type, path: path, into: &out, depth: depth + 1)
            default:
                return try encode(value, as: fields[0].type, path: path, into: &out, depth: depth + 1)
            }
        }
        switch value {
        case .sequence(let items):
            guard items.count == fields.count else {
                throw .wrongLength(at: path, type: typeName, expected: fields.count, given: items.count)
            }
            for (i, (item, field)) in zip(items, fields).enumerated() {
                try encode(item, as: field.type, path: "\(path).\(field.name ?? String(i))", into: &out, depth: depth + 1)
            }
        case .fields(let named):
            let names = fields.compactMap(\.name)
            guard names.count == fields.count else {
                throw .fieldMismatch(at: path, type: typeName, detail: "has unnamed fields: give them in order")
            }
            if let extra = named.keys.sorted().first(where: { !names.contains($0) }) {
                throw .fieldMismatch(at: path, type: typeName, detail: "has no field \(extra)")
            }
            for (field, name) in zip(fields, names) {
                guard let item = named[name] else {
                    throw .fieldMismatch(at: path, type: typeName, detail: "field \(name) is missing")
                }
                try encode(item, as: field.type, path: "\(path).\(name)", into: &out, depth: depth + 1)
            }
        default:
            throw .typeMismatch(at: path, expected: typeName, given: value.shape)
        }
    }

    /// Whether a type takes a `.sequence` of its own (a Vec, array or tuple).
    private func isListLike(_ id: UInt32) throws(ExtrinsicError) -> Bool {
        switch try lookup(id).def {
        case .sequence, .array, .tuple: return true
        default: return false
        }
    }

    private func encodePrimitive(_ value: ScaleValue, _ p: Primitive, path: String, into out: inout [UInt8]) throws(ExtrinsicError) {
        switch (p, value) {
        case (.bool, .bool(let b)):
            out.append(b ? 1 : 0)
        case (.str, .string(let s)):
            let utf8 = Array(s.utf8)
            Self.appendCompact(UInt128(utf8.count), into: &out)
            out += utf8
        case (_, .uint(let v)) where p.isUnsigned:
            let width = p.byteWidth!
            guard width >= 16 || v >> (8 * width) == 0 else { throw .outOfRange(at: path, value: "\(v)", type: p.rawName) }
            for i in 0 ..< width { out.append(i < 16 ? UInt8(truncatingIfNeeded: v >> (8 * i)) : 0) }
        case (_, .int(let v)) where p.isSigned:
            let width = p.byteWidth!
            if width < 16 {
                let bound = Int128(1) << (8 * width - 1)
                guard v >= -bound, v < bound else { throw .outOfRange(at: path, value: "\(v)", type: p.rawName) }
            }
            let bits = UInt128(bitPattern: v)
            for i in 0 ..< width { out.append(i < 16 ? UInt8(truncatingIfNeeded: bits >> (8 * i)) : (v < 0 ? 0xff : 0)) }
        case (.char, _):
            throw .unsupportedType(at: path, type: "char")
        default:
            throw .typeMismatch(at: path, expected: p.rawName, given: value.shape)
        }
    }

    private func isByte(_ id: UInt32) throws(ExtrinsicError) -> Bool {
        if case .primitive(.u8) = try lookup(id).def { return true }
        return false
    }

    /// The byte width of the unsigned integer a compact wraps (through one-field structs), or nil if it wraps
    /// something else.
    private func compactWidth(_ id: UInt32, depth: Int) throws(ExtrinsicError) -> Int? {
        guard depth < TypeRegistry.maximumDepth else { throw .tooDeep(at: types.name(id)) }
        switch try lookup(id).def {
        case .primitive(let p) where p.isUnsigned: return p.byteWidth
        case .composite(let fields) where fields.count == 1: return try compactWidth(fields[0].type, depth: depth + 1)
        default: return nil
        }
    }

    /// SCALE compact encoding of an unsigned integer up to 128 bits, shortest form.
    public static func appendCompact(_ value: UInt128, into out: inout [UInt8]) {
        switch value {
        case 0 ..< (1 << 6):
            out.append(UInt8(value << 2))
        case (1 << 6) ..< (1 << 14):
            let v = UInt16(value << 2) | 0b01
            out += [UInt8(v & 0xff), UInt8(v >> 8)]
        case (1 << 14) ..< (1 << 30):
            let v = UInt32(value << 2) | 0b10
            for b in 0 ..< 4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * b))) }
        default:
            let byteCount = (128 - value.leadingZeroBitCount + 7) / 8 // 4...16
            out.append(UInt8((byteCount - 4) << 2) | 0b11)
            for b in 0 ..< byteCount { out.append(UInt8(truncatingIfNeeded: value >> (8 * b))) }
        }
    }

    public static func compact(_ value: UInt128) -> [UInt8] {
        var out = [UInt8]()
        appendCompact(value, into: &out)
        return out
    }
}
