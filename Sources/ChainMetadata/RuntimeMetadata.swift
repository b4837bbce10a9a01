/// A runtime's metadata (frame-metadata's `RuntimeMetadataPrefixed`, versions 14 and 15), decoded from the
/// bytes `state_getMetadata` returns, or from `Metadata_metadata_at_version`'s answer with `fromMetadataAtVersion`.
/// Layout and field order: docs/extrinsics.md, "Runtime metadata".
public struct RuntimeMetadata: Sendable, Equatable {
    /// 14 or 15.
    public let version: UInt8
    public let types: TypeRegistry
    public let pallets: [Pallet]
    public let extrinsic: ExtrinsicInfo
    /// The runtime type itself (`Runtime`).
    public let runtimeType: UInt32
    /// V15 only (empty for V14): the runtime APIs.
    public let apis: [RuntimeAPI]
    /// V15 only: the outer call, event and error enums.
    public let outerEnums: OuterEnums?
    /// V15 only: custom values, by name, in their encoded order.
    public let custom: [CustomValue]

    /// Decodes `"meta" || version || body`; every byte must belong to the metadata.
    public init(bytes: [UInt8]) throws(MetadataError) {
        var r = MetadataReader(bytes)
        let magic = Array(try r.take(4, "magic"))
        guard magic == Array("meta".utf8) else { throw .badMagic(magic) }
        let version = try r.byte("version")
        guard version == 14 || version == 15 else { throw .unsupportedVersion(version) }
        self.version = version
        let types = try TypeRegistry.decode(&r)
        self.types = types
        pallets = try r.vector("pallets") { (r: inout MetadataReader) throws(MetadataError) in
            try Pallet.decode(&r, version: version)
        }
        extrinsic = try ExtrinsicInfo.decode(&r, version: version)
        runtimeType = try r.compact("runtime type")
        if version == 15 {
            apis = try r.vector("runtime APIs") { (r: inout MetadataReader) throws(MetadataError) in
                try RuntimeAPI.decode(&r)
            }
            outerEnums = OuterEnums(call: try r.compact("outer call enum"), event: try r.compact("outer event enum"),
                                    error: try r.compact("outer error enum"))
            custom = try r.vector("custom values") { (r: inout MetadataReader) throws(MetadataError) in
                let name = try r.string("custom value name")
                let type = try r.compact("custom value \(name) type")
                return CustomValue(name: name, type: type, value: try r.byteVector("custom value \(name)"))
            }
        } else {
            apis = []
            outerEnums = nil
            custom = []
        }
        guard r.remaining == 0 else { throw .trailingBytes(r.remaining) }
        try checkReferences()
    }

    /// Decodes the answer of the runtime API `Metadata_metadata_at_version`: `Option<OpaqueMetadata>`, i.e. an
    /// option tag, a compact length and the prefixed metadata. Returns nil for `None` (version not offered).
    public static func fromMetadataAtVersion(_ bytes: [UInt8]) throws(MetadataError) -> RuntimeMetadata? {
        var r = MetadataReader(bytes)
        let inner = try r.option("metadata at version") { (r: inout MetadataReader) throws(MetadataError) in
            try r.byteVector("opaque metadata")
        }
        guard r.remaining == 0 else { throw .trailingBytes(r.remaining) }
        guard let inner else { return nil }
        return try RuntimeMetadata(bytes: inner)
    }

    /// Every type id the pallets, extrinsic info and V15 extras name must be in the registry.
    private func checkReferences() throws(MetadataError) {
        for p in pallets {
            let role = "pallet \(p.name)"
            if let t = p.callsType { try types.check(t, referencedBy: "\(role) calls") }
            if let t = p.eventType { try types.check(t, referencedBy: "\(role) events") }
            if let t = p.errorType { try types.check(t, referencedBy: "\(role) errors") }
            for c in p.constants { try types.check(c.type, referencedBy: "\(role) constant \(c.name)") }
            for e in p.storage?.entries ?? [] {
                switch e.kind {
                case .plain(let v): try types.check(v, referencedBy: "\(role) storage \(e.name)")
                case .map(_, let k, let v):
                    try types.check(k, referencedBy: "\(role) storage \(e.name) key")
                    try types.check(v, referencedBy: "\(role) storage \(e.name) value")
                }
            }
        }
        for (t, role) in extrinsic.typeReferences { try types.check(t, referencedBy: "extrinsic \(role)") }
        try types.check(runtimeType, referencedBy: "runtime type")
        for api in apis {
            for m in api.methods {
                for i in m.inputs { try types.check(i.type, referencedBy: "API \(api.name).\(m.name) input \(i.name)") }
                try types.check(m.output, referencedBy: "API \(api.name).\(m.name) output")
            }
        }
        if let o = outerEnums {
            try types.check(o.call, referencedBy: "outer call enum")
            try types.check(o.event, referencedBy: "outer event enum")
            try types.check(o.error, referencedBy: "outer error enum")
        }
        for c in custom { try types.check(c.type, referencedBy: "custom value \(c.name)") }
    }

    // MARK: Lookups

    public func pallet(named name: String) throws(MetadataError) -> Pallet {
        guard let p = pallets.first(where: { $0.name == name }) else { throw .palletNotFound(name) }
        return p
    }

    public func pallet(index: UInt8) throws(MetadataError) -> Pallet {
        guard let p = pallets.first(where: { $0.index == index }) else { throw .palletIndexNotFound(index) }
        return p
    }

    /// Every call of a pallet, in variant-index order.
    public func calls(pallet name: String) throws(MetadataError) -> [CallInfo] {
        let p = try pallet(named: name)
        guard let t = p.callsType else { throw .palletHasNo(pallet: name, what: "calls") }
        return try variants(t, role: "\(name) calls").map { v in
            CallInfo(pallet: p.name, palletIndex: p.index, name: v.name, callIndex: v.index,
                     arguments: v.fields.map { CallArgument(name: $0.name ?? "", type: $0.type, typeName: $0.typeName) },
                     docs: v.docs)
        }
    }

    /// A call by pallet and call name: its indices and its arguments in encoding order.
    public func call(pallet: String, name: String) throws(MetadataError) -> CallInfo {
        guard let c = try calls(pallet: pallet).first(where: { $0.name == name }) else {
            throw .callNotFound(pallet: pallet, call: name)
        }
        return c
    }

    /// The error a `DispatchError::Module { index, error }` names (its first byte is the error's variant index).
    public func error(palletIndex: UInt8, errorIndex: UInt8) throws(MetadataError) -> PalletError {
        let p = try pallet(index: palletIndex)
        guard let t = p.errorType else { throw .palletHasNo(pallet: p.name, what: "errors") }
        guard let v = try variants(t, role: "\(p.name) errors").first(where: { $0.index == errorIndex }) else {
            throw .errorNotFound(pallet: p.name, index: errorIndex)
        }
        return PalletError(pallet: p.name, palletIndex: p.index, name: v.name, index: v.index, docs: v.docs)
    }

    public func storageEntry(pallet name: String, entry: String) throws(MetadataError) -> StorageEntry {
        let p = try pallet(named: name)
        guard let storage = p.storage else { throw .palletHasNo(pallet: name, what: "storage") }
        guard let e = storage.entries.first(where: { $0.name == entry }) else {
            throw .storageNotFound(pallet: name, entry: entry)
        }
        return e
    }

    /// The variants of an enum type, sorted by index.
    public func variants(_ id: UInt32, role: String) throws(MetadataError) -> [Variant] {
        guard case .variant(let vs) = try types.type(id).def else { throw .notAVariant(id, role: role) }
        return vs.sorted { $0.index < $1.index }
    }
}

// MARK: - Pallets

public struct Pallet: Sendable, Equatable {
    public let name: String
    public let index: UInt8
    public let storage: PalletStorage?
    public let callsType: UInt32?
    public let eventType: UInt32?
    public let constants: [Constant]
    public let errorType: UInt32?
    /// V15 only.
    public let docs: [String]

    static func decode(_ r: inout MetadataReader, version: UInt8) throws(MetadataError) -> Pallet {
        let name = try r.string("pallet name")
        let what = "pallet \(name)"
        let storage = try r.option("\(what) storage") { (r: inout MetadataReader) throws(MetadataError) in
            let prefix = try r.string("\(what) storage prefix")
            let entries = try r.vector("\(what) storage entries") { (r: inout MetadataReader) throws(MetadataError) in
                try StorageEntry.decode(&r, what)
            }
            return PalletStorage(prefix: prefix, entries: entries)
        }
        let calls = try r.option("\(what) calls") { (r: inout MetadataReader) throws(MetadataError) in try r.compact("\(what) calls") }
        let event = try r.option("\(what) events") { (r: inout MetadataReader) throws(MetadataError) in try r.compact("\(what) events") }
        let constants = try r.vector("\(what) constants") { (r: inout MetadataReader) throws(MetadataError) in
            let name = try r.string("\(what) constant name")
            let type = try r.compact("\(what) constant \(name) type")
            let value = try r.byteVector("\(what) constant \(name) value")
            return Constant(name: name, type: type, value: value, docs: try r.strings("\(what) constant \(name) docs"))
        }
        let error = try r.option("\(what) errors") { (r: inout MetadataReader) throws(MetadataError) in try r.compact("\(what) errors") }
        let index = try r.byte("\(what) index")
        let docs = version >= 15 ? try r.strings("\(what) docs") : []
        return Pallet(name: name, index: index, storage: storage, callsType: calls, eventType: event,
                      constants: constants, errorType: error, docs: docs)
    }
}

public struct Constant: Sendable, Equatable {
    public let name: String
    public let type: UInt32
    /// The SCALE-encoded value.
    public let value: [UInt8]
    public let docs: [String]

    public init(name: String, type: UInt32, value: [UInt8], docs: [String] = []) {
        self.name = name
        self.type = type
        self.value = value
        self.docs = docs
    }
}

public struct PalletStorage: Sendable, Equatable {
    /// The pallet's storage prefix (hashed with twox128 into every key).
    public let prefix: String
    public let entries: [StorageEntry]

    public init(prefix: String, entries: [StorageEntry]) {
        self.prefix = prefix
        self.entries = entries
    }
}

/// frame-metadata's `StorageHasher`, tags 0...6.
public enum StorageHasher: UInt8, Sendable, Equatable, CaseIterable {
    case blake2_128, blake2_256, blake2_128Concat, twox128, twox256, twox64Concat, identity
}

public struct StorageEntry: Sendable, Equatable {
    public enum Modifier: UInt8, Sendable, Equatable {
        /// A missing key reads as nothing (`Option<Value>`).
        case optional
        /// A missing key reads as `defaultValue`.
        case `default`
    }

    public enum Kind: Sendable, Equatable {
        case plain(value: UInt32)
        /// One hasher per key part; with several, `key` is a tuple of the parts.
        case map(hashers: [StorageHasher], key: UInt32, value: UInt32)
    }

    public let name: String
    public let modifier: Modifier
    public let kind: Kind
    /// The SCALE encoding of the value a missing key reads as.
    public let defaultValue: [UInt8]
    public let docs: [String]

    public init(name: String, modifier: Modifier, kind: Kind, defaultValue: [UInt8], docs: [String] = []) {
        self.name = name
        self.modifier = modifier
        self.kind = kind
        self.defaultValue = defaultValue
        self.docs = docs
    }

    public var valueType: UInt32 {
        switch kind {
        case .plain(let v), .map(_, _, let v): return v
        }
    }

    static func decode(_ r: inout MetadataReader, _ pallet: String) throws(MetadataError) -> StorageEntry {
        let name = try r.string("\(pallet) storage entry name")
        let what = "\(pallet) storage \(name)"
        let modifierTag = try r.byte("\(what) modifier")
        guard let modifier = Modifier(rawValue: modifierTag) else { throw .invalidTag(what: "\(what) modifier", tag: modifierTag) }
        let kind: Kind
        switch try r.byte("\(what) kind") {
        case 0: kind = .plain(value: try r.compact("\(what) value type"))
        case 1:
            let hashers = try r.vector("\(what) hashers") { (r: inout MetadataReader) throws(MetadataError) in
                let tag = try r.byte("\(what) hasher")
                guard let h = StorageHasher(rawValue: tag) else { throw .invalidTag(what: "\(what) hasher", tag: tag) }
                return h
            }
            let key = try r.compact("\(what) key type")
            kind = .map(hashers: hashers, key: key, value: try r.compact("\(what) value type"))
        case let tag: throw .invalidTag(what: "\(what) kind", tag: tag)
        }
        let defaultValue = try r.byteVector("\(what) default")
        return StorageEntry(name: name, modifier: modifier, kind: kind, defaultValue: defaultValue,
                            docs: try r.strings("\(what) docs"))
    }
}

/// A call as signing needs it: where it lives and what it takes.
public struct CallInfo: Sendable, Equatable {
    public let pallet: String
    public let palletIndex: UInt8
    public let name: String
    public let callIndex: UInt8
    /// In encoding order.
    public let arguments: [CallArgument]
    public let docs: [String]
}

public struct CallArgument: Sendable, Equatable {
    public let name: String
    public let type: UInt32
    /// As written in the runtime's source (`T::AccountId`, `Vec<u8>`), when the metadata carries it.
    public let typeName: String?
}

public struct PalletError: Sendable, Equatable {
    public let pallet: String
    public let palletIndex: UInt8
    public let name: String
    public let index: UInt8
    public let docs: [String]
}

// MARK: - Extrinsic info

/// How the runtime's extrinsics are shaped: the format version and the signed extensions, in order.
public struct ExtrinsicInfo: Sendable, Equatable {
    public let version: UInt8
    /// V14: the `UncheckedExtrinsic` type (its parameters name Address, Call, Signature, Extra).
    public let extrinsicType: UInt32?
    /// V15: the address, call, signature and extra types. For V14 they come from `extrinsicType`'s parameters.
    public let addressType: UInt32?
    public let callType: UInt32?
    public let signatureType: UInt32?
    public let extraType: UInt32?
    public let signedExtensions: [SignedExtension]

    var typeReferences: [(UInt32, String)] {
        var out = [(UInt32, String)]()
        if let t = extrinsicType { out.append((t, "type")) }
        if let t = addressType { out.append((t, "address type")) }
        if let t = callType { out.append((t, "call type")) }
        if let t = signatureType { out.append((t, "signature type")) }
        if let t = extraType { out.append((t, "extra type")) }
        for e in signedExtensions {
            out += [(e.type, "extension \(e.identifier)"), (e.additionalSigned, "extension \(e.identifier) additional")]
        }
        return out
    }

    static func decode(_ r: inout MetadataReader, version: UInt8) throws(MetadataError) -> ExtrinsicInfo {
        if version == 14 {
            let ty = try r.compact("extrinsic type")
            let v = try r.byte("extrinsic version")
            return ExtrinsicInfo(version: v, extrinsicType: ty, addressType: nil, callType: nil, signatureType: nil,
                                 extraType: nil, signedExtensions: try SignedExtension.decodeAll(&r))
        }
        let v = try r.byte("extrinsic version")
        let address = try r.compact("extrinsic address type")
        let call = try r.compact("extrinsic call type")
        let signature = try r.compact("extrinsic signature type")
        let extra = try r.compact("extrinsic extra type")
        return ExtrinsicInfo(version: v, extrinsicType: nil, addressType: address, callType: call,
                             signatureType: signature, extraType: extra, signedExtensions: try SignedExtension.decodeAll(&r))
    }
}

/// One signed extension: what it adds to the extrinsic (`type`) and what it adds only to the signed payload
/// (`additionalSigned`).
public struct SignedExtension: Sendable, Equatable {
    public let identifier: String
    public let type: UInt32
    public let additionalSigned: UInt32

    public init(identifier: String, type: UInt32, additionalSigned: UInt32) {
        self.identifier = identifier
        self.type = type
        self.additionalSigned = additionalSigned
    }

    static func decodeAll(_ r: inout MetadataReader) throws(MetadataError) -> [SignedExtension] {
        try r.vector("signed extensions") { (r: inout MetadataReader) throws(MetadataError) in
            let id = try r.string("signed extension name")
            let ty = try r.compact("signed extension \(id) type")
            return SignedExtension(identifier: id, type: ty, additionalSigned: try r.compact("signed extension \(id) additional"))
        }
    }
}

extension RuntimeMetadata {
    /// The extrinsic's address type: V15 states it; V14 names it as the `Address` parameter of the extrinsic type.
    public var addressType: UInt32? { extrinsic.addressType ?? extrinsicParameter("Address") }
    /// The extrinsic's signature type (`MultiSignature` on Substrate chains).
    public var signatureType: UInt32? { extrinsic.signatureType ?? extrinsicParameter("Signature") }

    private func extrinsicParameter(_ name: String) -> UInt32? {
        guard let t = extrinsic.extrinsicType, let type = try? types.type(t) else { return nil }
        return type.parameters.first(where: { $0.name == name })?.type
    }
}

// MARK: - V15 extras

public struct RuntimeAPI: Sendable, Equatable {
    public let name: String
    public let methods: [RuntimeAPIMethod]
    public let docs: [String]

    static func decode(_ r: inout MetadataReader) throws(MetadataError) -> RuntimeAPI {
        let name = try r.string("runtime API name")
        let methods = try r.vector("API \(name) methods") { (r: inout MetadataReader) throws(MetadataError) in
            let m = try r.string("API \(name) method name")
            let inputs = try r.vector("API \(name).\(m) inputs") { (r: inout MetadataReader) throws(MetadataError) in
                let n = try r.string("API \(name).\(m) input name")
                return RuntimeAPIMethod.Input(name: n, type: try r.compact("API \(name).\(m) input type"))
            }
            let output = try r.compact("API \(name).\(m) output")
            return RuntimeAPIMethod(name: m, inputs: inputs, output: output, docs: try r.strings("API \(name).\(m) docs"))
        }
        return RuntimeAPI(name: name, methods: methods, docs: try r.strings("API \(name) docs"))
    }
}

public struct RuntimeAPIMethod: Sendable, Equatable {
    public struct Input: Sendable, Equatable {
        public let name: String
        public let type: UInt32
    }
    public let name: String
    public let inputs: [Input]
    public let output: UInt32
    public let docs: [String]
}

public struct OuterEnums: Sendable, Equatable {
    public let call: UInt32
    public let event: UInt32
    public let error: UInt32
}

public struct CustomValue: Sendable, Equatable {
    public let name: String
    public let type: UInt32
    public let value: [UInt8]
}
