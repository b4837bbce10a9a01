import ChainMetadata

/// Decodes SCALE bytes by the types of a metadata registry into `ScaleValue`s: the inverse of `ValueEncoder`, so
/// `encoder.encode(decoder.decode(bytes, as: id), as: id) == bytes` for every valid encoding.
///
/// Shapes produced per type:
/// - `bool`: `.bool`; `str`: `.string`; unsigned integers and compacts: `.uint`; signed integers: `.int`
///   (u256 and i256 only when the value fits 128 bits, else `invalidEncoding`).
/// - `Vec<u8>` and `[u8; N]`: `.bytes`; other sequences, arrays and tuples: `.sequence`.
/// - a struct of one field: that field's value (AccountId32 and H256 give `.bytes`, BoundedVec its elements), wrapped
///   once more only where `ValueEncoder` would otherwise read it as the struct's own fields; a struct of several
///   named fields: `.fields`; otherwise `.sequence` in field order.
/// - an enum: `.variant(name, fields)`; when every field of the variant is named, `fields` is one `.fields` value
///   (`ExtrinsicFailed { dispatch_error, dispatch_info }`), else the values in order (`NeuronRegistered(u16, u16, AccountId)`).
/// - `char` and bit sequences: `unsupportedType`.
///
/// Hostile bytes give an error naming where, never a crash: every length is checked against the bytes left before
/// anything is allocated, nesting stops at `TypeRegistry.maximumDepth`, and the number of values one call produces is
/// bounded by the input's length.
public struct ValueDecoder: Sendable {
    public let types: TypeRegistry

    public init(types: TypeRegistry) { self.types = types }

    /// Decodes all of `bytes` as one value of type `id`; bytes left over are an error.
    public func decode(_ bytes: [UInt8], as id: UInt32, path: String = "value") throws(ExtrinsicError) -> ScaleValue {
        var input = Input(bytes: bytes)
        let value = try decode(&input, as: id, path: path)
        if input.remaining > 0 { throw .trailingBytes(at: path, count: input.remaining) }
        return value
    }

    /// Decodes one value of type `id` from the front of `input`, leaving the rest.
    public func decode(_ input: inout Input, as id: UInt32, path: String = "value") throws(ExtrinsicError) -> ScaleValue {
        // Each value consumes a byte or more except zero-sized ones and the wrappers around them: the budget allows
        // plenty of both for real data and bounds what a hostile registry of nested empty arrays could make us build.
        var budget = 64 * input.remaining + 4096
        return try decode(&input, as: id, path: path, depth: 0, budget: &budget)
    }

    /// Bytes being decoded and the position reached.
    public struct Input: Sendable {
        public let bytes: [UInt8]
        public private(set) var offset: Int

        public init(bytes: [UInt8], offset: Int = 0) {
            self.bytes = bytes
            self.offset = min(max(0, offset), bytes.count)
        }

        public var remaining: Int { bytes.count - offset }

        mutating func take(_ count: Int, path: String) throws(ExtrinsicError) -> ArraySlice<UInt8> {
            guard count <= remaining else { throw .truncated(at: path, needed: count, available: remaining) }
            defer { offset += count }
            return bytes[offset ..< offset + count]
        }

        mutating func byte(path: String) throws(ExtrinsicError) -> UInt8 { try take(1, path: path).first! }

        /// A little-endian unsigned integer of `width` ≤ 16 bytes.
        mutating func uint(_ width: Int, path: String) throws(ExtrinsicError) -> UInt128 {
            var v: UInt128 = 0
            for (i, b) in try take(width, path: path).enumerated() { v |= UInt128(b) << (8 * i) }
            return v
        }

        /// A SCALE compact integer up to 128 bits, refused unless in its shortest form.
        mutating func compact(path: String, type: String) throws(ExtrinsicError) -> UInt128 {
            let first = try byte(path: path)
            switch first & 0b11 {
            case 0b00: return UInt128(first >> 2)
            case 0b01:
                let second = try byte(path: path)
                let v = (UInt128(first) | UInt128(second) << 8) >> 2
                guard v >= 1 << 6 else { throw .invalidEncoding(at: path, type: type, detail: "compact integer not in shortest form") }
                return v
            case 0b10:
                let rest = try uint(3, path: path)
                let v = (UInt128(first) | rest << 8) >> 2
                guard v >= 1 << 14 else { throw .invalidEncoding(at: path, type: type, detail: "compact integer not in shortest form") }
                return v
            default:
                let count = Int(first >> 2) + 4
                guard count <= 16 else {
                    throw .invalidEncoding(at: path, type: type, detail: "compact integer of \(count) bytes exceeds 128 bits")
                }
                let v = try uint(count, path: path)
                guard v >= 1 << 30, v >> (8 * (count - 1)) != 0 else {
                    throw .invalidEncoding(at: path, type: type, detail: "compact integer not in shortest form")
                }
                return v
            }
        }
    }

    private func lookup(_ id: UInt32) throws(ExtrinsicError) -> PortableType {
        do { return try types.type(id) } catch { throw .metadata(error) }
    }

    private func decode(_ input: inout Input, as id: UInt32, path: String, depth: Int,
                        budget: inout Int) throws(ExtrinsicError) -> ScaleValue {
        guard depth < TypeRegistry.maximumDepth else { throw .tooDeep(at: path) }
        budget -= 1
        guard budget >= 0 else {
            throw .invalidEncoding(at: path, type: types.name(id), detail: "more values than the input's length allows")
        }
        let type = try lookup(id)
        let name = types.name(id)
        switch type.def {
        case .primitive(let p):
            return try decodePrimitive(&input, p, path: path)

        case .compact(let inner):
            guard let width = try compactWidth(inner, depth: depth) else { throw .unsupportedType(at: path, type: name) }
            let v = try input.compact(path: path, type: name)
            guard width >= 16 || v >> (8 * width) == 0 else {
                throw .invalidEncoding(at: path, type: name, detail: "\(v) does not fit")
            }
            return .uint(v)

        case .sequence(let element):
            let count = try length(&input, element: element, path: path, type: name)
            if try isByte(element) { return .bytes(Array(try input.take(count, path: path))) }
            var items = [ScaleValue]()
            items.reserveCapacity(min(count, input.remaining))
            for i in 0 ..< count {
                items.append(try decode(&input, as: element, path: "\(path)[\(i)]", depth: depth + 1, budget: &budget))
            }
            return .sequence(items)

        case .array(let length, let element):
            if try isByte(element) { return .bytes(Array(try input.take(Int(length), path: path))) }
            let count = Int(length)
            // Checked before reserving: each element takes a byte or more unless it encodes nothing.
            if count > input.remaining, !(try encodesNothing(element, path: path)) {
                throw .truncated(at: path, needed: count, available: input.remaining)
            }
            guard count <= budget else {
                throw .invalidEncoding(at: path, type: name, detail: "more values than the input's length allows")
            }
            var items = [ScaleValue]()
            items.reserveCapacity(count)
            for i in 0 ..< count {
                items.append(try decode(&input, as: element, path: "\(path)[\(i)]", depth: depth + 1, budget: &budget))
            }
            return .sequence(items)

        case .tuple(let elements):
            var items = [ScaleValue]()
            for (i, element) in elements.enumerated() {
                items.append(try decode(&input, as: element, path: "\(path).\(i)", depth: depth + 1, budget: &budget))
            }
            return .sequence(items)

        case .composite(let fields):
            if fields.count == 1 {
                let field = fields[0]
                let value = try decode(&input, as: field.type, path: path, depth: depth + 1, budget: &budget)
                // Shapes ValueEncoder would read as this struct's own fields get wrapped once more.
                switch value {
                case .fields:
                    if let fieldName = field.name { return .fields([fieldName: value]) }
                    return .sequence([value])
                case .sequence(let items) where items.count == 1:
                    return try isListLike(field.type) ? value : .sequence([value])
                default:
                    return value
                }
            }
            return try decodeFields(&input, fields, path: path, depth: depth, budget: &budget)

        case .variant(let variants):
            let index = try input.byte(path: path)
            guard let v = variants.first(where: { $0.index == index }) else {
                throw .invalidEncoding(at: path, type: name, detail: "no variant with index \(index)")
            }
            let value = try decodeFields(&input, v.fields, path: "\(path).\(v.name)", depth: depth, budget: &budget)
            if case .fields = value { return .variant(v.name, [value]) }
            guard case .sequence(let items) = value else { return .variant(v.name, [value]) }
            return .variant(v.name, items)

        case .bitSequence:
            throw .unsupportedType(at: path, type: name)
        }
    }

    /// Fields in order: `.fields` when all are named (and the names distinct), else `.sequence`.
    private func decodeFields(_ input: inout Input, _ fields: [Field], path: String, depth: Int,
                              budget: inout Int) throws(ExtrinsicError) -> ScaleValue {
        var items = [ScaleValue]()
        for (i, field) in fields.enumerated() {
            items.append(try decode(&input, as: field.type, path: "\(path).\(field.name ?? String(i))", depth: depth + 1,
                                   budget: &budget))
        }
        let names = fields.compactMap(\.name)
        guard !fields.isEmpty, names.count == fields.count, Set(names).count == names.count else { return .sequence(items) }
        return .fields(Dictionary(uniqueKeysWithValues: zip(names, items)))
    }

    /// A sequence's compact length, refused when its elements could not fit in the bytes left.
    private func length(_ input: inout Input, element: UInt32, path: String, type: String) throws(ExtrinsicError) -> Int {
        let count = try input.compact(path: path, type: type)
        if count <= UInt128(input.remaining) { return Int(count) }
        if try encodesNothing(element, path: path), count <= 1 << 16 { return Int(count) }
        throw .invalidEncoding(at: path, type: type, detail: "length \(count) cannot fit in the \(input.remaining) bytes left")
    }

    private func encodesNothing(_ id: UInt32, path: String) throws(ExtrinsicError) -> Bool {
        do { return try types.encodesNothing(id) } catch { throw .metadata(error) }
    }

    private func decodePrimitive(_ input: inout Input, _ p: Primitive, path: String) throws(ExtrinsicError) -> ScaleValue {
        switch p {
        case .bool:
            switch try input.byte(path: path) {
            case 0: return .bool(false)
            case 1: return .bool(true)
            case let b: throw .invalidEncoding(at: path, type: "bool", detail: "byte \(b) is neither 0 nor 1")
            }
        case .str:
            let count = try input.compact(path: path, type: "str")
            guard count <= UInt128(input.remaining) else {
                throw .invalidEncoding(at: path, type: "str", detail: "length \(count) cannot fit in the \(input.remaining) bytes left")
            }
            let utf8 = Array(try input.take(Int(count), path: path))
            guard let text = String(validating: utf8, as: UTF8.self) else {
                throw .invalidEncoding(at: path, type: "str", detail: "not UTF-8")
            }
            return .string(text)
        case .char:
            throw .unsupportedType(at: path, type: "char")
        case .u8, .u16, .u32, .u64, .u128:
            return .uint(try input.uint(p.byteWidth!, path: path))
        case .i8, .i16, .i32, .i64, .i128:
            let width = p.byteWidth!
            let bits = try input.uint(width, path: path)
            // Sign-extend from the type's width.
            let shift = 128 - 8 * width
            return .int(Int128(bitPattern: bits << shift) >> shift)
        case .u256, .i256:
            let low = try input.uint(16, path: path)
            let high = try input.uint(16, path: path)
            if p == .u256 {
                guard high == 0 else { throw .invalidEncoding(at: path, type: "u256", detail: "value exceeds 128 bits") }
                return .uint(low)
            }
            let value = Int128(bitPattern: low)
            guard high == (value < 0 ? UInt128.max : 0) else {
                throw .invalidEncoding(at: path, type: "i256", detail: "value exceeds 128 bits")
            }
            return .int(value)
        }
    }

    private func isByte(_ id: UInt32) throws(ExtrinsicError) -> Bool {
        if case .primitive(.u8) = try lookup(id).def { return true }
        return false
    }

    private func isListLike(_ id: UInt32) throws(ExtrinsicError) -> Bool {
        switch try lookup(id).def {
        case .sequence, .array, .tuple: return true
        default: return false
        }
    }

    /// The byte width of the unsigned integer a compact wraps (through one-field structs), or nil.
    private func compactWidth(_ id: UInt32, depth: Int) throws(ExtrinsicError) -> Int? {
        guard depth < TypeRegistry.maximumDepth else { throw .tooDeep(at: types.name(id)) }
        switch try lookup(id).def {
        case .primitive(let p) where p.isUnsigned: return p.byteWidth
        case .composite(let fields) where fields.count == 1: return try compactWidth(fields[0].type, depth: depth + 1)
        default: return nil
        }
    }
}
