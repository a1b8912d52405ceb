import DuckDB
import Foundation
import MemoryStore
import OTLP
import SwiftProtobuf
import Testing

/// Malformed, oversized and partly invalid requests: each gets the right status and an
/// OTLP error body, nothing of it is stored, and the server keeps serving.
@Suite("Bad OTLP input")
struct BadInputTests {
    @Test("is refused with the right status and the server keeps serving", arguments: BadRequest.all)
    func refused(_ bad: BadRequest) async throws {
        try await InProcessServer.with { server in
            let response = try await server.post(signal: bad.signal, contentType: bad.contentType,
                                                 encoding: bad.contentEncoding, body: try bad.body())
            try Self.expectRefusal(response, status: bad.status, rpcCode: bad.rpcCode,
                                   contentType: bad.errorContentType, messageContains: bad.messageContains)
            #expect(try server.store.tableCounts() == TableCounts())
            #expect(try server.store.count("ingest_checkpoints") == 0)
            try await Self.expectStillServing(server, before: TableCounts())
        }
    }

    /// 100 MB of zeros in ~100 KB of gzip: cut off once it inflates past max_body_bytes.
    @Test("a gzip bomb gets 413 quickly")
    func gzipBomb() async throws {
        let bomb = try Gzip.bomb(inflatedSize: 100 << 20)
        #expect(bomb.count < 200_000)
        for maxBodyBytes in [1 << 20, 20 << 20] {
            try await InProcessServer.with(maxBodyBytes: maxBodyBytes) { server in
                let clock = ContinuousClock()
                let start = clock.now
                let response = try await server.post(signal: "traces", contentType: BadRequest.protobuf,
                                                     encoding: "gzip", body: bomb)
                let elapsed = clock.now - start
                try Self.expectRefusal(response, status: 413, rpcCode: 11, contentType: BadRequest.protobuf,
                                       messageContains: String(maxBodyBytes))
                // Cut off as it inflates, not after inflating it all (that would take minutes and
                // gigabytes); a loose bound, so a busy test machine does not fail it.
                #expect(elapsed < .seconds(30), "413 took \(elapsed)")
                #expect(try server.store.tableCounts() == TableCounts())
                try await Self.expectStillServing(server, before: TableCounts())
            }
        }
    }

    /// max_body_bytes bounds the request body: plain bodies over it are refused, one under it passes.
    @Test("plain bodies over max_body_bytes get 413")
    func oversizedPlainBodies() async throws {
        try await InProcessServer.with(maxBodyBytes: 16 << 10) { server in
            // 13: 3.3 KB gzip → 12.9 KB protobuf; fits.
            #expect(try await server.post("13-otelsdk-gzip-traces.pb.gz").status == 200)
            // 01: 33 KB plain protobuf.
            let plain = try await server.post("01-logfire-otlp-traces.pb")
            try Self.expectRefusal(plain, status: 413, rpcCode: 11, contentType: BadRequest.protobuf, messageContains: nil)
            // 20: 16,004 bytes of JSON fits; the same plus 2,000 bytes of padding does not.
            #expect(try await server.post("20-otlpjson-converted-traces.otlp.json").status == 200)
            var padded = try Fixtures.bytes("20-otlpjson-converted-traces.otlp.json")
            padded += Array(repeating: UInt8(ascii: " "), count: 2_000)
            let json = try await server.post(signal: "traces", contentType: BadRequest.json, body: padded)
            try Self.expectRefusal(json, status: 413, rpcCode: 11, contentType: BadRequest.json, messageContains: nil)
            // A body of several MB is cut off too (the 5k batch).
            let big = try await server.post("19-logfire-batch5k-traces.pb")
            try Self.expectRefusal(big, status: 413, rpcCode: 11, contentType: BadRequest.protobuf, messageContains: nil)

            #expect(try server.store.tableCounts() == TableCounts(spans: 6))
            try await Self.expectStillServing(server, before: TableCounts(spans: 6))
        }
    }

    /// The limit applies to the body as decoded: a small gzip body that inflates past
    /// max_body_bytes is refused like a plain body of that size (not only a 1000:1 bomb).
    @Test("gzip bodies inflating past max_body_bytes get 413", arguments: [
        // (file, compressed bytes, inflated bytes)
        ("06-logfire-native-traces-2.pb.gz", 3_278, 23_906),
        ("13-otelsdk-gzip-traces.pb.gz", 3_285, 12_923),
        ("07-logfire-native-traces-3.pb.gz", 2_248, 6_862),
    ])
    func gzipInflatingPastLimit(_ file: String, compressed: Int, inflated: Int) async throws {
        let entry = try Fixtures.entry(file)
        #expect(try entry.body().count == compressed)
        #expect(try Gzip.decompress(try entry.body()).count == inflated)
        // A limit the gzip body is well under and the inflated body is well over.
        let limit = (compressed + inflated) / 2
        #expect(compressed < limit && limit < inflated)
        try await InProcessServer.with(maxBodyBytes: limit) { server in
            let response = try await server.post(entry)
            try Self.expectRefusal(response, status: 413, rpcCode: 11, contentType: BadRequest.protobuf,
                                   messageContains: String(limit))
            #expect(try server.store.tableCounts() == TableCounts())
            // 10: 944 bytes of gzip, 1,672 inflated, 2 spans: under every limit here.
            try await Self.expectStillServing(server, before: TableCounts(), good: "10-logfire-native-traces-5.pb.gz", goodSpans: 2)
        }
    }

    /// Items with bad ids are rejected one by one (partial_success); the rest is stored.
    @Test("spans with wrong-length or zero ids are rejected, the others stored (protobuf)")
    func partialSuccessProtobuf() async throws {
        var request = try OTLPTraceRequest(serializedBytes: try Gzip.decompress(try Fixtures.bytes("13-otelsdk-gzip-traces.pb.gz")))
        let good = request.resourceSpans[0].scopeSpans[0].spans
        #expect(good.count == 6)
        var shortTrace = good[0]
        shortTrace.traceID = Data(repeating: 0xAB, count: 15)
        var shortSpan = good[1]
        shortSpan.spanID = Data(repeating: 0xCD, count: 7)
        var zeroTrace = good[2]
        zeroTrace.traceID = Data(count: 16)
        var longParent = good[3]
        longParent.spanID = Data(repeating: 0x11, count: 8)
        longParent.parentSpanID = Data(repeating: 0x22, count: 9)
        request.resourceSpans[0].scopeSpans[0].spans += [shortTrace, shortSpan, zeroTrace, longParent]
        let body: [UInt8] = try request.serializedBytes()

        try await InProcessServer.with { server in
            for attempt in 1...2 {
                let response = try await server.post(signal: "traces", contentType: BadRequest.protobuf, body: body)
                #expect(response.status == 200, "\(response)")
                let decoded = try OTLPTraceResponse(serializedBytes: response.body)
                #expect(decoded.partialSuccess.rejectedSpans == 4, "attempt \(attempt)")
                #expect(decoded.partialSuccess.errorMessage.contains("trace_id"))
                #expect(decoded.partialSuccess.errorMessage.contains("span_id"))
                #expect(decoded.partialSuccess.errorMessage.contains("parent_span_id"))
                // The six good spans, once, however often the batch is retried.
                #expect(try server.store.tableCounts() == TableCounts(spans: 6), "attempt \(attempt)")
                let stored = Set(try server.store.rows("SELECT span_id FROM spans").compactMap { $0["span_id"]?.string })
                #expect(stored == Set(good.map { $0.spanID.map { String(format: "%02x", $0) }.joined() }))
            }
            let checkpoint = try server.store.rows("SELECT position, rows_total, rejected_total FROM ingest_checkpoints")
            #expect(checkpoint.first?["position"]?.int64 == 2)
            #expect(checkpoint.first?["rows_total"]?.int64 == 12)
            #expect(checkpoint.first?["rejected_total"]?.int64 == 8)
            try await Self.expectStillServing(server, before: TableCounts(spans: 6))
        }
    }

    @Test("spans with bad ids are rejected, the others stored (OTLP/JSON)")
    func partialSuccessJSON() async throws {
        let times = #""startTimeUnixNano":"1795557841742421025","endTimeUnixNano":"1795557841752421025""#
        let body = Array("""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bad-ids"}}]},
             "scopeSpans":[{"scope":{"name":"tests"},"spans":[
              {"traceId":"\(BadRequest.goodTraceID)","spanId":"\(BadRequest.goodSpanID)","name":"good",\(times)},
              {"traceId":"\(BadRequest.goodTraceID.dropLast(2))","spanId":"1111111111111111","name":"short trace id",\(times)},
              {"traceId":"\(BadRequest.goodTraceID)","spanId":"22222222222222","name":"short span id",\(times)},
              {"traceId":"00000000000000000000000000000000","spanId":"3333333333333333","name":"zero trace id",\(times)},
              {"traceId":"\(BadRequest.goodTraceID)","spanId":"0000000000000000","name":"zero span id",\(times)},
              {"traceId":"\(BadRequest.goodTraceID)","spanId":"4444444444444444","name":"good too",\(times)}
             ]}]}]}
            """.utf8)
        try await InProcessServer.with { server in
            for _ in 1...2 {
                let response = try await server.post(signal: "traces", contentType: BadRequest.json, body: body)
                #expect(response.status == 200, "\(response)")
                #expect(response.contentType == BadRequest.json)
                let json = try JSONValue(bytes: response.body)
                #expect(json["partialSuccess"]?["rejectedSpans"]?.int64Value == 4, "\(json)")
                #expect(json["partialSuccess"]?["errorMessage"]?.stringValue?.contains("trace_id") == true)
                #expect(try server.store.tableCounts() == TableCounts(spans: 2))
            }
            let names = try server.store.rows("SELECT name FROM spans ORDER BY name").compactMap { $0["name"]?.string }
            #expect(names == ["good", "good too"])
            try await Self.expectStillServing(server, before: TableCounts(spans: 2))
        }
    }

    @Test("log records with bad ids are rejected, the others stored")
    func partialSuccessLogs() async throws {
        var request = try OTLPLogsRequest(serializedBytes: try Gzip.decompress(try Fixtures.bytes("14-otelsdk-gzip-logs.pb.gz")))
        var bad = request.resourceLogs[0].scopeLogs[0].logRecords[0]
        bad.traceID = Data(repeating: 0x01, count: 5)
        var badSpan = request.resourceLogs[0].scopeLogs[0].logRecords[0]
        badSpan.spanID = Data(repeating: 0x02, count: 3)
        request.resourceLogs[0].scopeLogs[0].logRecords += [bad, badSpan]
        let body: [UInt8] = try request.serializedBytes()
        try await InProcessServer.with { server in
            let response = try await server.post(signal: "logs", contentType: BadRequest.protobuf, body: body)
            #expect(response.status == 200, "\(response)")
            let decoded = try OTLPLogsResponse(serializedBytes: response.body)
            #expect(decoded.partialSuccess.rejectedLogRecords == 2)
            #expect(!decoded.partialSuccess.errorMessage.isEmpty)
            #expect(try server.store.tableCounts() == TableCounts(logs: 5))
            try await Self.expectStillServing(server, before: TableCounts(logs: 5))
        }
    }

    /// An empty export request is valid protobuf (all fields absent) and stores nothing.
    @Test("an empty export request is accepted and stores nothing", arguments: ["traces", "logs", "metrics"])
    func emptyRequest(_ signal: String) async throws {
        try await InProcessServer.with { server in
            let protobuf = try await server.post(signal: signal, contentType: BadRequest.protobuf, body: [])
            #expect(protobuf.status == 200, "\(protobuf)")
            let json = try await server.post(signal: signal, contentType: BadRequest.json, body: Array("{}".utf8))
            #expect(json.status == 200, "\(json)")
            #expect(try server.store.tableCounts() == TableCounts())
        }
    }

    // MARK: Helpers

    static func expectRefusal(_ response: HTTP.Response, status: Int, rpcCode: Int32, contentType: String,
                              messageContains: String?, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == status, "\(response)", sourceLocation: sourceLocation)
        #expect(response.contentType == contentType, "\(response)", sourceLocation: sourceLocation)
        let rpc = try response.rpcStatus()
        #expect(rpc.code == rpcCode, "\(response)", sourceLocation: sourceLocation)
        #expect(!rpc.message.isEmpty, sourceLocation: sourceLocation)
        if let messageContains {
            #expect(rpc.message.contains(messageContains), "\(rpc.message)", sourceLocation: sourceLocation)
        }
    }

    /// /healthz and /readyz answer, and a good export still commits (once).
    static func expectStillServing(_ server: InProcessServer, before: TableCounts,
                                   good: String = "17-otelsdk-grpc-traces.grpc.pb", goodSpans: Int = 6,
                                   sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let health = try await server.get("/healthz")
        #expect(health.status == 200, sourceLocation: sourceLocation)
        #expect(try JSONValue(bytes: health.body) == .object(["status": .string("ok")]), sourceLocation: sourceLocation)
        let ready = try await server.get("/readyz")
        #expect(ready.status == 200, sourceLocation: sourceLocation)
        #expect(try JSONValue(bytes: ready.body) == .object(["status": .string("ready")]), sourceLocation: sourceLocation)

        let response = try await server.post(good)
        #expect(response.status == 200, "\(good): \(response)", sourceLocation: sourceLocation)
        var after = before
        after.spans += goodSpans
        #expect(try server.store.tableCounts() == after, sourceLocation: sourceLocation)
    }
}
