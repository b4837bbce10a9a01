import ChainCodec
import ChainMetadata
import PoWCore

/// The devnet's runtime, described as a node describes its own: a V14 `RuntimeMetadataPrefixed` built here, naming
/// exactly the pallets, calls, events, errors, storage and signed extensions the devnet implements, under subtensor's
/// names and type shapes. Indices (pallet, call, event, error) are the devnet's; clients must read them from this
/// metadata, as they must from a node's. docs/devnet.md, "Runtime", lists what is described.
public struct DevnetRuntime: Sendable {
    /// `state_getRuntimeVersion`'s specVersion and transactionVersion.
    public static let specName = "node-subtensor"
    public static let specVersion: UInt32 = 475
    public static let transactionVersion: UInt32 = 1

    public static let systemIndex: UInt8 = 0
    public static let subtensorIndex: UInt8 = 7
    public static let faucetCallIndex: UInt8 = 60
    public static let powRegisterCallIndex: UInt8 = 152

    /// SubtensorModule's errors that `pow_register` and `faucet` can raise, under the chain's names, in the devnet's
    /// fixed order (pow_register's check order, then faucet's WorkRepeated); the variant index is the position.
    public static let subtensorErrors: [String] = [
        "RegistrationNotPermittedOnRootSubnet", "SubnetNotExists", "SubNetRegistrationDisabled",
        "HotKeyAlreadyRegisteredInSubNet", "NoNeuronIdAvailable", "TooManyRegistrationsThisBlock", "InvalidWorkBlock",
        "InvalidSeal", "InvalidDifficulty", "CannotUseSystemAccount", "NonAssociatedColdKey", "TooManyStakingHotkeys",
        "WorkRepeated",
    ]
    public static let systemErrors: [String] = [
        "InvalidSpecName", "SpecVersionNeedsToIncrease", "FailedToExtractRuntimeVersion", "NonDefaultComposite",
        "NonZeroRefCount", "CallFiltered",
    ]
    /// The signed extensions' metadata identifiers, in subtensor's order. Subtensor's fee extension is the type
    /// `ChargeTransactionPaymentWrapper`, wrapping pallet-transaction-payment's `ChargeTransactionPayment`, and keeps
    /// the inner identifier "ChargeTransactionPayment" (the only one bittensor 11.3's codec knows for the tip).
    public static let signedExtensionNames: [String] = [
        "CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality", "CheckNonce",
        "CheckWeight", "ChargeTransactionPayment", "SudoTransactionExtension", "CheckShieldedTxValidity",
        "SubtensorTransactionExtension", "DrandPriority", "CheckMetadataHash",
    ]

    public let metadata: RuntimeMetadata
    /// `metadata` encoded: what `state_getMetadata` returns.
    public let bytes: [UInt8]
    /// Type ids the devnet encodes values with.
    public let accountInfoType: UInt32
    public let eventRecordsType: UInt32

    public static let shared: DevnetRuntime = {
        do { return try DevnetRuntime() } catch { preconditionFailure("the devnet's own metadata is invalid: \(error)") }
    }()

    init() throws(MetadataError) {
        var t = TypeTable()
        let u8 = t.add(.primitive(.u8)), u16 = t.add(.primitive(.u16)), u32 = t.add(.primitive(.u32))
        let u64 = t.add(.primitive(.u64)), u128 = t.add(.primitive(.u128)), bool = t.add(.primitive(.bool))
        let unit = t.add(.tuple([]))
        let a32 = t.add(.array(length: 32, element: u8)), a4 = t.add(.array(length: 4, element: u8))
        let a20 = t.add(.array(length: 20, element: u8))
        let a64 = t.add(.array(length: 64, element: u8)), a65 = t.add(.array(length: 65, element: u8))
        let vecU8 = t.add(.sequence(u8))
        let compactU32 = t.add(.compact(u32)), compactU64 = t.add(.compact(u64))
        let accountId = t.add(["sp_core", "crypto", "AccountId32"], .composite([Field(name: nil, type: a32, typeName: "[u8; 32]")]))
        let h256 = t.add(["primitive_types", "H256"], .composite([Field(name: nil, type: a32, typeName: "[u8; 32]")]))
        let vecH256 = t.add(.sequence(h256))

        // System.Account
        let extraFlags = t.add(["pallet_balances", "types", "ExtraFlags"], .composite([Field(name: nil, type: u128, typeName: "u128")]))
        let accountData = t.add(["pallet_balances", "types", "AccountData"], params: [("Balance", u64)], .composite([
            Field(name: "free", type: u64, typeName: "Balance"), Field(name: "reserved", type: u64, typeName: "Balance"),
            Field(name: "frozen", type: u64, typeName: "Balance"), Field(name: "flags", type: extraFlags, typeName: "ExtraFlags"),
        ]))
        let accountInfo = t.add(["frame_system", "AccountInfo"], params: [("Nonce", u32), ("AccountData", accountData)], .composite([
            Field(name: "nonce", type: u32, typeName: "Nonce"), Field(name: "consumers", type: u32, typeName: "RefCount"),
            Field(name: "providers", type: u32, typeName: "RefCount"), Field(name: "sufficients", type: u32, typeName: "RefCount"),
            Field(name: "data", type: accountData, typeName: "AccountData"),
        ]))

        // Dispatch results
        let moduleError = t.add(["sp_runtime", "ModuleError"], .composite([
            Field(name: "index", type: u8, typeName: "u8"), Field(name: "error", type: a4, typeName: "[u8; MAX_MODULE_ERROR_ENCODED_SIZE]"),
        ]))
        let dispatchError = t.add(["sp_runtime", "DispatchError"], .variant([
            Variant(name: "Other", index: 0), Variant(name: "CannotLookup", index: 1), Variant(name: "BadOrigin", index: 2),
            Variant(name: "Module", fields: [Field(name: nil, type: moduleError, typeName: "ModuleError")], index: 3),
            Variant(name: "ConsumerRemaining", index: 4), Variant(name: "NoProviders", index: 5),
            Variant(name: "TooManyConsumers", index: 6), Variant(name: "Exhausted", index: 10),
            Variant(name: "Corruption", index: 11), Variant(name: "Unavailable", index: 12), Variant(name: "RootNotAllowed", index: 13),
        ]))
        let weight = t.add(["sp_weights", "weight_v2", "Weight"], .composite([
            Field(name: "ref_time", type: compactU64, typeName: "u64"), Field(name: "proof_size", type: compactU64, typeName: "u64"),
        ]))
        let dispatchClass = t.add(["frame_support", "dispatch", "DispatchClass"], .variant([
            Variant(name: "Normal", index: 0), Variant(name: "Operational", index: 1), Variant(name: "Mandatory", index: 2),
        ]))
        let pays = t.add(["frame_support", "dispatch", "Pays"], .variant([Variant(name: "Yes", index: 0), Variant(name: "No", index: 1)]))
        let dispatchInfo = t.add(["frame_support", "dispatch", "DispatchInfo"], .composite([
            Field(name: "weight", type: weight, typeName: "Weight"), Field(name: "class", type: dispatchClass, typeName: "DispatchClass"),
            Field(name: "pays_fee", type: pays, typeName: "Pays"),
        ]))

        // System pallet
        let systemEvent = t.add(["frame_system", "pallet", "Event"], .variant([
            Variant(name: "ExtrinsicSuccess", fields: [Field(name: "dispatch_info", type: dispatchInfo, typeName: "DispatchInfo")], index: 0,
                    docs: ["An extrinsic completed successfully."]),
            Variant(name: "ExtrinsicFailed", fields: [Field(name: "dispatch_error", type: dispatchError, typeName: "DispatchError"),
                                                      Field(name: "dispatch_info", type: dispatchInfo, typeName: "DispatchInfo")], index: 1,
                    docs: ["An extrinsic failed."]),
        ]))
        let systemError = t.add(["frame_system", "pallet", "Error"],
                                .variant(Self.systemErrors.enumerated().map { Variant(name: $1, index: UInt8($0)) }))

        // SubtensorModule
        let subtensorCall = t.add(["pallet_subtensor", "pallet", "Call"], .variant([
            Variant(name: "faucet", fields: [
                Field(name: "block_number", type: u64, typeName: "u64"), Field(name: "nonce", type: u64, typeName: "u64"),
                Field(name: "work", type: vecU8, typeName: "Vec<u8>"),
            ], index: Self.faucetCallIndex, docs: ["Mints 1,000 TAO to the signer for legacy proof of work over the signer."]),
            Variant(name: "pow_register", fields: [
                Field(name: "netuid", type: u16, typeName: "NetUid"), Field(name: "work_block", type: u64, typeName: "u64"),
                Field(name: "nonce", type: u64, typeName: "u64"), Field(name: "work", type: a32, typeName: "[u8; 32]"),
                Field(name: "hotkey", type: accountId, typeName: "T::AccountId"),
            ], index: Self.powRegisterCallIndex, docs: ["Registers a hotkey on a subnet with v1 proof of work; signed by the coldkey."]),
        ]))
        let subtensorEvent = t.add(["pallet_subtensor", "pallet", "Event"], .variant([
            Variant(name: "NeuronRegistered", fields: [
                Field(name: nil, type: u16, typeName: "NetUid"), Field(name: nil, type: u16, typeName: "u16"),
                Field(name: nil, type: accountId, typeName: "T::AccountId"),
            ], index: 0, docs: ["A neuron was registered: (netuid, uid, hotkey)."]),
            Variant(name: "Faucet", fields: [
                Field(name: nil, type: accountId, typeName: "T::AccountId"), Field(name: nil, type: u64, typeName: "u64"),
            ], index: 1, docs: ["The faucet minted: (coldkey, amount in rao)."]),
        ]))
        let subtensorError = t.add(["pallet_subtensor", "pallet", "Error"],
                                   .variant(Self.subtensorErrors.enumerated().map { Variant(name: $1, index: UInt8($0)) }))

        // Outer enums, events
        let runtimeCall = t.add(["node_subtensor_runtime", "RuntimeCall"], .variant([
            Variant(name: "SubtensorModule", fields: [Field(name: nil, type: subtensorCall, typeName: "self::sp_api_hidden_includes_construct_runtime::hidden_include::dispatch::CallableCallFor<SubtensorModule, Runtime>")], index: Self.subtensorIndex),
        ]))
        let runtimeEvent = t.add(["node_subtensor_runtime", "RuntimeEvent"], .variant([
            Variant(name: "System", fields: [Field(name: nil, type: systemEvent, typeName: "frame_system::Event<Runtime>")], index: Self.systemIndex),
            Variant(name: "SubtensorModule", fields: [Field(name: nil, type: subtensorEvent, typeName: "pallet_subtensor::Event<Runtime>")], index: Self.subtensorIndex),
        ]))
        let phase = t.add(["frame_system", "Phase"], .variant([
            Variant(name: "ApplyExtrinsic", fields: [Field(name: nil, type: u32, typeName: "u32")], index: 0),
            Variant(name: "Finalization", index: 1), Variant(name: "Initialization", index: 2),
        ]))
        let eventRecord = t.add(["frame_system", "EventRecord"], params: [("E", runtimeEvent), ("T", h256)], .composite([
            Field(name: "phase", type: phase, typeName: "Phase"), Field(name: "event", type: runtimeEvent, typeName: "E"),
            Field(name: "topics", type: vecH256, typeName: "Vec<T>"),
        ]))
        let eventRecords = t.add(.sequence(eventRecord))

        // Extrinsic: address, signature, extensions
        let multiAddress = t.add(["sp_runtime", "multiaddress", "MultiAddress"], params: [("AccountId", accountId), ("AccountIndex", unit)], .variant([
            Variant(name: "Id", fields: [Field(name: nil, type: accountId, typeName: "AccountId")], index: 0),
            Variant(name: "Index", fields: [Field(name: nil, type: compactU32, typeName: "AccountIndex")], index: 1),
            Variant(name: "Raw", fields: [Field(name: nil, type: vecU8, typeName: "Vec<u8>")], index: 2),
            Variant(name: "Address32", fields: [Field(name: nil, type: a32, typeName: "[u8; 32]")], index: 3),
            Variant(name: "Address20", fields: [Field(name: nil, type: a20, typeName: "[u8; 20]")], index: 4),
        ]))
        let multiSignature = t.add(["sp_runtime", "MultiSignature"], .variant([
            Variant(name: "Ed25519", fields: [Field(name: nil, type: a64, typeName: "ed25519::Signature")], index: 0),
            Variant(name: "Sr25519", fields: [Field(name: nil, type: a64, typeName: "sr25519::Signature")], index: 1),
            Variant(name: "Ecdsa", fields: [Field(name: nil, type: a65, typeName: "ecdsa::Signature")], index: 2),
        ]))
        var eraVariants = [Variant(name: "Immortal", index: 0)]
        for i in 1 ... 255 { eraVariants.append(Variant(name: "Mortal\(i)", fields: [Field(name: nil, type: u8)], index: UInt8(i))) }
        let era = t.add(["sp_runtime", "generic", "era", "Era"], .variant(eraVariants))
        let mode = t.add(["frame_metadata_hash_extension", "Mode"], .variant([Variant(name: "Disabled", index: 0), Variant(name: "Enabled", index: 1)]))
        let optionHash = t.add(["Option"], params: [("T", a32)], .variant([
            Variant(name: "None", index: 0), Variant(name: "Some", fields: [Field(name: nil, type: a32)], index: 1),
        ]))
        let chargePayment = t.add(["pallet_transaction_payment", "ChargeTransactionPayment"],
                                  .composite([Field(name: nil, type: compactU64, typeName: "BalanceOf<T>")]))
        func empty(_ path: [String]) -> UInt32 { t.add(path, .composite([])) }
        let extensionTypes: [(String, UInt32, UInt32)] = [
            ("CheckNonZeroSender", empty(["frame_system", "extensions", "check_non_zero_sender", "CheckNonZeroSender"]), unit),
            ("CheckSpecVersion", empty(["frame_system", "extensions", "check_spec_version", "CheckSpecVersion"]), u32),
            ("CheckTxVersion", empty(["frame_system", "extensions", "check_tx_version", "CheckTxVersion"]), u32),
            ("CheckGenesis", empty(["frame_system", "extensions", "check_genesis", "CheckGenesis"]), h256),
            ("CheckMortality", t.add(["frame_system", "extensions", "check_mortality", "CheckMortality"],
                                     .composite([Field(name: nil, type: era, typeName: "Era")])), h256),
            ("CheckNonce", t.add(["frame_system", "extensions", "check_nonce", "CheckNonce"],
                                 .composite([Field(name: nil, type: compactU32, typeName: "T::Nonce")])), unit),
            ("CheckWeight", empty(["frame_system", "extensions", "check_weight", "CheckWeight"]), unit),
            ("ChargeTransactionPayment", t.add(["node_subtensor_runtime", "transaction_payment_wrapper", "ChargeTransactionPaymentWrapper"],
                                                      .composite([Field(name: nil, type: chargePayment, typeName: "ChargeTransactionPayment<T>")])), unit),
            ("SudoTransactionExtension", empty(["pallet_sudo", "extension", "CheckOnlySudoAccount"]), unit),
            ("CheckShieldedTxValidity", empty(["pallet_shield", "CheckShieldedTxValidity"]), unit),
            ("SubtensorTransactionExtension", empty(["pallet_subtensor", "extensions", "subtensor", "SubtensorTransactionExtension"]), unit),
            ("DrandPriority", empty(["pallet_drand", "drand_priority", "DrandPriority"]), unit),
            ("CheckMetadataHash", t.add(["frame_metadata_hash_extension", "CheckMetadataHash"],
                                        .composite([Field(name: "mode", type: mode, typeName: "Mode")])), optionHash),
        ]
        precondition(extensionTypes.map(\.0) == Self.signedExtensionNames)
        let extra = t.add(.tuple(extensionTypes.map(\.1)))
        let unchecked = t.add(["sp_runtime", "generic", "unchecked_extrinsic", "UncheckedExtrinsic"],
                              params: [("Address", multiAddress), ("Call", runtimeCall), ("Signature", multiSignature), ("Extra", extra)],
                              .composite([Field(name: nil, type: vecU8)]))
        let runtime = t.add(["node_subtensor_runtime", "Runtime"], .composite([]))

        // Storage
        let zeros = { (n: Int) in [UInt8](repeating: 0, count: n) }
        func map(_ name: String, _ hashers: [ChainMetadata.StorageHasher], key: UInt32, value: UInt32,
                 optional: Bool = false, default d: [UInt8]) -> StorageEntry {
            StorageEntry(name: name, modifier: optional ? .optional : .default, kind: .map(hashers: hashers, key: key, value: value),
                         defaultValue: optional ? [0] : d)
        }
        let systemStorage = PalletStorage(prefix: "System", entries: [
            map("Account", [.blake2_128Concat], key: accountId, value: accountInfo, default: zeros(4 * 4 + 3 * 8 + 16)),
            map("BlockHash", [.twox64Concat], key: u32, value: h256, default: zeros(32)),
            StorageEntry(name: "Number", modifier: .default, kind: .plain(value: u32), defaultValue: zeros(4)),
            StorageEntry(name: "Events", modifier: .default, kind: .plain(value: eventRecords), defaultValue: [0]),
        ])
        var subtensorEntries: [StorageEntry] = []
        let valueTypes: [StorageValueType: UInt32] = [.u16: u16, .u32: u32, .u64: u64, .bool: bool]
        let netuidAndHotkey = t.add(.tuple([u16, accountId]))
        for item in StorageItem.all where item.pallet == "SubtensorModule" {
            let keyTypes = item.keys.map { $0.type == .netuid ? u16 : accountId }
            let hashers: [ChainMetadata.StorageHasher] = item.keys.map {
                switch $0.hasher {
                case .identity: return .identity
                case .blake2_128Concat: return .blake2_128Concat
                case .twox64Concat: return .twox64Concat
                }
            }
            let key = keyTypes.count == 1 ? keyTypes[0] : netuidAndHotkey
            subtensorEntries.append(map(item.name, hashers, key: key, value: valueTypes[item.valueType]!,
                                        optional: item.defaultValue == nil, default: item.defaultValue?.scaleEncoded ?? []))
        }
        subtensorEntries.append(map("Owner", [.blake2_128Concat], key: accountId, value: accountId, default: zeros(32)))

        let types = try TypeRegistry(types: t.types)
        metadata = try RuntimeMetadata(v14: types, pallets: [
            Pallet(name: "System", index: Self.systemIndex, storage: systemStorage, eventType: systemEvent, errorType: systemError),
            Pallet(name: "SubtensorModule", index: Self.subtensorIndex, storage: PalletStorage(prefix: "SubtensorModule", entries: subtensorEntries),
                   callsType: subtensorCall, eventType: subtensorEvent, errorType: subtensorError),
        ], extrinsic: ExtrinsicInfo(v14: unchecked, version: 4, signedExtensions: extensionTypes.map {
            SignedExtension(identifier: $0.0, type: $0.1, additionalSigned: $0.2)
        }), runtimeType: runtime)
        bytes = try metadata.encoded()
        accountInfoType = accountInfo
        eventRecordsType = eventRecords
    }

    /// `state_getRuntimeVersion`'s answer, shaped as a node's.
    public static var versionJSON: JSONValue {
        .object([
            "specName": .string(specName), "implName": .string(specName), "authoringVersion": 1,
            "specVersion": .int(Int64(specVersion)), "implVersion": 1, "apis": .array([]),
            "transactionVersion": .int(Int64(transactionVersion)), "systemVersion": 1, "stateVersion": 1,
        ])
    }

    /// The index of a SubtensorModule error by name.
    public static func subtensorErrorIndex(_ name: String) -> UInt8 {
        guard let i = subtensorErrors.firstIndex(of: name) else { preconditionFailure("unknown SubtensorModule error \(name)") }
        return UInt8(i)
    }
}

/// Assigns type ids in order of addition.
struct TypeTable {
    var types: [PortableType] = []

    mutating func add(_ path: [String] = [], params: [(String, UInt32)] = [], _ def: TypeDef) -> UInt32 {
        let id = UInt32(types.count)
        types.append(PortableType(id: id, path: path, parameters: params.map { TypeParameter(name: $0.0, type: $0.1) }, def: def))
        return id
    }

    mutating func add(_ def: TypeDef) -> UInt32 { add([], params: [], def) }
}
