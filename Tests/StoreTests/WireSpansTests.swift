import Foundation
@testable import MemoryStore
import OTLP
import Redaction
import SwiftProtobuf
import Testing

/// The wire path of trace ingest gives exactly the rows of the generic path (generated message,
/// then `OTLPMaterializer.rows(from:)`), with and without redaction, and takes most spans itself.
@Suite struct WireSpansTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/otlp")

    /// Every protobuf trace capture, gunzipped.
    static let traceCaptures = [
        "01-logfire-otlp-traces.pb", "05-logfire-native-traces.pb.gz", "06-logfire-native-traces-2.pb.gz",
        "07-logfire-native-traces-3.pb.gz", "09-logfire-native-traces-4.pb.gz", "10-logfire-native-traces-5.pb.gz",
        "13-otelsdk-gzip-traces.pb.gz", "19-logfire-batch5k-traces.pb",
    ]

    static func body(_ name: String) throws -> [UInt8] {
        let url = fixtures.appendingPathComponent(name)
        guard name.hasSuffix(".gz") else { return Array(try Data(contentsOf: url)) }
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gunzip.arguments = ["gzip", "-dc", url.path]
        let pipe = Pipe()
        gunzip.standardOutput = pipe
        try gunzip.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        return Array(data)
    }

    /// Both paths' batches as text (every field of every row), and how many spans the wire path
    /// handed to the generic one.
    static func bothPaths(_ body: [UInt8], redactor: Redactor?) throws -> (wire: String, generic: String, handedOver: Int) {
        var handedOver = 0
        let wire = try body.withUnsafeBytes { try WireSpans(redactor: redactor).rows(request: $0, generic: &handedOver) }
        let generic = OTLPMaterializer.rows(from: try OTLPTraceRequest(serializedBytes: body), redactor: redactor)
        return (String(reflecting: wire), String(reflecting: generic), handedOver)
    }

    @Test(arguments: traceCaptures)
    func capturesGiveTheSameRows(_ name: String) throws {
        let body = try Self.body(name)
        for redactor in [nil, try Redactor()] {
            let (wire, generic, _) = try Self.bothPaths(body, redactor: redactor)
            #expect(wire == generic)
        }
    }

    @Test func mostSpansOfTheBenchmarkBatchTakeTheWirePath() throws {
        let body = try Self.body("19-logfire-batch5k-traces.pb")
        // 5 spans carry events; 950 more an `api_key` attribute, which redaction replaces.
        #expect(try Self.bothPaths(body, redactor: nil).handedOver == 5)
        #expect(try Self.bothPaths(body, redactor: try Redactor()).handedOver == 955)
    }

    /// Spans built to reach every branch: each is compared alone and all together.
    static let spans: [(String, OTLPSpan)] = {
        var cases: [(String, OTLPSpan)] = []
        func add(_ label: String, _ change: (inout OTLPSpan) -> Void) {
            var span = makeSpan(trace: UInt8(cases.count + 1), span: 1, name: "step {n}",
                                attributes: [kv("logfire.msg_template", "step {n}"), kv("logfire.msg", "step 3"), kv("n", Int64(3))])
            change(&span)
            cases.append((label, span))
        }
        add("plain") { _ in }
        add("every scalar") {
            var bytes = OTLPKeyValue()
            bytes.key = "blob"
            bytes.value.bytesValue = Data([0, 1, 2, 250])
            var empty = OTLPKeyValue()
            empty.key = "nothing"
            $0.attributes += [kv("s", "tab\there \"quoted\" \\ é ✓"), kv("i", Int64.min), kv("d", 0.1), kv("nan", Double.nan),
                              kv("b", true), bytes, empty, kv("", "empty key")]
        }
        add("logfire columns") {
            $0.attributes += [kv("logfire.level_num", Int64(300)), kv("logfire.span_type", "log"),
                              kv("logfire.tags", strings: ["a", "b"]), kv("logfire.msg", "overridden")]
        }
        add("correlation") {
            $0.attributes += [kv("dome.run.id", Int64(42)), kv("dome.attempt", "2"), kv("dome.stage.index", 1.0),
                              kv("run_id", "alias"), kv("agent", "first"), kv("gen_ai.agent.name", "second"), kv("stage", "plan")]
        }
        add("aliases only") { $0.attributes += [kv("run.id", "r-alias"), kv("packet_id", "p1")] }
        add("status, kind, flags, drops") {
            $0.status.code = .error
            $0.status.message = "it broke"
            $0.kind = .client
            $0.flags = 0x301
            $0.droppedAttributesCount = 3
            $0.droppedEventsCount = 4
            $0.droppedLinksCount = 5
            $0.traceState = "vendor=1"
            $0.parentSpanID = spanID(9)
        }
        add("unknown kind") { $0.kind = .UNRECOGNIZED(9) }
        add("array of scalars") {
            var list = OTLPKeyValue()
            list.key = "mixed"
            var array = OTLPArrayValue()
            array.values = [kv("x", "one").value, kv("x", Int64(2)).value, kv("x", false).value]
            list.value.arrayValue = array
            $0.attributes.append(list)
        }
        add("map value") {
            var map = OTLPKeyValue()
            map.key = "map"
            var list = OTLPKeyValueList()
            list.values = [kv("inner", "v"), kv("password", "hunter2")]
            map.value.kvlistValue = list
            $0.attributes.append(map)
        }
        add("event") {
            var event = OTLPSpanEvent()
            event.name = "exception"
            event.attributes = [kv("exception.type", "ValueError"), kv("exception.message", "bad")]
            $0.events = [event]
        }
        add("link") {
            var link = OTLPSpanLink()
            link.traceID = traceID(99)
            link.spanID = spanID(99)
            $0.links = [link]
        }
        add("secret key") { $0.attributes.append(kv("api_key", "abc123")) }
        add("secret value") { $0.attributes.append(kv("header", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl")) }
        add("secret in the name") { $0.name = "token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB" }
        add("secret in the status") { $0.status.message = "card 4111 1111 1111 1111 declined" }
        add("sensitive template field") {
            $0.attributes = [kv("logfire.msg_template", "login {password}"), kv("logfire.msg", "login hunter2")]
        }
        add("JSON string value") { $0.attributes.append(kv("logfire.json_schema", #"{"type":"object","properties":{"n":{}}}"#)) }
        add("JSON string with a secret") { $0.attributes.append(kv("payload", #"{"db":{"password":"x"}}"#)) }
        add("non-string message") { $0.attributes.append(kv("logfire.msg", Int64(5))) }
        add("short trace id") { $0.traceID = Data([1, 2, 3]) }
        add("zero span id") { $0.spanID = Data(repeating: 0, count: 8) }
        add("odd parent") { $0.parentSpanID = Data([1, 2, 3]) }
        add("start out of range") { $0.startTimeUnixNano = UInt64.max }
        return cases
    }()

    @Test(arguments: spans.map(\.0))
    func everyBranchGivesTheSameRows(_ label: String) throws {
        let span = Self.spans.first { $0.0 == label }!.1
        let body: [UInt8] = try traceRequest([span], resource: [kv("service.name", "svc"), kv("dome.agent", "from-resource")])
            .serializedBytes()
        for redactor in [nil, try Redactor()] {
            let (wire, generic, _) = try Self.bothPaths(body, redactor: redactor)
            #expect(wire == generic, "\(label), redaction \(redactor != nil)")
        }
    }

    @Test func allBranchesInOneRequest() throws {
        let body: [UInt8] = try traceRequest(Self.spans.map(\.1)).serializedBytes()
        let (wire, generic, handedOver) = try Self.bothPaths(body, redactor: try Redactor())
        #expect(wire == generic)
        #expect(handedOver > 0 && handedOver < Self.spans.count)
    }

    @Test func brokenBodiesFailAsTheGeneratedDecoderFails() throws {
        let body: [UInt8] = try traceRequest(Self.spans.map(\.1)).serializedBytes()
        for cut in [1, 7, body.count / 2, body.count - 1] {
            let truncated = Array(body.prefix(cut))
            let generic = Result { try OTLPTraceRequest(serializedBytes: truncated) }
            let wire = Result { try OTLPMaterializer.rows(serializedTraceRequest: truncated) }
            #expect((try? generic.get()) == nil)
            #expect((try? wire.get()) == nil, "cut at \(cut)")
        }
        // Invalid UTF-8 in a span name: refused, as by the generated decoder.
        var bad = try traceRequest([makeSpan(name: "ok")]).serializedBytes() as [UInt8]
        let at = bad.lastIndex(of: UInt8(ascii: "o"))!
        bad[at] = 0xFF
        try Self.expectSameRefusal(bad, "invalid UTF-8 in a name")
    }

    /// Wire forms the generated decoder refuses although each part looks readable: the wire
    /// path refuses them too, with the generated decoder's error.
    @Test func whatTheGeneratedDecoderRefusesIsRefused() throws {
        let span = makeSpan(name: "ok", attributes: [kv("k", "v")])
        let request: [UInt8] = try traceRequest([span]).serializedBytes()
        // A tag written in 6 bytes (field 1, length-delimited, padded with continuation bytes).
        try Self.expectSameRefusal([0x8A, 0x80, 0x80, 0x80, 0x80, 0x00] + request.dropFirst(), "a 6-byte tag")
        // schema_url (field 3) that is not UTF-8, in a ResourceSpans and in a ScopeSpans.
        func field(_ number: UInt8, _ body: [UInt8]) -> [UInt8] { [number << 3 | 2] + Self.varint(body.count) + body }
        let resourceSpans: [UInt8] = try traceRequest([span]).resourceSpans[0].serializedBytes()
        try Self.expectSameRefusal(field(1, resourceSpans + [0x1A, 0x01, 0xFF]), "resource schema_url")
        let scopeSpans: [UInt8] = try traceRequest([span]).resourceSpans[0].scopeSpans[0].serializedBytes()
        try Self.expectSameRefusal(field(1, field(2, scopeSpans + [0x1A, 0x01, 0xFF])), "scope schema_url")
        // A span nested just too deep for the request (it would decode on its own).
        var deep = OTLPAnyValue()
        deep.arrayValue = OTLPArrayValue()
        for _ in 0..<48 {
            var outer = OTLPAnyValue()
            outer.arrayValue.values = [deep]
            deep = outer
        }
        var nested = OTLPKeyValue()
        nested.key = "deep"
        nested.value = deep
        let deepSpan = makeSpan(name: "deep", attributes: [nested])
        let deepSpanBytes: [UInt8] = try deepSpan.serializedBytes()
        #expect((try? OTLPSpan(serializedBytes: deepSpanBytes)) != nil, "the span alone is within the limit")
        let deepRequest = field(1, field(2, field(2, deepSpanBytes)))
        try Self.expectSameRefusal(deepRequest, "nesting")
    }

    static func varint(_ n: Int) -> [UInt8] {
        var n = UInt64(n), out: [UInt8] = []
        while n >= 0x80 {
            out.append(UInt8(n & 0x7F) | 0x80)
            n >>= 7
        }
        return out + [UInt8(n)]
    }

    /// Both paths refuse `body`, with the same error.
    static func expectSameRefusal(_ body: [UInt8], _ label: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let generic = Result { try OTLPTraceRequest(serializedBytes: body) }
        let wire = Result { try OTLPMaterializer.rows(serializedTraceRequest: body) }
        guard case .failure(let genericError) = generic else {
            Issue.record("\(label): the generated decoder accepts it", sourceLocation: sourceLocation)
            return
        }
        guard case .failure(let wireError) = wire else {
            Issue.record("\(label): the wire path accepts it", sourceLocation: sourceLocation)
            return
        }
        #expect("\(wireError)" == "\(genericError)", "\(label)", sourceLocation: sourceLocation)
    }
}
