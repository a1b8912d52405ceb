import Foundation

/// One malformed OTLP/HTTP request and the refusal it must get.
struct BadRequest: Sendable, CustomStringConvertible {
    var name: String
    var signal = "traces"
    var contentType: String?
    var contentEncoding: String?
    var body: @Sendable () throws -> [UInt8]
    var status: Int
    /// The google.rpc.Status code in the error body (3 INVALID_ARGUMENT, 11 OUT_OF_RANGE).
    var rpcCode: Int32
    /// The media type of the error body (OTLP answers in the request's encoding).
    var errorContentType: String
    /// A fragment the error message must contain.
    var messageContains: String?

    var description: String { name }

    static let protobuf = "application/x-protobuf"
    static let json = "application/json"

    /// Deterministic noise (SplitMix64), so a failure reproduces.
    static func noise(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            withUnsafeBytes(of: z) { bytes.append(contentsOf: $0.prefix(count - bytes.count)) }
        }
        return bytes
    }

    static let goodTraceID = "5b8efff798038103d269b633813fc60c"
    static let goodSpanID = "eee19b7ec3c1b174"

    /// A one-span OTLP/JSON traces body with `span` members spliced in.
    static func jsonSpan(_ members: String) -> [UInt8] {
        Array("""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bad-input"}}]},
             "scopeSpans":[{"scope":{"name":"tests"},"spans":[{\(members)}]}]}]}
            """.utf8)
    }

    static let all: [BadRequest] = [
        BadRequest(name: "truncated protobuf", contentType: protobuf,
                   body: { Array(try Fixtures.bytes("01-logfire-otlp-traces.pb").prefix(16_000)) },
                   status: 400, rpcCode: 3, errorContentType: protobuf, messageContains: "protobuf"),
        BadRequest(name: "random bytes as protobuf", contentType: protobuf, body: { noise(count: 4096, seed: 42) },
                   status: 400, rpcCode: 3, errorContentType: protobuf),
        BadRequest(name: "random bytes as protobuf logs", signal: "logs", contentType: protobuf,
                   body: { noise(count: 4096, seed: 7) }, status: 400, rpcCode: 3, errorContentType: protobuf),
        BadRequest(name: "OTLP/JSON labelled protobuf", contentType: protobuf,
                   body: { try Fixtures.bytes("20-otlpjson-converted-traces.otlp.json") },
                   status: 400, rpcCode: 3, errorContentType: protobuf),
        BadRequest(name: "protobuf labelled JSON", contentType: json,
                   body: { try Fixtures.bytes("01-logfire-otlp-traces.pb") },
                   status: 400, rpcCode: 3, errorContentType: json),
        BadRequest(name: "text/plain", contentType: "text/plain",
                   body: { try Fixtures.bytes("01-logfire-otlp-traces.pb") },
                   status: 415, rpcCode: 3, errorContentType: json, messageContains: "text/plain"),
        BadRequest(name: "application/grpc", contentType: "application/grpc",
                   body: { try Fixtures.bytes("17-otelsdk-grpc-traces.grpc.pb") },
                   status: 415, rpcCode: 3, errorContentType: json),
        BadRequest(name: "no content type", contentType: nil,
                   body: { try Fixtures.bytes("01-logfire-otlp-traces.pb") },
                   status: 415, rpcCode: 3, errorContentType: json),
        BadRequest(name: "unknown content encoding br", contentType: protobuf, contentEncoding: "br",
                   body: { try Fixtures.bytes("13-otelsdk-gzip-traces.pb.gz") },
                   status: 415, rpcCode: 3, errorContentType: protobuf, messageContains: "br"),
        BadRequest(name: "content encoding deflate", contentType: json, contentEncoding: "deflate",
                   body: { try Fixtures.bytes("20-otlpjson-converted-traces.otlp.json") },
                   status: 415, rpcCode: 3, errorContentType: json),
        BadRequest(name: "gzip header on a plain body", contentType: protobuf, contentEncoding: "gzip",
                   body: { try Fixtures.bytes("01-logfire-otlp-traces.pb") },
                   status: 400, rpcCode: 3, errorContentType: protobuf, messageContains: "gzip"),
        BadRequest(name: "truncated gzip", contentType: protobuf, contentEncoding: "gzip",
                   body: { Array(try Fixtures.bytes("13-otelsdk-gzip-traces.pb.gz").prefix(1500)) },
                   status: 400, rpcCode: 3, errorContentType: protobuf),
        BadRequest(name: "invalid JSON (truncated)", contentType: json,
                   body: { Array(try Fixtures.bytes("20-otlpjson-converted-traces.otlp.json").prefix(5000)) },
                   status: 400, rpcCode: 3, errorContentType: json, messageContains: "JSON"),
        BadRequest(name: "not JSON at all", contentType: json, body: { Array("hello, memoryd".utf8) },
                   status: 400, rpcCode: 3, errorContentType: json),
        BadRequest(name: "JSON with a boolean timestamp", contentType: json,
                   body: { jsonSpan(#""traceId":"\#(goodTraceID)","spanId":"\#(goodSpanID)","name":"x","startTimeUnixNano":true"#) },
                   status: 400, rpcCode: 3, errorContentType: json, messageContains: "startTimeUnixNano"),
        BadRequest(name: "JSON with an object for the spans array", contentType: json,
                   body: { Array(#"{"resourceSpans":[{"scopeSpans":[{"spans":{"name":"x"}}]}]}"#.utf8) },
                   status: 400, rpcCode: 3, errorContentType: json, messageContains: "spans"),
        BadRequest(name: "JSON with a numeric span name", contentType: json,
                   body: { jsonSpan(#""traceId":"\#(goodTraceID)","spanId":"\#(goodSpanID)","name":42"#) },
                   status: 400, rpcCode: 3, errorContentType: json, messageContains: "name"),
        BadRequest(name: "JSON id neither hex nor base64", contentType: json,
                   body: { jsonSpan(#""traceId":"not-an-id!","spanId":"\#(goodSpanID)","name":"x""#) },
                   status: 400, rpcCode: 3, errorContentType: json, messageContains: "traceId"),
        BadRequest(name: "JSON with an unknown enum name", contentType: json,
                   body: { jsonSpan(#""traceId":"\#(goodTraceID)","spanId":"\#(goodSpanID)","name":"x","kind":"SPAN_KIND_SIDEWAYS""#) },
                   status: 400, rpcCode: 3, errorContentType: json, messageContains: "kind"),
        BadRequest(name: "JSON logs with an object as severity number", signal: "logs", contentType: json,
                   body: { Array(#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":{"n":9}}]}]}]}"#.utf8) },
                   status: 400, rpcCode: 3, errorContentType: json, messageContains: "severityNumber"),
        BadRequest(name: "JSON metrics with a string as data points", signal: "metrics", contentType: json,
                   body: { Array(#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":"none"}}]}]}]}"#.utf8) },
                   status: 400, rpcCode: 3, errorContentType: json, messageContains: "dataPoints"),
    ]
}
