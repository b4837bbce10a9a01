import ChainCodec
import ChainMetadata
import PoWCore

/// A call's SCALE bytes: pallet index, call index, arguments.
public struct EncodedCall: Sendable, Equatable {
    public let pallet: String
    public let name: String
    public let bytes: [UInt8]
}

/// What the signed extensions commit to, besides the call.
public struct SigningParameters: Sendable, Equatable {
    public var specVersion: UInt32
    public var transactionVersion: UInt32
    public var genesisHash: Bytes32
    public var era: Era
    /// The hash of the era's birth block (`era.birth(currentBlock:)`); ignored for an immortal era, which commits
    /// to the genesis hash.
    public var eraBirthHash: Bytes32
    /// The signer's account nonce (`system_accountNextIndex`).
    public var nonce: UInt64
    public var tip: UInt128

    public init(specVersion: UInt32, transactionVersion: UInt32, genesisHash: Bytes32, era: Era,
                eraBirthHash: Bytes32, nonce: UInt64, tip: UInt128 = 0) {
        self.specVersion = specVersion
        self.transactionVersion = transactionVersion
        self.genesisHash = genesisHash
        self.era = era
        self.eraBirthHash = eraBirthHash
        self.nonce = nonce
        self.tip = tip
    }
}

/// Builds signed v4 extrinsics for one runtime from its metadata. Signing happens elsewhere: `prepare` gives the
/// bytes to sign, `UnsignedExtrinsic.signed(signer:signature:)` takes the signature back. docs/extrinsics.md has
/// the format.
public struct ExtrinsicBuilder: Sendable {
    public let metadata: RuntimeMetadata
    public let encoder: ValueEncoder

    public init(metadata: RuntimeMetadata) {
        self.metadata = metadata
        encoder = ValueEncoder(types: metadata.types)
    }

    /// The call's bytes with its arguments given by name; every argument the call takes must be given, and no other.
    public func encodeCall(pallet: String, call: String, arguments: [String: ScaleValue]) throws(ExtrinsicError) -> EncodedCall {
        let info: CallInfo
        do { info = try metadata.call(pallet: pallet, name: call) } catch { throw .metadata(error) }
        let label = "\(pallet).\(call)"
        let names = info.arguments.map(\.name)
        if let extra = arguments.keys.sorted().first(where: { !names.contains($0) }) {
            throw .unexpectedArgument(call: label, argument: extra)
        }
        var bytes: [UInt8] = [info.palletIndex, info.callIndex]
        for argument in info.arguments {
            guard let value = arguments[argument.name] else { throw .missingArgument(call: label, argument: argument.name) }
            try encoder.encode(value, as: argument.type, path: "\(call).\(argument.name)", into: &bytes)
        }
        return EncodedCall(pallet: pallet, name: call, bytes: bytes)
    }

    /// Composes the call and the signed extensions: the result holds the payload to sign.
    public func prepare(pallet: String, call: String, arguments: [String: ScaleValue],
                        parameters: SigningParameters) throws(ExtrinsicError) -> UnsignedExtrinsic {
        try prepare(call: try encodeCall(pallet: pallet, call: call, arguments: arguments), parameters: parameters)
    }

    public func prepare(call: EncodedCall, parameters: SigningParameters) throws(ExtrinsicError) -> UnsignedExtrinsic {
        guard metadata.extrinsic.version == 4 else { throw .unsupportedExtrinsicVersion(metadata.extrinsic.version) }
        guard let addressType = metadata.addressType else { throw .missingExtrinsicType("address") }
        guard let signatureType = metadata.signatureType else { throw .missingExtrinsicType("signature") }
        let (extra, additional) = try signedExtensionData(parameters)
        return UnsignedExtrinsic(call: call.bytes, extra: extra, additional: additional, addressType: addressType,
                                 signatureType: signatureType, encoder: encoder)
    }

    /// The extensions' `extra` (travels in the extrinsic) and `additional` (signed only) bytes, in the runtime's
    /// order. Each known extension's values are encoded by the types the metadata gives it; an unknown extension
    /// is accepted only when both its types encode nothing.
    public func signedExtensionData(_ p: SigningParameters) throws(ExtrinsicError) -> (extra: [UInt8], additional: [UInt8]) {
        var extra = [UInt8]()
        var additional = [UInt8]()
        for ext in metadata.extrinsic.signedExtensions {
            let (e, a) = Self.knownValues(ext.identifier, p)
            let emptyExtra = try encodesNothing(ext.type)
            let emptyAdditional = try encodesNothing(ext.additionalSigned)
            if (e == nil && !emptyExtra) || (a == nil && !emptyAdditional) {
                throw .unsupportedSignedExtension(name: ext.identifier, extraType: describe(ext.type),
                                                  additionalType: describe(ext.additionalSigned))
            }
            if let e { try encoder.encode(e, as: ext.type, path: "\(ext.identifier) extra", into: &extra) }
            if let a { try encoder.encode(a, as: ext.additionalSigned, path: "\(ext.identifier) additional", into: &additional) }
        }
        return (extra, additional)
    }

    private func encodesNothing(_ id: UInt32) throws(ExtrinsicError) -> Bool {
        do { return try metadata.types.encodesNothing(id) } catch { throw .metadata(error) }
    }

    private func describe(_ id: UInt32) -> String {
        (try? metadata.types.encodesNothing(id)) == true ? "()" : metadata.types.name(id)
    }

    /// The values of the extensions that carry data, by name (nil: the extension adds nothing there).
    static func knownValues(_ identifier: String, _ p: SigningParameters) -> (extra: ScaleValue?, additional: ScaleValue?) {
        switch identifier {
        case "CheckSpecVersion": return (nil, .uint(UInt128(p.specVersion)))
        case "CheckTxVersion": return (nil, .uint(UInt128(p.transactionVersion)))
        case "CheckGenesis": return (nil, .bytes(p.genesisHash.bytes))
        case "CheckMortality", "CheckEra":
            // The Era type is an enum whose variant index is the first encoded byte (0 immortal, else a u8 follows).
            let bytes = p.era.encoded
            let era: ScaleValue = bytes.count == 1 ? .variantIndex(0, []) : .variantIndex(bytes[0], [.uint(UInt128(bytes[1]))])
            let hash = p.era == .immortal ? p.genesisHash : p.eraBirthHash
            return (era, .bytes(hash.bytes))
        case "CheckNonce": return (.uint(UInt128(p.nonce)), nil)
        case "ChargeTransactionPayment", "ChargeTransactionPaymentWrapper": return (.uint(p.tip), nil)
        // Metadata hash checking off: mode Disabled, and no hash signed.
        case "CheckMetadataHash": return (.fields(["mode": .variant("Disabled", [])]), .optionNone)
        default: return (nil, nil)
        }
    }
}

/// A call with its signed extensions, waiting for a signature.
public struct UnsignedExtrinsic: Sendable, Equatable {
    public let call: [UInt8]
    /// The extensions' data that travels in the extrinsic.
    public let extra: [UInt8]
    /// The extensions' data that is signed but not sent.
    public let additional: [UInt8]
    let addressType: UInt32
    let signatureType: UInt32
    let encoder: ValueEncoder

    public static func == (a: UnsignedExtrinsic, b: UnsignedExtrinsic) -> Bool {
        a.call == b.call && a.extra == b.extra && a.additional == b.additional
    }

    /// `call || extra || additional`, or its blake2b-256 when longer than 256 bytes: what the signer signs.
    public var signingPayload: [UInt8] {
        let payload = call + extra + additional
        return payload.count > 256 ? blake2b256(payload) : payload
    }

    /// The submittable extrinsic: `Compact(length) || 0x84 || MultiAddress::Id(signer) ||
    /// MultiSignature::Sr25519(signature) || extra || call`.
    public func signed(signer: Bytes32, signature: [UInt8]) throws(ExtrinsicError) -> SignedExtrinsic {
        guard signature.count == 64 else { throw .badSignatureLength(signature.count) }
        var body: [UInt8] = [0x80 | 4]
        try encoder.encode(.variant("Id", [.bytes(signer.bytes)]), as: addressType, path: "signer address", into: &body)
        try encoder.encode(.variant("Sr25519", [.bytes(signature)]), as: signatureType, path: "signature", into: &body)
        body += extra
        body += call
        return SignedExtrinsic(bytes: ValueEncoder.compact(UInt128(body.count)) + body)
    }
}

public struct SignedExtrinsic: Sendable, Equatable {
    /// What `author_submitExtrinsic` takes (as hex).
    public let bytes: [UInt8]
    /// blake2b-256 of the bytes: the hash the node reports for it.
    public var hash: Bytes32 { Bytes32(blake2b256(bytes))! }
}
