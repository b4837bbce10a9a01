import ChainCodec
import XCTest

final class SubscriptionIDTests: XCTestCase {
    func testStringsAreKeptAsTheyAre() {
        XCTAssertEqual(SubscriptionID.normalize("abcDEF0123456789"), "abcDEF0123456789")
        XCTAssertEqual(SubscriptionID.normalize(""), "")
        XCTAssertEqual(SubscriptionID.normalize(" 5 "), " 5 ")
        XCTAssertEqual(SubscriptionID.normalize("0x1f"), "0x1f")
    }

    /// A number and its quoted form name the same subscription.
    func testNumbersAndTheirQuotedFormsAreOneID() throws {
        XCTAssertEqual(SubscriptionID.normalize(.int(5)), "5")
        XCTAssertEqual(SubscriptionID.normalize(.int(5)), SubscriptionID.normalize(.string("5")))
        XCTAssertEqual(SubscriptionID.normalize(.int(0)), "0")
        XCTAssertEqual(SubscriptionID.normalize(.int(-3)), "-3")
        XCTAssertEqual(SubscriptionID.normalize(.uint(.max)), "18446744073709551615")
        // As parsed from the wire: small numbers are .int, above Int64.max .uint.
        let parsed = try XCTUnwrap(JSONValue.parse(#"[7, "7", 18446744073709551615, "18446744073709551615"]"#)?.arrayValue)
        XCTAssertEqual(parsed.map(SubscriptionID.normalize), ["7", "7", "18446744073709551615", "18446744073709551615"])
    }

    func testOtherValuesAreNotIDs() throws {
        for value: JSONValue in [.null, .bool(true), .double(1.5), .array([.int(1)]), .object(["id": .int(1)])] {
            XCTAssertNil(SubscriptionID.normalize(value), value.jsonText)
        }
    }
}
