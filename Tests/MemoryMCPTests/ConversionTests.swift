import Contracts
import Foundation
import MCP
@testable import MemoryMCP
import Testing

/// The small pieces under the adapter: JSON between the SDK and memoryd, SSE bodies, trace ids.
@Suite struct ConversionTests {
    @Test func jsonSurvivesTheRoundTripThroughTheSDKsValue() throws {
        let document = try JSONValue(parsing: #"""
            {"s":"text \u00e9 \n","i":9007199254740993,"neg":-4,"d":1.5,"t":true,"f":false,"n":null,
             "a":[1,"two",[3],{"four":4}],"o":{"nested":{"deep":[]}},"empty":{}}
            """#)
        #expect(JSONValue(mcp: Value(json: document)) == document)
    }

    @Test func aStringThatLooksLikeADataURLStaysAString() throws {
        let text = "data:text/plain;base64,aGVsbG8="
        let decoded = try JSONDecoder().decode(Value.self, from: Data("\"\(text)\"".utf8))
        #expect(JSONValue(mcp: decoded) == .string(text))
    }

    @Test func nonFiniteNumbersBecomeNull() {
        #expect(Value(json: .number(.infinity)) == .null)
        #expect(Value(json: .number(.nan)) == .null)
    }

    @Test func serverSentEventsYieldTheirDataAndSkipPrimingEvents() {
        let body = Data("id: 1_1\ndata: \n\nid: 1_2\nevent: message\ndata: {\"a\":1}\n\r\ndata:{\"b\":\ndata: 2}\n\ndata: {\"c\":3}".utf8)
        let messages = ServerSentEvents.messages(in: body).map { String(decoding: $0, as: UTF8.self) }
        #expect(messages == [#"{"a":1}"#, "{\"b\":\n2}", #"{"c":3}"#])
    }

    @Test(arguments: [
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", nil),
        ("00-4bf92f3577b34da6-00f067aa0ba902b7-01", nil),
        ("garbage", nil),
    ] as [(String, String?)])
    func traceParentGivesTheTraceID(header: String, traceID: String?) {
        #expect(TraceParent.traceID(header) == traceID)
    }

    @Test(arguments: [
        ("http://localhost:3000", true), ("https://localhost", true), ("http://LOCALHOST:1/", true),
        ("http://a.b.localhost:8080", true), ("http://127.0.0.1:8787", true), ("http://127.1.2.3", true),
        ("http://[::1]:6274", true),
        ("http://evil.example", false), ("http://localhost.evil.example", false), ("http://127.0.0.1.nip.io", false),
        ("file://localhost", false), ("null", false), ("http://128.0.0.1", false), ("http://0.0.0.0:8787", false),
    ])
    func loopbackOrigins(origin: String, loopback: Bool) {
        #expect(OriginPolicy.isLoopback(origin: origin) == loopback)
    }
}
