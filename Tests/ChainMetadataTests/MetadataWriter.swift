import ChainMetadata
import Extrinsics

/// Writes runtime metadata (V14 or V15) from parts, for hand-made runtimes in tests: the same layout
/// RuntimeMetadata reads (docs/extrinsics.md, "Runtime metadata").
struct MetadataWriter {
    struct Entry {
        var name: String
        var modifier: UInt8 = 0
        /// nil: plain.
        var hashers: [UInt8]? = nil
        var key: UInt32 = 0
        var value: UInt32
        var defaultValue: [UInt8] = [0]
    }

    struct PalletSpec {
        var name: String
        var index: UInt8
        var storage: [Entry]? = nil
        var calls: UInt32? = nil
        var event: UInt32? = nil
        var error: UInt32? = nil
    }

    var version: UInt8 = 14
    var types: [PortableType] = []
    var pallets: [PalletSpec] = []
    var extrinsicType: UInt32 = 0
    var extensions: [SignedExtension] = []
    var runtimeType: UInt32 = 0
    /// V15: (address, call, signature, extra) types.
    var v15Types: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)

    private var out: [UInt8] = []

    mutating func compact(_ v: UInt32) { out += ValueEncoder.compact(UInt128(v)) }
    mutating func string(_ s: String) { compact(UInt32(s.utf8.count)); out += Array(s.utf8) }
    mutating func strings(_ s: [String]) { compact(UInt32(s.count)); for x in s { string(x) } }
    mutating func option(_ v: UInt32?) { if let v { out.append(1); compact(v) } else { out.append(0) } }
    mutating func fields(_ fs: [Field]) {
        compact(UInt32(fs.count))
        for f in fs {
            if let n = f.name { out.append(1); string(n) } else { out.append(0) }
            compact(f.type)
            if let n = f.typeName { out.append(1); string(n) } else { out.append(0) }
            strings(f.docs)
        }
    }

    mutating func type(_ t: PortableType) {
        compact(t.id)
        strings(t.path)
        compact(UInt32(t.parameters.count))
        for p in t.parameters { string(p.name); option(p.type) }
        switch t.def {
        case .composite(let fs): out.append(0); fields(fs)
        case .variant(let vs):
            out.append(1)
            compact(UInt32(vs.count))
            for v in vs { string(v.name); fields(v.fields); out.append(v.index); strings(v.docs) }
        case .sequence(let e): out.append(2); compact(e)
        case .array(let n, let e):
            out.append(3)
            for i in 0 ..< 4 { out.append(UInt8(truncatingIfNeeded: n >> (8 * UInt32(i)))) }
            compact(e)
        case .tuple(let ids): out.append(4); compact(UInt32(ids.count)); for i in ids { compact(i) }
        case .primitive(let p): out += [5, p.rawValue]
        case .compact(let e): out.append(6); compact(e)
        case .bitSequence(let s, let o): out.append(7); compact(s); compact(o)
        }
        strings(t.docs)
    }

    mutating func bytes() -> [UInt8] {
        out = Array("meta".utf8) + [version]
        compact(UInt32(types.count))
        for t in types { type(t) }
        compact(UInt32(pallets.count))
        for p in pallets {
            string(p.name)
            if let storage = p.storage {
                out.append(1)
                string(p.name)
                compact(UInt32(storage.count))
                for e in storage {
                    string(e.name)
                    out.append(e.modifier)
                    if let h = e.hashers {
                        out.append(1); compact(UInt32(h.count)); out += h; compact(e.key); compact(e.value)
                    } else {
                        out.append(0); compact(e.value)
                    }
                    compact(UInt32(e.defaultValue.count)); out += e.defaultValue
                    strings(["docs of \(e.name)"])
                }
            } else {
                out.append(0)
            }
            option(p.calls)
            option(p.event)
            compact(1) // one constant
            string("Answer"); compact(p.calls ?? 0); compact(1); out.append(42); strings([])
            option(p.error)
            out.append(p.index)
            if version == 15 { strings(["The \(p.name) pallet."]) }
        }
        if version == 14 {
            compact(extrinsicType)
            out.append(4)
        } else {
            out.append(4)
            compact(v15Types.0); compact(v15Types.1); compact(v15Types.2); compact(v15Types.3)
        }
        compact(UInt32(extensions.count))
        for e in extensions { string(e.identifier); compact(e.type); compact(e.additionalSigned) }
        compact(runtimeType)
        if version == 15 {
            compact(1) // one API with one method
            string("Metadata")
            compact(1)
            string("metadata_at_version")
            compact(1); string("version"); compact(runtimeType)
            compact(runtimeType)
            strings(["docs"])
            strings([])
            compact(v15Types.1); compact(v15Types.1); compact(v15Types.1) // outer enums
            compact(1); string("answer"); compact(runtimeType); compact(2); out += [4, 2]
        }
        return out
    }
}

/// A small runtime with today's registration call: SubtensorModule (index 7) with
/// `pow_register(netuid: u16, work_block: u64, nonce: u64, work: [u8; 32], hotkey: AccountId32)` at call index 152
/// and `faucet` at 60, the extension list of subtensor's newer runtimes, and MultiAddress / MultiSignature.
enum PowRuntime {
    static func types(extraTypes: [PortableType] = []) -> [PortableType] {
        func prim(_ id: UInt32, _ p: Primitive) -> PortableType { PortableType(id: id, def: .primitive(p)) }
        let era = PortableType(id: 12, path: ["sp_runtime", "generic", "era", "Era"],
                               def: .variant([Variant(name: "Immortal", index: 0)] + (1 ... 255).map {
                                   Variant(name: "Mortal\($0)", fields: [Field(name: nil, type: 0)], index: UInt8($0))
                               }))
        return [
            prim(0, .u8),
            PortableType(id: 1, def: .array(length: 32, element: 0)),
            PortableType(id: 2, path: ["sp_core", "crypto", "AccountId32"], def: .composite([Field(name: nil, type: 1, typeName: "[u8; 32]")])),
            prim(3, .u16),
            prim(4, .u64),
            PortableType(id: 5, path: ["pallet_subtensor", "pallet", "Call"], def: .variant([
                Variant(name: "faucet", fields: [Field(name: "block_number", type: 4), Field(name: "nonce", type: 4),
                                                 Field(name: "work", type: 6)], index: 60),
                Variant(name: "pow_register", fields: [
                    Field(name: "netuid", type: 3), Field(name: "work_block", type: 4), Field(name: "nonce", type: 4),
                    Field(name: "work", type: 1), Field(name: "hotkey", type: 2, typeName: "T::AccountId"),
                ], index: 152),
            ])),
            PortableType(id: 6, def: .sequence(0)),
            prim(7, .u32),
            PortableType(id: 8, def: .tuple([])),
            PortableType(id: 9, def: .compact(7)),
            PortableType(id: 10, path: ["frame_system", "extensions", "check_nonce", "CheckNonce"], def: .composite([Field(name: nil, type: 9)])),
            PortableType(id: 11, path: ["primitive_types", "H256"], def: .composite([Field(name: nil, type: 1)])),
            era,
            PortableType(id: 13, path: ["sp_runtime", "multiaddress", "MultiAddress"],
                         parameters: [TypeParameter(name: "AccountId", type: 2), TypeParameter(name: "AccountIndex", type: 8)],
                         def: .variant([Variant(name: "Id", fields: [Field(name: nil, type: 2)], index: 0),
                                        Variant(name: "Raw", fields: [Field(name: nil, type: 6)], index: 2)])),
            PortableType(id: 14, def: .array(length: 64, element: 0)),
            PortableType(id: 15, path: ["sp_runtime", "MultiSignature"],
                         def: .variant([Variant(name: "Ed25519", fields: [Field(name: nil, type: 14)], index: 0),
                                        Variant(name: "Sr25519", fields: [Field(name: nil, type: 14)], index: 1)])),
            prim(16, .u64),
            PortableType(id: 17, def: .compact(16)),
            PortableType(id: 18, path: ["subtensor", "ChargeTransactionPaymentWrapper"], def: .composite([Field(name: nil, type: 17)])),
            PortableType(id: 19, path: ["sp_runtime", "generic", "unchecked_extrinsic", "UncheckedExtrinsic"],
                         parameters: [TypeParameter(name: "Address", type: 13), TypeParameter(name: "Call", type: 5),
                                      TypeParameter(name: "Signature", type: 15), TypeParameter(name: "Extra", type: 8)],
                         def: .composite([Field(name: nil, type: 6)])),
            PortableType(id: 20, path: ["frame_metadata_hash_extension", "Mode"],
                         def: .variant([Variant(name: "Disabled", index: 0), Variant(name: "Enabled", index: 1)])),
            PortableType(id: 21, path: ["frame_metadata_hash_extension", "CheckMetadataHash"], def: .composite([Field(name: "mode", type: 20)])),
            PortableType(id: 22, path: ["Option"], parameters: [TypeParameter(name: "T", type: 1)],
                         def: .variant([Variant(name: "None", index: 0), Variant(name: "Some", fields: [Field(name: nil, type: 1)], index: 1)])),
            PortableType(id: 23, path: ["pallet_subtensor", "pallet", "Error"],
                         def: .variant([Variant(name: "InvalidWorkBlock", index: 3), Variant(name: "InvalidSeal", index: 4)])),
            PortableType(id: 24, path: ["node_subtensor_runtime", "Runtime"], def: .composite([])),
            PortableType(id: 25, path: ["pallet_subtensor", "SudoTransactionExtension"], def: .composite([Field(name: nil, type: 26)])),
            PortableType(id: 26, path: ["core", "marker", "PhantomData"], def: .tuple([])),
        ] + extraTypes
    }

    static let extensions: [SignedExtension] = [
        SignedExtension(identifier: "CheckNonZeroSender", type: 8, additionalSigned: 8),
        SignedExtension(identifier: "CheckSpecVersion", type: 8, additionalSigned: 7),
        SignedExtension(identifier: "CheckTxVersion", type: 8, additionalSigned: 7),
        SignedExtension(identifier: "CheckGenesis", type: 8, additionalSigned: 11),
        SignedExtension(identifier: "CheckMortality", type: 12, additionalSigned: 11),
        SignedExtension(identifier: "CheckNonce", type: 10, additionalSigned: 8),
        SignedExtension(identifier: "CheckWeight", type: 8, additionalSigned: 8),
        SignedExtension(identifier: "ChargeTransactionPaymentWrapper", type: 18, additionalSigned: 8),
        SignedExtension(identifier: "SudoTransactionExtension", type: 25, additionalSigned: 8),
        SignedExtension(identifier: "CheckMetadataHash", type: 21, additionalSigned: 22),
    ]

    static func writer(version: UInt8 = 14, extraTypes: [PortableType] = [],
                       extensions: [SignedExtension] = PowRuntime.extensions) -> MetadataWriter {
        var w = MetadataWriter()
        w.version = version
        w.types = types(extraTypes: extraTypes)
        w.pallets = [
            .init(name: "System", index: 0),
            .init(name: "SubtensorModule", index: 7,
                  storage: [.init(name: "LastPowRegistrationBlock", hashers: [2], key: 2, value: 4),
                            .init(name: "TotalIssuance", modifier: 1, value: 4, defaultValue: [UInt8](repeating: 0, count: 8))],
                  calls: 5, error: 23),
        ]
        w.extrinsicType = 19
        w.extensions = extensions
        w.runtimeType = 24
        w.v15Types = (13, 5, 15, 8)
        return w
    }

    static func bytes(version: UInt8 = 14) -> [UInt8] {
        var w = writer(version: version)
        return w.bytes()
    }
}
