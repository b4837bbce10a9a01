import ChainCodec
import XCTest

final class JSONValueTests: XCTestCase {
    /// Nonces are u64: above Int64.max they must survive a parse and re-encode exactly (a double would round).
    func testU64RoundTripsExactly() throws {
        let text = #"{"difficulty":10000000,"nonce":18446744073709551615,"other":9223372036854775808}"#
        let value = try XCTUnwrap(JSONValue.parse(text))
        XCTAssertEqual(value["nonce"], .uint(.max))
        XCTAssertEqual(value["nonce"]?.uint64Value, .max)
        XCTAssertEqual(value["other"]?.uint64Value, 9_223_372_036_854_775_808)
        XCTAssertEqual(value["difficulty"], .int(10_000_000))
        XCTAssertEqual(value["difficulty"]?.uint64Value, 10_000_000)
        XCTAssertEqual(value.jsonText, text)
        XCTAssertEqual(JSONValue(UInt64(5)), .int(5))
        XCTAssertEqual(JSONValue(UInt64.max), .uint(.max))
        XCTAssertNil(JSONValue.int(-1).uint64Value)
    }

    /// The text the devnet puts on the wire: sorted keys, integral doubles as integers, non-finite as null,
    /// minimal string escaping; bytes parse like text.
    func testJSONTextIsStable() throws {
        let value: JSONValue = ["b": [.double(2), .double(0.5), .double(.nan), .null, true],
                                "a": .string("q\"b\\n\n\u{1}/é"), "c": .int(-3)]
        XCTAssertEqual(value.jsonText, #"{"a":"q\"b\\n\n\u0001/é","b":[2,0.5,null,null,true],"c":-3}"#)
        XCTAssertEqual(JSONValue.parse(Array(#"{"c":-3,"a":[1]}"#.utf8)), ["a": [1], "c": -3])
        XCTAssertNil(JSONValue.parse(Array("{".utf8)))
        XCTAssertNil(JSONValue.parse(""))
    }
}
