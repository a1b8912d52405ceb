import Foundation
import Testing

@testable import Contracts

@Suite struct JSONParserTests {
    func parseError(_ text: String) -> JSONParseError? {
        parseError(Array(text.utf8))
    }

    func parseError(_ bytes: [UInt8]) -> JSONParseError? {
        do {
            _ = try JSONValue(parsing: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesEveryKindOfValue() throws {
        let v = try JSONValue(parsing: #" {"a": [1, -2, 3.5, 1e3, true, false, null, "x\n\u00e9\ud83d\ude00"], "b": {}} "#)
        guard case .object(let o) = v else {
            Issue.record("not an object")
            return
        }
        #expect(o.keys == ["a", "b"])
        #expect(v["a"] == [1, -2, 3.5, 1000, true, false, .null, "x\né😀"])
        #expect(v["b"] == .object(JSONObject()))
    }

    @Test func integersStayExactAndNumbersKeepTheirKind() throws {
        #expect(try JSONValue(parsing: "9223372036854775807") == .integer(Int64.max))
        #expect(try JSONValue(parsing: "-9223372036854775808") == .integer(Int64.min))
        // One past Int64: a double, still equal by value.
        guard case .number(let d) = try JSONValue(parsing: "9223372036854775808") else {
            Issue.record("expected a double")
            return
        }
        #expect(d == 9_223_372_036_854_775_808)
        #expect(try JSONValue(parsing: "-0") == .integer(0))
        guard case .number = try JSONValue(parsing: "2.0") else {
            Issue.record("2.0 is written as a fraction: a number")
            return
        }
        // JSON Schema equality: numbers by value, booleans are not numbers.
        #expect(JSONValue.integer(2) == JSONValue.number(2.0))
        #expect(JSONValue.integer(1) != JSONValue.bool(true))
        #expect(Set<JSONValue>([.integer(2), .number(2.0)]).count == 1)
    }

    @Test func objectsKeepOrderAndCompareWithoutIt() throws {
        let a = try JSONValue(parsing: #"{"z": 1, "a": 2}"#)
        let b = try JSONValue(parsing: #"{"a": 2, "z": 1}"#)
        #expect(a.objectValue?.keys == ["z", "a"])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a.jsonText == #"{"z":1,"a":2}"#)
    }

    @Test func largeObjectsAreIndexed() throws {
        let members = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ",")
        let v = try JSONValue(parsing: "{\(members)}")
        #expect(v["k0"] == 0)
        #expect(v["k39"] == 39)
        #expect(v["k40"] == nil)
        let dup = parseError("{\(members), \"k17\": 1}")
        #expect(dup?.kind == .duplicateKey)
    }

    @Test func serializationRoundTrips() throws {
        let text = #"{"s":"quote \" backslash \\ tab \t nl \n ctl \u0001 é","n":[0,-1,2.5,1e+300],"o":{"b":false,"n":null}}"#
        let v = try JSONValue(parsing: text)
        #expect(try JSONValue(parsing: v.jsonText) == v)
        #expect(v.jsonText.contains(#"\u0001"#))
    }

    @Test func blankInputIsEmpty() {
        #expect(parseError("")?.kind == .empty)
        #expect(parseError("  \t ")?.kind == .empty)
    }

    @Test func invalidUTF8IsItsOwnKind() {
        // The dirty fixture's line: valid JSON syntax around bytes FF FE.
        let bytes = Array(#"{"id":"x-utf8","text":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
        let error = parseError(bytes)
        #expect(error?.kind == .invalidUTF8)
        #expect(error?.offset == 23)
        // Overlong encoding and a truncated sequence, inside and outside strings.
        #expect(parseError(Array("\"".utf8) + [0xC0, 0xAF] + Array("\"".utf8))?.kind == .invalidUTF8)
        #expect(parseError(Array("\"".utf8) + [0xE2, 0x82] + Array("\"".utf8))?.kind == .invalidUTF8)
        #expect(parseError([0xFF])?.kind == .invalidUTF8)
        // Valid UTF-8 outside a string is just a syntax error.
        #expect(parseError("é")?.kind == .syntax)
    }

    @Test(arguments: [
        #"{"specversion": "watcher.envelope.v1", "id": "#,  // the dirty fixture's truncated line
        "{", "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, "01", "1.", "-", ".5", "1e", "+1", "NaN", "Infinity", "tru", "nul",
        "\"abc", "\"tab\there\"", #""\x""#, #""\u12""#, #""\ud800""#, #""\udc00x""#, #""\ud800\u0041""#, "[1] 2", "{} {}",
        "1e999", "'single'",
    ])
    func rejectsMalformedJSON(_ text: String) {
        let error = parseError(text)
        #expect(error?.kind == .syntax, "\(text) → \(String(describing: error))")
    }

    @Test func refusesDuplicateMemberNames() {
        let error = parseError(#"{"reason_code": "GUARD.OK", "reason_code": "GUARD.PII.LEAK"}"#)
        #expect(error?.kind == .duplicateKey)
        #expect(error?.message.contains("reason_code") == true)
        // Same name in different objects is fine.
        #expect(parseError(#"{"a": {"a": 1}, "b": {"a": 2}}"#) == nil)
    }

    @Test func limitsNesting() {
        let ok = String(repeating: "[", count: JSONValue.maxDepth) + String(repeating: "]", count: JSONValue.maxDepth)
        #expect(parseError(ok) == nil)
        let deep = String(repeating: "[", count: JSONValue.maxDepth + 1) + String(repeating: "]", count: JSONValue.maxDepth + 1)
        #expect(parseError(deep)?.kind == .tooDeep)
    }

    @Test func acceptsAByteOrderMark() throws {
        #expect(try JSONValue(parsing: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == [1])
    }

    @Test func parsesFromDataAndNonContiguousCollections() throws {
        #expect(try JSONValue(parsing: Data(#"{"a":1}"#.utf8))["a"] == 1)
        #expect(try JSONValue(parsing: #"{"a":1}"#.utf8.lazy.map { $0 })["a"] == 1)
    }
}
