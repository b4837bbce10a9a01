import ChainMetadata
import XCTest

/// `RuntimeMetadata.encoded()` is the exact inverse of `RuntimeMetadata(bytes:)` for V14.
final class MetadataEncodingTests: XCTestCase {
    func testSpec343V14EncodesBackToTheSameBytes() throws {
        XCTAssertEqual(try Fixtures.v14.encoded(), Fixtures.v14Bytes)
    }

    func testV15IsRefused() {
        XCTAssertThrowsError(try Fixtures.v15.encoded()) { error in
            XCTAssertEqual(error as? MetadataError, .unsupportedVersion(15))
        }
    }

    func testPartsRoundTrip() throws {
        let m = Fixtures.v14
        let rebuilt = try RuntimeMetadata(v14: m.types, pallets: m.pallets, extrinsic: m.extrinsic, runtimeType: m.runtimeType)
        XCTAssertEqual(rebuilt, m)
    }
}
