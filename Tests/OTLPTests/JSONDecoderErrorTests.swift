import Foundation
import OTLP
import Testing

/// Malformed or mistyped bodies fail with an OTLPDecodingError naming where, never a crash.
@Suite struct JSONDecoderErrorTests {
    private func traceError(_ json: String) -> OTLPDecodingError? {
        do {
            _ = try OTLPJSONDecoder().decodeTraces(Array(json.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        // (body, path, message fragment)
        (#"{"resourceSpans": 5}"#, "resourceSpans", "expected an array, got a number"),
        (#"{"resourceSpans": [5]}"#, "resourceSpans[0]", "expected an object, got a number"),
        (
            #"{"resourceSpans":[{"scopeSpans":[{},{"spans":[{},{},{},{"startTimeUnixNano":true}]}]}]}"#,
            "resourceSpans[0].scopeSpans[1].spans[3].startTimeUnixNano", "expected an unsigned integer"
        ),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":7}]}]}]}"#, "resourceSpans[0].scopeSpans[0].spans[0].name", "expected a string, got a number"),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"not an id!"}]}]}]}"#, "resourceSpans[0].scopeSpans[0].spans[0].traceId", "hex id"),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_SIDEWAYS"}]}]}]}"#, "resourceSpans[0].scopeSpans[0].spans[0].kind", "unknown enum value"),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"endTimeUnixNano":"-1"}]}]}]}"#, "resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano", "out of range"),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"endTimeUnixNano":"18446744073709551616"}]}]}]}"#, "resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano", "out of range"),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"flags":1.5}]}]}]}"#, "resourceSpans[0].scopeSpans[0].spans[0].flags", "expected an integer"),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"flags":"12abc"}]}]}]}"#, "resourceSpans[0].scopeSpans[0].spans[0].flags", "expected an unsigned integer"),
        (#"{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"intValue":"9223372036854775808"}}]}}]}"#,
         "resourceSpans[0].resource.attributes[0].value.intValue", "out of range for int64"),
        (#"{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"bytesValue":"@@@"}}]}}]}"#,
         "resourceSpans[0].resource.attributes[0].value.bytesValue", "base64"),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a\qb"}]}]}]}"#, "resourceSpans[0].scopeSpans[0].spans[0].name", "invalid escape"),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"\ud800"}]}]}]}"#, "resourceSpans[0].scopeSpans[0].spans[0].name", "unpaired surrogate"),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x"},]}]}]}"#, "resourceSpans[0].scopeSpans[0].spans[1]", "invalid JSON"),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x"} {}]}]}]}"#, "resourceSpans[0].scopeSpans[0].spans", "expected ',' or ']'"),
        (#"{"resourceSpans":[{"unknown":[1,2,{"a":tru}]}]}"#, "resourceSpans[0].unknown[2].a", "invalid"),
        (#"{"resourceSpans":[{"resource":"#, "resourceSpans[0].resource", "unexpected end of input"),
        (#"{"resourceSpans":[]} []"#, "", "unexpected data after the JSON value"),
        (#"[]"#, "", "expected an object, got an array"),
        (#""#, "", "unexpected end of input"),
        (#"not json"#, "", "invalid JSON"),
        (#"{"resourceSpans":[],}"#, "", "expected a member name"),
        (#"{'resourceSpans':[]}"#, "", "expected a member name"),
        (#"{"resourceSpans":[] "x":1}"#, "", "expected ',' or '}'"),
        (#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":01}]}]}]}"#, "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano", "invalid JSON"),
    ])
    func rejects(json: String, path: String, message: String) throws {
        let error = try #require(traceError(json), "\(json) decoded")
        #expect(error.path == path, "\(error)")
        #expect(error.message.contains(message), "\(error)")
        #expect(error.description == (path.isEmpty ? error.message : "\(path): \(error.message)"))
    }

    @Test func controlCharacterInStringIsRejected() throws {
        let error = try #require(traceError("{\"resourceSpans\":[{\"schemaUrl\":\"a\u{01}b\"}]}"))
        #expect(error.path == "resourceSpans[0].schemaUrl")
        #expect(error.message.contains("control character"))
    }

    @Test func invalidUTF8IsRejected() throws {
        var body = Array(#"{"resourceSpans":[{"schemaUrl":"ab"}]}"#.utf8)
        body[body.firstIndex(of: UInt8(ascii: "b"))!] = 0xFF
        #expect(throws: OTLPDecodingError.self) { try OTLPJSONDecoder().decodeTraces(body) }
        do {
            _ = try OTLPJSONDecoder().decodeTraces(body)
        } catch {
            #expect(error.path == "resourceSpans[0].schemaUrl")
            #expect(error.message.contains("UTF-8"))
        }
    }

    /// Deep nesting, in a real field or an ignored one, stops at a limit instead of overflowing the stack.
    @Test func deepNestingIsRejected() throws {
        let depth = 10_000
        var value = #"{"stringValue":"x"}"#
        for _ in 0..<200 { value = #"{"arrayValue":{"values":["# + value + "]}}" }
        let nestedBody = #"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":"# + value + "}]}]}]}"
        #expect(throws: OTLPDecodingError.self) { try OTLPJSONDecoder().decodeLogs(Array(nestedBody.utf8)) }

        let ignored = #"{"unknown":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        let error = try #require(traceError(ignored))
        #expect(error.message.contains("nested deeper"))
    }

    /// Cutting a real body anywhere fails cleanly.
    @Test func everyTruncationFails() throws {
        let body = try Fixtures.bytes("21-otlpjson-converted-logs.otlp.json")
        var failures = 0
        for length in 0..<body.count {
            do {
                _ = try OTLPJSONDecoder().decodeLogs(Array(body[..<length]))
            } catch {
                failures += 1
            }
        }
        #expect(failures == body.count)
    }

    @Test func truncatedErrorNamesThePath() throws {
        let body = try Fixtures.bytes("20-otlpjson-converted-traces.otlp.json")
        do {
            _ = try OTLPJSONDecoder().decodeTraces(Array(body[..<(body.count / 2)]))
            Issue.record("truncated body decoded")
        } catch {
            #expect(error.path.hasPrefix("resourceSpans[0].scopeSpans[0].spans["))
            #expect(error.message.contains("unexpected end of input"))
        }
    }

    @Test func dataOverloadThrowsTheSameError() throws {
        let body = Data(#"{"resourceMetrics":{"x":1}}"#.utf8)
        do {
            _ = try OTLPJSONDecoder().decodeMetrics(body)
            Issue.record("decoded")
        } catch {
            #expect(error.description == "resourceMetrics: expected an array, got an object")
        }
    }
}
