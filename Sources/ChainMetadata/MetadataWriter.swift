import ChainCodec

/// Encodes runtime metadata (V14 only) back to frame-metadata's `RuntimeMetadataPrefixed` bytes: the exact inverse
/// of `RuntimeMetadata(bytes:)` for a V14 value. Layout: docs/extrinsics.md, "Runtime metadata".
extension RuntimeMetadata {
    /// A V14 metadata value from its parts; the references are checked as when decoding.
    public init(v14 types: TypeRegistry, pallets: [Pallet], extrinsic: ExtrinsicInfo, runtimeType: UInt32) throws(MetadataError) {
        // Round-trip through the decoder: one place checks what a valid metadata value is.
        var w = MetadataWriter()
        w.bytes += Array("meta".utf8)
        w.byte(14)
        w.registry(types)
        w.vector(pallets) { w, p in w.pallet(p) }
        w.extrinsicV14(extrinsic)
        w.compact(runtimeType)
        self = try RuntimeMetadata(bytes: w.bytes)
    }

    /// `"meta" || 14 || body`. Only V14 values can be encoded (V15 is refused with `.unsupportedVersion`).
    public func encoded() throws(MetadataError) -> [UInt8] {
        guard version == 14 else { throw .unsupportedVersion(version) }
        var w = MetadataWriter()
        w.bytes += Array("meta".utf8)
        w.byte(14)
        w.registry(types)
        w.vector(pallets) { w, p in w.pallet(p) }
        w.extrinsicV14(extrinsic)
        w.compact(runtimeType)
        return w.bytes
    }
}

extension Pallet {
    public init(name: String, index: UInt8, storage: PalletStorage? = nil, callsType: UInt32? = nil,
                eventType: UInt32? = nil, constants: [Constant] = [], errorType: UInt32? = nil) {
        self.init(name: name, index: index, storage: storage, callsType: callsType, eventType: eventType,
                  constants: constants, errorType: errorType, docs: [])
    }
}

extension ExtrinsicInfo {
    /// V14's extrinsic info: the `UncheckedExtrinsic` type (whose parameters name Address, Call, Signature, Extra).
    public init(v14 extrinsicType: UInt32, version: UInt8, signedExtensions: [SignedExtension]) {
        self.init(version: version, extrinsicType: extrinsicType, addressType: nil, callType: nil, signatureType: nil,
                  extraType: nil, signedExtensions: signedExtensions)
    }
}

/// SCALE output for metadata: compact integers, strings, options and vectors.
struct MetadataWriter {
    var bytes: [UInt8] = []

    mutating func byte(_ b: UInt8) { bytes.append(b) }
    mutating func compact(_ v: UInt32) { bytes += SCALE.compact(UInt64(v)) }
    mutating func string(_ s: String) { byteVector(Array(s.utf8)) }
    mutating func byteVector(_ b: [UInt8]) { compact(UInt32(b.count)); bytes += b }
    mutating func strings(_ list: [String]) { vector(list) { w, s in w.string(s) } }
    mutating func vector<T>(_ items: [T], _ each: (inout MetadataWriter, T) -> Void) {
        compact(UInt32(items.count))
        for item in items { each(&self, item) }
    }
    mutating func option<T>(_ value: T?, _ each: (inout MetadataWriter, T) -> Void) {
        guard let value else { byte(0); return }
        byte(1)
        each(&self, value)
    }

    mutating func registry(_ registry: TypeRegistry) {
        vector(registry.types) { w, t in w.type(t) }
    }

    mutating func type(_ t: PortableType) {
        compact(t.id)
        strings(t.path)
        vector(t.parameters) { w, p in
            w.string(p.name)
            w.option(p.type) { w, id in w.compact(id) }
        }
        switch t.def {
        case .composite(let fields):
            byte(0); self.fields(fields)
        case .variant(let variants):
            byte(1)
            vector(variants) { w, v in
                w.string(v.name)
                w.fields(v.fields)
                w.byte(v.index)
                w.strings(v.docs)
            }
        case .sequence(let e): byte(2); compact(e)
        case .array(let length, let e):
            byte(3)
            for i in 0 ..< 4 { byte(UInt8(truncatingIfNeeded: length >> UInt32(8 * i))) }
            compact(e)
        case .tuple(let ids): byte(4); vector(ids) { w, id in w.compact(id) }
        case .primitive(let p): byte(5); byte(p.rawValue)
        case .compact(let e): byte(6); compact(e)
        case .bitSequence(let store, let order): byte(7); compact(store); compact(order)
        }
        strings(t.docs)
    }

    mutating func fields(_ fields: [Field]) {
        vector(fields) { w, f in
            w.option(f.name) { w, n in w.string(n) }
            w.compact(f.type)
            w.option(f.typeName) { w, n in w.string(n) }
            w.strings(f.docs)
        }
    }

    mutating func pallet(_ p: Pallet) {
        string(p.name)
        option(p.storage) { w, s in
            w.string(s.prefix)
            w.vector(s.entries) { w, e in w.storageEntry(e) }
        }
        option(p.callsType) { w, t in w.compact(t) }
        option(p.eventType) { w, t in w.compact(t) }
        vector(p.constants) { w, c in
            w.string(c.name)
            w.compact(c.type)
            w.byteVector(c.value)
            w.strings(c.docs)
        }
        option(p.errorType) { w, t in w.compact(t) }
        byte(p.index)
    }

    mutating func storageEntry(_ e: StorageEntry) {
        string(e.name)
        byte(e.modifier.rawValue)
        switch e.kind {
        case .plain(let v): byte(0); compact(v)
        case .map(let hashers, let key, let value):
            byte(1)
            vector(hashers) { w, h in w.byte(h.rawValue) }
            compact(key)
            compact(value)
        }
        byteVector(e.defaultValue)
        strings(e.docs)
    }

    mutating func extrinsicV14(_ x: ExtrinsicInfo) {
        compact(x.extrinsicType ?? 0)
        byte(x.version)
        vector(x.signedExtensions) { w, e in
            w.string(e.identifier)
            w.compact(e.type)
            w.compact(e.additionalSigned)
        }
    }
}
