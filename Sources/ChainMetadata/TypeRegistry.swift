/// The portable type registry of runtime metadata (scale-info's `PortableRegistry`): every type the runtime's
/// calls, events, errors, storage and extensions use, referred to by numeric id.
public struct TypeRegistry: Sendable, Equatable {
    public let types: [PortableType]
    private let position: [UInt32: Int]

    /// Deeper nesting than this is refused: real runtimes stay far below it, and it bounds every recursion.
    public static let maximumDepth = 256

    /// Checks that ids are unique, every reference resolves, and no type contains itself without a variant or
    /// sequence in between.
    public init(types: [PortableType]) throws(MetadataError) {
        var position = [UInt32: Int](minimumCapacity: types.count)
        for (i, t) in types.enumerated() {
            if position.updateValue(i, forKey: t.id) != nil { throw .duplicateTypeID(t.id) }
        }
        self.types = types
        self.position = position
        for t in types {
            for (ref, role) in t.references where position[ref] == nil {
                throw .unknownTypeID(ref, referencedBy: "type \(t.id) \(role)")
            }
        }
        try checkFiniteSize()
    }

    public var count: Int { types.count }

    /// The type with this id.
    public func type(_ id: UInt32) throws(MetadataError) -> PortableType {
        guard let i = position[id] else { throw .unknownTypeID(id, referencedBy: "a lookup") }
        return types[i]
    }

    public func contains(_ id: UInt32) -> Bool { position[id] != nil }

    /// Fails unless `id` is in the registry; `role` names the referrer in the error.
    public func check(_ id: UInt32, referencedBy role: String) throws(MetadataError) {
        if position[id] == nil { throw .unknownTypeID(id, referencedBy: role) }
    }

    /// Whether values of this type encode to no bytes at all: an empty composite or tuple, a zero-length array,
    /// or one made only of such types (the `()` of signed extensions that carry nothing).
    public func encodesNothing(_ id: UInt32) throws(MetadataError) -> Bool {
        try encodesNothing(id, depth: 0)
    }

    private func encodesNothing(_ id: UInt32, depth: Int) throws(MetadataError) -> Bool {
        guard depth < Self.maximumDepth else { throw .tooDeep(id) }
        switch try type(id).def {
        case .composite(let fields):
            for f in fields where !(try encodesNothing(f.type, depth: depth + 1)) { return false }
            return true
        case .tuple(let ids):
            for t in ids where !(try encodesNothing(t, depth: depth + 1)) { return false }
            return true
        case .array(let length, let element):
            return length == 0 ? true : try encodesNothing(element, depth: depth + 1)
        case .variant, .sequence, .primitive, .compact, .bitSequence:
            return false
        }
    }

    /// A short Rust-like name, as bittensor's codec writes them: `u64`, `Vec<u8>`, `[u8; 32]`, `Compact<u32>`,
    /// `(u16, u64)`, or a named type's last path segment (`AccountId32`, `BoundedVec`), with its parameters only
    /// for `Option` and `Result` (`Option<u16>`). Never recurses into a type's fields.
    public func name(_ id: UInt32) -> String { name(id, depth: 0) }

    private func name(_ id: UInt32, depth: Int) -> String {
        guard depth < 16, let i = position[id] else { return depth < 16 ? "#\(id)" : "…" }
        let t = types[i]
        switch t.def {
        case .primitive(let p): return p.rawName
        case .sequence(let e): return "Vec<\(name(e, depth: depth + 1))>"
        case .array(let n, let e): return "[\(name(e, depth: depth + 1)); \(n)]"
        case .compact(let e): return "Compact<\(name(e, depth: depth + 1))>"
        case .tuple(let ids): return "(" + ids.map { name($0, depth: depth + 1) }.joined(separator: ", ") + ")"
        case .bitSequence: return "BitVec"
        case .composite, .variant:
            guard let last = t.path.last else { return "#\(id)" }
            let params = t.parameters.compactMap(\.type)
            if params.isEmpty || !(t.path == ["Option"] || t.path == ["Result"]) { return last }
            return last + "<" + params.map { name($0, depth: depth + 1) }.joined(separator: ", ") + ">"
        }
    }

    /// Rejects a type that reaches itself through composite fields, tuple elements, non-empty array elements or a
    /// compact's inner type alone: such a value would have no finite encoding, and walking it would never end.
    /// Variants and sequences break a cycle (a recursive call enum is normal). Iterative, so a hostile chain of
    /// nested types cannot exhaust the stack.
    private func checkFiniteSize() throws(MetadataError) {
        var state = [UInt8](repeating: 0, count: types.count) // 0 unseen, 1 on the path, 2 done
        for root in types.indices where state[root] == 0 {
            var stack: [(index: Int, next: Int)] = [(root, 0)]
            state[root] = 1
            while let top = stack.last {
                let edges = types[top.index].sizeEdges
                if top.next == edges.count {
                    state[top.index] = 2
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let child = position[edges[top.next]]! // every reference was checked before
                switch state[child] {
                case 1: throw .cyclicType(types[child].id)
                case 0:
                    state[child] = 1
                    stack.append((child, 0))
                default: break
                }
            }
        }
    }
}

/// One registry entry: scale-info's `PortableType` (an id and its `Type`).
public struct PortableType: Sendable, Equatable {
    public let id: UInt32
    /// The Rust path, e.g. `["sp_core", "crypto", "AccountId32"]`; empty for primitives, tuples, arrays.
    public let path: [String]
    public let parameters: [TypeParameter]
    public let def: TypeDef
    public let docs: [String]

    public init(id: UInt32, path: [String] = [], parameters: [TypeParameter] = [], def: TypeDef, docs: [String] = []) {
        self.id = id
        self.path = path
        self.parameters = parameters
        self.def = def
        self.docs = docs
    }

    /// Every type id this type refers to, with where.
    var references: [(UInt32, String)] {
        var out = parameters.compactMap { p in p.type.map { ($0, "parameter \(p.name)") } }
        switch def {
        case .composite(let fields): out += fields.map { ($0.type, "field \($0.name ?? "_")") }
        case .variant(let variants):
            for v in variants { out += v.fields.map { ($0.type, "variant \(v.name) field \($0.name ?? "_")") } }
        case .sequence(let e): out.append((e, "sequence element"))
        case .array(_, let e): out.append((e, "array element"))
        case .tuple(let ids): out += ids.map { ($0, "tuple element") }
        case .compact(let e): out.append((e, "compact inner type"))
        case .bitSequence(let store, let order): out += [(store, "bit store"), (order, "bit order")]
        case .primitive: break
        }
        return out
    }

    /// The references that are always encoded inline (a cycle through these alone has no finite encoding).
    var sizeEdges: [UInt32] {
        switch def {
        case .composite(let fields): return fields.map(\.type)
        case .tuple(let ids): return ids
        case .array(let n, let e): return n == 0 ? [] : [e]
        case .compact(let e): return [e]
        case .variant, .sequence, .primitive, .bitSequence: return []
        }
    }
}

public struct TypeParameter: Sendable, Equatable {
    public let name: String
    public let type: UInt32?
    public init(name: String, type: UInt32?) { self.name = name; self.type = type }
}

/// scale-info's `TypeDef`, in its encoding order.
public enum TypeDef: Sendable, Equatable {
    case composite([Field])
    case variant([Variant])
    case sequence(UInt32)
    case array(length: UInt32, element: UInt32)
    case tuple([UInt32])
    case primitive(Primitive)
    case compact(UInt32)
    case bitSequence(store: UInt32, order: UInt32)
}

public struct Field: Sendable, Equatable {
    public let name: String?
    public let type: UInt32
    /// The Rust type as written in the source, e.g. `T::AccountId` or `Vec<u8>`.
    public let typeName: String?
    public let docs: [String]
    public init(name: String?, type: UInt32, typeName: String? = nil, docs: [String] = []) {
        self.name = name
        self.type = type
        self.typeName = typeName
        self.docs = docs
    }
}

public struct Variant: Sendable, Equatable {
    public let name: String
    public let fields: [Field]
    /// The byte that selects this variant in the encoding (not necessarily its position).
    public let index: UInt8
    public let docs: [String]
    public init(name: String, fields: [Field] = [], index: UInt8, docs: [String] = []) {
        self.name = name
        self.fields = fields
        self.index = index
        self.docs = docs
    }
}

/// scale-info's `TypeDefPrimitive`, tags 0...14.
public enum Primitive: UInt8, Sendable, Equatable, CaseIterable {
    case bool, char, str, u8, u16, u32, u64, u128, u256, i8, i16, i32, i64, i128, i256

    public var rawName: String {
        switch self {
        case .bool: return "bool"
        case .char: return "char"
        case .str: return "str"
        case .u8: return "u8"
        case .u16: return "u16"
        case .u32: return "u32"
        case .u64: return "u64"
        case .u128: return "u128"
        case .u256: return "u256"
        case .i8: return "i8"
        case .i16: return "i16"
        case .i32: return "i32"
        case .i64: return "i64"
        case .i128: return "i128"
        case .i256: return "i256"
        }
    }

    /// Encoded width in bytes for the fixed-width integers and bool; nil for char and str.
    public var byteWidth: Int? {
        switch self {
        case .bool, .u8, .i8: return 1
        case .u16, .i16: return 2
        case .u32, .i32: return 4
        case .u64, .i64: return 8
        case .u128, .i128: return 16
        case .u256, .i256: return 32
        case .char, .str: return nil
        }
    }

    public var isUnsigned: Bool { [.u8, .u16, .u32, .u64, .u128, .u256].contains(self) }
    public var isSigned: Bool { [.i8, .i16, .i32, .i64, .i128, .i256].contains(self) }
}

extension TypeRegistry {
    /// Decodes scale-info's `PortableRegistry` (`Vec<PortableType>`).
    static func decode(_ r: inout MetadataReader) throws(MetadataError) -> TypeRegistry {
        let types = try r.vector("type registry") { (r: inout MetadataReader) throws(MetadataError) in
            try PortableType.decode(&r)
        }
        return try TypeRegistry(types: types)
    }
}

extension PortableType {
    static func decode(_ r: inout MetadataReader) throws(MetadataError) -> PortableType {
        let id = try r.compact("type id")
        let what = "type \(id)"
        let path = try r.strings("\(what) path")
        let parameters = try r.vector("\(what) parameters") { (r: inout MetadataReader) throws(MetadataError) in
            let name = try r.string("\(what) parameter name")
            let type = try r.option("\(what) parameter type") { (r: inout MetadataReader) throws(MetadataError) in
                try r.compact("\(what) parameter type")
            }
            return TypeParameter(name: name, type: type)
        }
        let def: TypeDef
        switch try r.byte("\(what) definition") {
        case 0: def = .composite(try Field.decodeAll(&r, what))
        case 1:
            def = .variant(try r.vector("\(what) variants") { (r: inout MetadataReader) throws(MetadataError) in
                let name = try r.string("\(what) variant name")
                let fields = try Field.decodeAll(&r, "\(what) variant \(name)")
                let index = try r.byte("\(what) variant index")
                let docs = try r.strings("\(what) variant docs")
                return Variant(name: name, fields: fields, index: index, docs: docs)
            })
        case 2: def = .sequence(try r.compact("\(what) sequence element"))
        case 3:
            let length = try r.u32("\(what) array length")
            def = .array(length: length, element: try r.compact("\(what) array element"))
        case 4:
            def = .tuple(try r.vector("\(what) tuple") { (r: inout MetadataReader) throws(MetadataError) in
                try r.compact("\(what) tuple element")
            })
        case 5:
            let tag = try r.byte("\(what) primitive")
            guard let p = Primitive(rawValue: tag) else { throw .invalidTag(what: "\(what) primitive", tag: tag) }
            def = .primitive(p)
        case 6: def = .compact(try r.compact("\(what) compact inner type"))
        case 7:
            let store = try r.compact("\(what) bit store")
            def = .bitSequence(store: store, order: try r.compact("\(what) bit order"))
        case let tag: throw .invalidTag(what: "\(what) definition", tag: tag)
        }
        let docs = try r.strings("\(what) docs")
        return PortableType(id: id, path: path, parameters: parameters, def: def, docs: docs)
    }
}

extension Field {
    static func decodeAll(_ r: inout MetadataReader, _ what: String) throws(MetadataError) -> [Field] {
        try r.vector("\(what) fields") { (r: inout MetadataReader) throws(MetadataError) in
            let name = try r.option("\(what) field name") { (r: inout MetadataReader) throws(MetadataError) in
                try r.string("\(what) field name")
            }
            let type = try r.compact("\(what) field type")
            let typeName = try r.option("\(what) field type name") { (r: inout MetadataReader) throws(MetadataError) in
                try r.string("\(what) field type name")
            }
            let docs = try r.strings("\(what) field docs")
            return Field(name: name, type: type, typeName: typeName, docs: docs)
        }
    }
}
