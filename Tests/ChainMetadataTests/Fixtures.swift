import ChainCodec
import ChainMetadata
import Extrinsics
import Foundation
import PoWCore
import XCTest

/// The spec-343 metadata blobs and the vectors bittensor 11.3 computed from them (tools/extrinsic_vectors.py).
enum Fixtures {
    static let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The raw bytes of a fixture blob: v14 is `state_getMetadata`'s answer, v15 the runtime API's
    /// `Option<OpaqueMetadata>`.
    static func blob(_ version: Int) -> [UInt8] {
        let text = try! String(contentsOf: directory.appendingPathComponent("subtensor-spec343-v\(version).hex"), encoding: .utf8)
        return try! Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static let v14Bytes = blob(14)
    static let v15Wrapped = blob(15)
    static let v14: RuntimeMetadata = try! RuntimeMetadata(bytes: v14Bytes)
    static let v15: RuntimeMetadata = try! RuntimeMetadata.fromMetadataAtVersion(v15Wrapped)!

    static func metadata(_ key: String) -> RuntimeMetadata { key == "v14" ? v14 : v15 }

    static let vectorsData = try! Data(contentsOf: directory.appendingPathComponent("extrinsic-vectors.json"))
    static let vectors = try! JSONDecoder().decode(JSONValue.self, from: vectorsData)
}

extension JSONValue {
    var string: String { stringValue! }
    var array: [JSONValue] { arrayValue! }
    var object: [String: JSONValue] { objectValue! }
    var hexBytes: [UInt8] { try! Hex.decode(stringValue!) }
    var u64: UInt64 { uint64Value! }

    /// A typed argument of tools/extrinsic_vectors.py as the value our encoder takes.
    var scaleValue: ScaleValue {
        let (kind, inner) = object.first!
        switch kind {
        case "u": return .uint(UInt128(inner.u64))
        case "bytes": return .bytes(inner.hexBytes)
        case "seq": return .sequence(inner.array.map(\.scaleValue))
        case "fields": return .fields(inner.object.mapValues(\.scaleValue))
        case "none": return .optionNone
        case "some": return .optionSome(inner.scaleValue)
        default: fatalError("unknown argument kind \(kind)")
        }
    }
}

/// One line per registry type without docs, in tools/extrinsic_vectors.py's `registry_digest` form, and the
/// blake2b-256 of the lines.
func registryDigest(_ types: TypeRegistry) -> (count: Int, digest: String) {
    func fields(_ fs: [Field]) -> String {
        fs.map { "\($0.name ?? ""):\($0.type):\($0.typeName ?? "")" }.joined(separator: ",")
    }
    var lines = [String]()
    for t in types.types {
        let body: String
        switch t.def {
        case .composite(let fs): body = "composite(\(fields(fs)))"
        case .variant(let vs): body = "variant(" + vs.map { "\($0.name)#\($0.index)[\(fields($0.fields))]" }.joined(separator: ";") + ")"
        case .sequence(let e): body = "sequence(\(e))"
        case .array(let n, let e): body = "array(\(n),\(e))"
        case .tuple(let ids): body = "tuple(" + ids.map(String.init).joined(separator: ",") + ")"
        case .primitive(let p): body = "primitive(\(p.rawName))"
        case .compact(let e): body = "compact(\(e))"
        case .bitSequence(let s, let o): body = "bitsequence(\(s),\(o))"
        }
        let params = t.parameters.map { "\($0.name):\($0.type.map(String.init) ?? "")" }.joined(separator: ",")
        lines.append("\(t.id)|\(t.path.joined(separator: "::"))|\(params)|\(body)")
    }
    return (lines.count, Hex.encode(blake2b256(Array(lines.joined(separator: "\n").utf8)), prefix: false))
}
