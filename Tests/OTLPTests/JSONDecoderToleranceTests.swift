import Foundation
import OTLP
import Testing

/// What the decoder accepts beyond canonical OTLP/JSON, and the OTLP/JSON specifics it must get right.
@Suite struct JSONDecoderToleranceTests {
    private func decodeSpan(_ members: String) throws -> OTLPSpan {
        let json = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"# + members + "}]}]}]}"
        let request = try OTLPJSONDecoder().decodeTraces(Array(json.utf8))
        return try #require(request.resourceSpans.first?.scopeSpans.first?.spans.first)
    }

    private func attribute(_ value: String) throws -> OTLPAnyValue {
        try decodeSpan(#""attributes":[{"key":"k","value":"# + value + "}]").attributes[0].value
    }

    @Test func idsAreHexOfEitherCase() throws {
        let span = try decodeSpan(#""traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174","parentSpanId":"""#)
        #expect(OTLPHex.string(span.traceID) == "5b8efff798038103d269b633813fc60c")
        #expect(OTLPHex.string(span.spanID) == "eee19b7ec3c1b174")
        #expect(span.parentSpanID.isEmpty)
    }

    @Test func base64IdsOfTheRightLengthAreAccepted() throws {
        let traceID = Data((1...16).map { UInt8($0) })
        let spanID = Data((1...8).map { UInt8($0) })
        let span = try decodeSpan(#""traceId":"\#(traceID.base64EncodedString())","spanId":"\#(spanID.base64EncodedString())""#)
        #expect(span.traceID == traceID)
        #expect(span.spanID == spanID)
    }

    /// Ingest rejects such a span alone (partial_success); decoding must not fail the request.
    @Test func wrongLengthIdsAreKeptAsSent() throws {
        let fifteenBytes = String(repeating: "ab", count: 15)
        let span = try decodeSpan(#""traceId":"\#(fifteenBytes)","spanId":"01020304050607""#)
        #expect(span.traceID == Data(repeating: 0xAB, count: 15))
        #expect(span.spanID == Data([1, 2, 3, 4, 5, 6, 7]))

        let record = try OTLPJSONDecoder().decodeLogs(Array(#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"AAECAw=="}]}]}]}"#.utf8))
        #expect(record.resourceLogs[0].scopeLogs[0].logRecords[0].traceID == Data([0, 1, 2, 3]))
    }

    @Test func enumsAsNumbersOrNames() throws {
        #expect(try decodeSpan(#""kind":2,"status":{"code":2}"#).kind == .server)
        let named = try decodeSpan(#""kind":"SPAN_KIND_CONSUMER","status":{"code":"STATUS_CODE_ERROR"}"#)
        #expect(named.kind == .consumer)
        #expect(named.status.code == .error)
        #expect(try decodeSpan(#""kind":9"#).kind == .UNRECOGNIZED(9))

        let logs = #"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"SEVERITY_NUMBER_WARN3"},{"severityNumber":17}]}]}]}"#
        let records = try OTLPJSONDecoder().decodeLogs(Array(logs.utf8)).resourceLogs[0].scopeLogs[0].logRecords
        #expect(records.map(\.severityNumber) == [.warn3, .error])

        let metrics = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"sum":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_DELTA"}}]}]}]}"#
        let metric = try OTLPJSONDecoder().decodeMetrics(Array(metrics.utf8)).resourceMetrics[0].scopeMetrics[0].metrics[0]
        #expect(metric.sum.aggregationTemporality == .delta)
    }

    @Test func int64AsStringOrNumber() throws {
        let span = try decodeSpan(#""startTimeUnixNano":"1795557837187933659","endTimeUnixNano":1795557837187933660"#)
        #expect(span.startTimeUnixNano == 1_795_557_837_187_933_659)
        #expect(span.endTimeUnixNano == 1_795_557_837_187_933_660)
        #expect(try decodeSpan(#""endTimeUnixNano":"18446744073709551615""#).endTimeUnixNano == .max)
        #expect(try decodeSpan(#""droppedEventsCount":1e3"#).droppedEventsCount == 1000)
        #expect(try attribute(#"{"intValue":"-9223372036854775808"}"#).intValue == .min)
        #expect(try attribute(#"{"intValue":-42}"#).intValue == -42)
    }

    @Test func doublesIncludingSpecialValues() throws {
        #expect(try attribute(#"{"doubleValue":1.5e-3}"#).doubleValue == 0.0015)
        #expect(try attribute(#"{"doubleValue":"2.5"}"#).doubleValue == 2.5)
        #expect(try attribute(#"{"doubleValue":"NaN"}"#).doubleValue.isNaN)
        #expect(try attribute(#"{"doubleValue":"-Infinity"}"#).doubleValue == -.infinity)
        #expect(try attribute(#"{"doubleValue":3}"#).doubleValue == 3)
    }

    @Test func protoFieldNamesAreAccepted() throws {
        let json = #"{"resource_spans":[{"scope_spans":[{"spans":[{"trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174","start_time_unix_nano":"5","dropped_attributes_count":2}]}]}]}"#
        let span = try OTLPJSONDecoder().decodeTraces(Array(json.utf8)).resourceSpans[0].scopeSpans[0].spans[0]
        #expect(span.traceID.count == 16)
        #expect(span.spanID.count == 8)
        #expect(span.startTimeUnixNano == 5)
        #expect(span.droppedAttributesCount == 2)
    }

    @Test func unknownMembersAndNullsAreIgnored() throws {
        let span = try decodeSpan(#""future":{"nested":[1,"two",{"three":null}],"x":true},"name":"n","traceState":null,"events":null,"status":null"#)
        #expect(span.name == "n")
        #expect(span.traceState.isEmpty)
        #expect(span.events.isEmpty)
        #expect(!span.hasStatus)
    }

    @Test func anyValueShapes() throws {
        #expect(try attribute(#"{"boolValue":true}"#).boolValue)
        #expect(try attribute(#"{"bytesValue":"AAH+/w=="}"#).bytesValue == Data([0, 1, 0xFE, 0xFF]))
        #expect(try attribute(#"{"bytesValue":"AAH-_w"}"#).bytesValue == Data([0, 1, 0xFE, 0xFF]))
        let array = try attribute(#"{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"1"},{}]}}"#).arrayValue.values
        #expect(array.count == 3)
        #expect(array[2].value == nil)
        let map = try attribute(#"{"kvlistValue":{"values":[{"key":"inner","value":{"doubleValue":0.5}}]}}"#).kvlistValue.values
        #expect(map[0].key == "inner")
        #expect(map[0].value.doubleValue == 0.5)
        #expect(try attribute("{}").value == nil)
    }

    @Test func stringEscapes() throws {
        let name = try decodeSpan(#""name":"tab\t quote\" slash\/ \u00e9 \ud83d\ude80 \\ end""#).name
        #expect(name == "tab\t quote\" slash/ é 🚀 \\ end")
        let escapedKey = try decodeSpan(#""n\u0061me":"via escaped key""#).name
        #expect(escapedKey == "via escaped key")
    }

    @Test func whitespaceAndByteOrderMark() throws {
        let json = "\u{FEFF} \n{ \"resourceSpans\" :\t[ ] }\r\n"
        #expect(try OTLPJSONDecoder().decodeTraces(Array(json.utf8)).resourceSpans.isEmpty)
    }

    @Test func histogramOptionalFieldsKeepPresence() throws {
        let json = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"histogram":{"dataPoints":[{"count":"3","sum":0,"bucketCounts":["1",2],"explicitBounds":[1.5]},{"count":"0"}]}}]}]}]}"#
        let points = try OTLPJSONDecoder().decodeMetrics(Array(json.utf8)).resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints
        #expect(points[0].hasSum)
        #expect(points[0].bucketCounts == [1, 2])
        #expect(!points[1].hasSum)
        #expect(!points[1].hasMin)
    }
}
