import ChainCodec
import ChainMetadata

/// One `frame_system::EventRecord` of `System.Events`: when it happened, which pallet's event, its fields.
public struct EventRecord: Sendable, Equatable, CustomStringConvertible {
    /// `frame_system::Phase`.
    public enum Phase: Sendable, Equatable {
        /// While applying the extrinsic at this index of the block's extrinsic list.
        case applyExtrinsic(UInt32)
        case finalization
        case initialization
    }

    public let phase: Phase
    /// The pallet's name and index (the `RuntimeEvent` variant).
    public let pallet: String
    public let palletIndex: UInt8
    /// The event's name within its pallet (`ExtrinsicSuccess`, `NeuronRegistered`).
    public let name: String
    /// The event's fields as `ValueDecoder` gives a variant's: one `.fields` when all are named, else in order.
    public let fields: [ScaleValue]
    public let topics: [[UInt8]]

    public init(phase: Phase, pallet: String, palletIndex: UInt8, name: String, fields: [ScaleValue], topics: [[UInt8]] = []) {
        self.phase = phase
        self.pallet = pallet
        self.palletIndex = palletIndex
        self.name = name
        self.fields = fields
        self.topics = topics
    }

    /// A field by position (for events of unnamed fields) or by name (events of named fields).
    public func field(_ position: Int) -> ScaleValue? {
        if fields.count == 1, case .fields(let named) = fields[0] {
            // Named fields have no order in the dictionary: positions only index unnamed ones.
            return position == 0 && named.count == 1 ? named.first?.value : nil
        }
        return fields.indices.contains(position) ? fields[position] : nil
    }

    public func field(_ name: String) -> ScaleValue? {
        guard fields.count == 1, case .fields(let named) = fields[0] else { return nil }
        return named[name]
    }

    public var description: String { "\(pallet).\(name)" }
}

/// Why an included extrinsic failed: `sp_runtime::DispatchError`, with a pallet error named through the metadata.
public struct DispatchFailure: Sendable, Equatable, CustomStringConvertible {
    /// For `DispatchError::Module`: the pallet that raised the error; nil for the other kinds.
    public let pallet: String?
    public let palletIndex: UInt8?
    /// The pallet error's name (`InvalidDifficulty`), or the `DispatchError` variant, with its inner variant when it
    /// has one (`BadOrigin`, `Token.FundsUnavailable`).
    public let name: String
    /// The pallet error's documentation from the metadata (empty for the other kinds).
    public let docs: [String]

    public init(pallet: String?, palletIndex: UInt8?, name: String, docs: [String] = []) {
        self.pallet = pallet
        self.palletIndex = palletIndex
        self.name = name
        self.docs = docs
    }

    public var description: String {
        let head = pallet.map { "\($0).\(name)" } ?? name
        guard let first = docs.first(where: { !$0.trimmingSpaces.isEmpty }) else { return head }
        return "\(head): \(first.trimmingSpaces)"
    }
}

/// What an included extrinsic did, from the events recorded in its block.
public enum ExtrinsicOutcome: Sendable, Equatable, CustomStringConvertible {
    /// `System.ExtrinsicSuccess`; `events` are all of the extrinsic's events in order (the success included).
    case success(events: [EventRecord])
    /// `System.ExtrinsicFailed`; `events` as for success.
    case failed(DispatchFailure, events: [EventRecord])

    public var events: [EventRecord] {
        switch self {
        case .success(let events), .failed(_, let events): return events
        }
    }

    public var description: String {
        switch self {
        case .success(let events): return "succeeded (\(events.map(\.description).joined(separator: ", ")))"
        case .failed(let failure, _): return "failed: \(failure)"
        }
    }
}

/// Reading `System.Events` by the runtime's metadata.
public enum SystemEvents {
    /// twox128("System") ‖ twox128("Events").
    public static let storageKey: [UInt8] = Twox.hash128("System") + Twox.hash128("Events")

    /// Decodes the `Vec<EventRecord>` stored at `storageKey`, by the type the metadata gives for `System.Events`.
    public static func decode(_ bytes: [UInt8], metadata: RuntimeMetadata) throws(ExtrinsicError) -> [EventRecord] {
        let entry: StorageEntry
        do { entry = try metadata.storageEntry(pallet: "System", entry: "Events") } catch { throw .metadata(error) }
        let value = try ValueDecoder(types: metadata.types).decode(bytes, as: entry.valueType, path: "System.Events")
        guard case .sequence(let items) = value else { throw .unexpectedEventShape("not a sequence of records") }
        var records = [EventRecord]()
        records.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            records.append(try record(item, position: i, metadata: metadata))
        }
        return records
    }

    /// The outcome of the extrinsic at `index` in its block: its events, and whether `ExtrinsicSuccess` or
    /// `ExtrinsicFailed` closed them. Nil when the records have neither for that index (not this block's extrinsic).
    public static func outcome(extrinsicIndex index: UInt32, records: [EventRecord],
                               metadata: RuntimeMetadata) throws(ExtrinsicError) -> ExtrinsicOutcome? {
        let mine = records.filter { $0.phase == .applyExtrinsic(index) }
        for event in mine where event.pallet == "System" {
            switch event.name {
            case "ExtrinsicSuccess": return .success(events: mine)
            case "ExtrinsicFailed":
                guard let error = event.field("dispatch_error") ?? event.field(0) else {
                    throw .unexpectedEventShape("ExtrinsicFailed without a dispatch error")
                }
                return .failed(try dispatchFailure(error, metadata: metadata), events: mine)
            default: continue
            }
        }
        return nil
    }

    /// Names a decoded `DispatchError`.
    public static func dispatchFailure(_ value: ScaleValue, metadata: RuntimeMetadata) throws(ExtrinsicError) -> DispatchFailure {
        guard case .variant(let kind, let fields) = value else {
            throw .unexpectedEventShape("dispatch error is \(value.shape), not an enum")
        }
        guard kind == "Module" else {
            // `Token(FundsUnavailable)`, `Arithmetic(Overflow)`: the inner variant says which.
            if fields.count == 1, case .variant(let inner, _) = fields[0] { return DispatchFailure(pallet: nil, palletIndex: nil, name: "\(kind).\(inner)") }
            return DispatchFailure(pallet: nil, palletIndex: nil, name: kind)
        }
        // `Module(ModuleError { index, error: [u8; 4] })`, or older runtimes' `Module { index, error: u8 }`.
        guard fields.count == 1, case .fields(let named) = fields[0], case .uint(let pallet)? = named["index"],
              pallet <= UInt8.max, let errorValue = named["error"] else {
            throw .unexpectedEventShape("DispatchError::Module is not { index, error }")
        }
        let errorIndex: UInt8
        switch errorValue {
        case .bytes(let b) where !b.isEmpty: errorIndex = b[0]
        case .uint(let v) where v <= UInt8.max: errorIndex = UInt8(v)
        default: throw .unexpectedEventShape("DispatchError::Module error is \(errorValue.shape)")
        }
        do {
            let error = try metadata.error(palletIndex: UInt8(pallet), errorIndex: errorIndex)
            return DispatchFailure(pallet: error.pallet, palletIndex: error.palletIndex, name: error.name, docs: error.docs)
        } catch {
            throw .metadata(error)
        }
    }

    private static func record(_ value: ScaleValue, position: Int, metadata: RuntimeMetadata) throws(ExtrinsicError) -> EventRecord {
        let at = "record \(position)"
        guard case .fields(let named) = value, let phaseValue = named["phase"], let eventValue = named["event"] else {
            throw .unexpectedEventShape("\(at) is not { phase, event, topics }")
        }
        let phase: EventRecord.Phase
        switch phaseValue {
        case .variant("ApplyExtrinsic", let f):
            guard f.count == 1, case .uint(let i) = f[0], i <= UInt32.max else {
                throw .unexpectedEventShape("\(at): ApplyExtrinsic without a u32 index")
            }
            phase = .applyExtrinsic(UInt32(i))
        case .variant("Finalization", _): phase = .finalization
        case .variant("Initialization", _): phase = .initialization
        default: throw .unexpectedEventShape("\(at): unknown phase \(phaseValue.shape)")
        }
        guard case .variant(let palletName, let palletFields) = eventValue, palletFields.count == 1,
              case .variant(let eventName, let eventFields) = palletFields[0] else {
            throw .unexpectedEventShape("\(at): event is not RuntimeEvent::Pallet(Event::Name(…))")
        }
        let pallet: Pallet
        do { pallet = try metadata.pallet(named: palletName) } catch { throw .metadata(error) }
        var topics: [[UInt8]] = []
        if case .sequence(let items)? = named["topics"] {
            for case .bytes(let b) in items { topics.append(b) }
        }
        return EventRecord(phase: phase, pallet: palletName, palletIndex: pallet.index, name: eventName, fields: eventFields,
                           topics: topics)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
