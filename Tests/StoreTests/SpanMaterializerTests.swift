import Foundation
import MemoryStore
import OTLP
import Testing

@Suite struct SpanMaterializerTests {
    private func row(_ span: OTLPSpan, resource: [OTLPKeyValue] = [kv("service.name", "svc")]) throws -> SpanRow {
        let batch = spanBatch([span], resource: resource)
        #expect(batch.rejected == 0, "\(batch.rejectReasons)")
        return try #require(batch.spans.first)
    }

    @Test func basicColumns() throws {
        var span = makeSpan(trace: 7, span: 2, parent: 1, name: "GET /", start: 1_000, duration: 500)
        span.kind = .server
        span.traceState = "k=v"
        span.flags = 0x101
        span.droppedAttributesCount = 1
        span.droppedEventsCount = 2
        span.droppedLinksCount = 3
        span.status.code = .ok
        let r = try row(span, resource: [kv("service.name", "api"), kv("service.version", "1.2.3")])
        #expect(r.traceID == hex(traceID(7)))
        #expect(r.spanID == hex(spanID(2)))
        #expect(r.parentSpanID == hex(spanID(1)))
        #expect(r.traceState == "k=v")
        #expect(r.name == "GET /")
        #expect(r.spanKind == "server")
        #expect(r.startNano == 1_000 && r.endNano == 1_500)
        #expect(r.statusCode == "ok")
        #expect(r.statusMessage == nil)
        #expect(r.flags == 0x101 && r.droppedAttributes == 1 && r.droppedEvents == 2 && r.droppedLinks == 3)
        #expect(r.resource.serviceName == "api")
        #expect(r.resource.serviceVersion == "1.2.3")
        #expect(r.resource.scopeName == "tests")
        #expect(r.resource.scopeVersion == "1.0")
        #expect(r.events == nil && r.links == nil)
        #expect(!r.isPending)
    }

    @Test func rootSpanHasNoParentAndDefaults() throws {
        var span = makeSpan()
        span.kind = .unspecified
        let r = try row(span, resource: [])
        #expect(r.parentSpanID == nil)
        #expect(r.traceState == nil)
        #expect(r.spanKind == "unspecified")
        #expect(r.statusCode == "unset")
        #expect(r.spanType == "span")
        #expect(r.message == "work")
        #expect(r.level == 9)
        #expect(r.tags == nil)
        #expect(!r.isException)
        #expect(r.resource.serviceName == nil)
        #expect(r.resource.attributes == "{}")
    }

    @Test func spanKindNames() throws {
        let kinds: [(OTLPSpanKind, String)] = [(.internal, "internal"), (.server, "server"), (.client, "client"),
                                               (.producer, "producer"), (.consumer, "consumer")]
        for (kind, name) in kinds {
            var span = makeSpan()
            span.kind = kind
            #expect(try row(span).spanKind == name)
        }
    }

    @Test func logfireMessageLevelTagsAndType() throws {
        let r = try row(makeSpan(name: "template {x}", attributes: [
            kv("logfire.msg", "template 42"),
            kv("logfire.level_num", Int64(13)),
            kv("logfire.tags", strings: ["alpha", "beta"]),
            kv("logfire.span_type", "log"),
        ]))
        #expect(r.message == "template 42")
        #expect(r.name == "template {x}")
        #expect(r.level == 13)
        #expect(r.tags == ["alpha", "beta"])
        #expect(r.spanType == "log")
    }

    @Test func errorStatusRaisesDefaultLevel() throws {
        var span = makeSpan()
        span.status.code = .error
        span.status.message = "failed"
        let r = try row(span)
        #expect(r.statusCode == "error")
        #expect(r.statusMessage == "failed")
        #expect(r.level == 17)
        // An explicit level wins.
        span.attributes = [kv("logfire.level_num", Int64(5))]
        #expect(try row(span).level == 5)
    }

    @Test func exceptionEventFillsExceptionColumns() throws {
        var span = makeSpan()
        var other = OTLPSpanEvent()
        other.name = "checkpoint"
        other.timeUnixNano = 10
        var exception = OTLPSpanEvent()
        exception.name = "exception"
        exception.timeUnixNano = 20
        exception.attributes = [kv("exception.type", "ValueError"), kv("exception.message", "bad \"value\""),
                                kv("exception.stacktrace", "Traceback:\n  line 1")]
        var second = OTLPSpanEvent()
        second.name = "exception"
        second.attributes = [kv("exception.type", "Second")]
        span.events = [other, exception, second]
        let r = try row(span)
        #expect(r.isException)
        #expect(r.exceptionType == "ValueError")
        #expect(r.exceptionMessage == "bad \"value\"")
        #expect(r.exceptionStacktrace == "Traceback:\n  line 1")
        #expect(r.level == 17)
        let events = try #require(json(r.events) as? [[String: Any]])
        #expect(events.map { $0["name"] as? String } == ["checkpoint", "exception", "exception"])
        #expect(events[1]["time_unix_nano"] as? Int == 20)
        #expect((events[1]["attributes"] as? [String: Any])?["exception.message"] as? String == "bad \"value\"")
    }

    @Test func linksAreJSON() throws {
        var span = makeSpan()
        var link = OTLPSpanLink()
        link.traceID = traceID(3)
        link.spanID = spanID(4)
        link.attributes = [kv("why", "batch")]
        span.links = [link]
        let links = try #require(json(try row(span).links) as? [[String: Any]])
        #expect(links.count == 1)
        #expect(links[0]["trace_id"] as? String == hex(traceID(3)))
        #expect(links[0]["span_id"] as? String == hex(spanID(4)))
        #expect((links[0]["attributes"] as? [String: String]) == ["why": "batch"])
    }

    @Test func attributesAreValidJSONWithEveryValueKind() throws {
        var nested = OTLPKeyValue()
        nested.key = "nested"
        var list = OTLPKeyValueList()
        list.values = [kv("inner", Int64(1)), kv("arr", strings: ["x", "y"])]
        nested.value.kvlistValue = list
        var bytes = OTLPKeyValue()
        bytes.key = "bytes"
        bytes.value.bytesValue = Data([0xDE, 0xAD, 0xBE, 0xEF])
        var empty = OTLPKeyValue()
        empty.key = "empty"
        let weird = "quote\" back\\slash\nnew\ttab\u{01}ctl é 🦆"
        let r = try row(makeSpan(attributes: [
            kv("s", weird), kv("i", Int64.min), kv("d", 2.5), kv("nan", Double.nan), kv("b", true), nested, bytes, empty,
        ]))
        let object = try #require(json(r.attributes) as? [String: Any], "not JSON: \(r.attributes)")
        #expect(object["s"] as? String == weird)
        #expect((object["i"] as? NSNumber)?.int64Value == Int64.min)
        #expect(object["d"] as? Double == 2.5)
        #expect(object["nan"] as? String == "nan")
        #expect(object["b"] as? Bool == true)
        #expect(object["bytes"] as? String == Data([0xDE, 0xAD, 0xBE, 0xEF]).base64EncodedString())
        #expect(object["empty"] is NSNull)
        let inner = try #require(object["nested"] as? [String: Any])
        #expect(inner["inner"] as? Int == 1)
        #expect(inner["arr"] as? [String] == ["x", "y"])
        // The resource's attributes are JSON too.
        #expect((json(r.resource.attributes) as? [String: String]) == ["service.name": "svc"])
    }

    @Test func pendingSpanIsMarked() throws {
        let r = try row(makeSpan(span: 5, parent: 4, attributes: [kv("logfire.span_type", "pending_span")]))
        #expect(r.isPending)
        #expect(r.spanType == "pending_span")
    }

    @Test(arguments: [
        ("short trace id", { @Sendable (s: inout OTLPSpan) in s.traceID = Data(repeating: 1, count: 15) }, "trace_id"),
        ("empty trace id", { @Sendable (s: inout OTLPSpan) in s.traceID = Data() }, "trace_id"),
        ("zero trace id", { @Sendable (s: inout OTLPSpan) in s.traceID = Data(count: 16) }, "trace_id"),
        ("long span id", { @Sendable (s: inout OTLPSpan) in s.spanID = Data(repeating: 1, count: 9) }, "span_id"),
        ("zero span id", { @Sendable (s: inout OTLPSpan) in s.spanID = Data(count: 8) }, "span_id"),
        ("odd parent id", { @Sendable (s: inout OTLPSpan) in s.parentSpanID = Data(repeating: 1, count: 4) }, "parent_span_id"),
        ("start too big", { @Sendable (s: inout OTLPSpan) in s.startTimeUnixNano = UInt64(Int64.max) + 1 }, "timestamp"),
        ("end too big", { @Sendable (s: inout OTLPSpan) in s.endTimeUnixNano = UInt64.max }, "timestamp"),
    ] as [(String, @Sendable (inout OTLPSpan) -> Void, String)])
    func invalidSpanIsRejectedWithAReason(_ label: String, _ breakIt: @Sendable (inout OTLPSpan) -> Void, _ reason: String) {
        var bad = makeSpan(span: 1, name: "bad one")
        breakIt(&bad)
        let batch = spanBatch([bad, makeSpan(span: 2, name: "good one")])
        #expect(batch.rejected == 1, "\(label)")
        #expect(batch.spans.map(\.name) == ["good one"])
        #expect(batch.rejectReasons.count == 1)
        #expect(batch.rejectReasons.first?.contains(reason) == true, "\(batch.rejectReasons)")
        #expect(batch.rejectReasons.first?.contains("bad one") == true)
    }

    @Test func rejectReasonsAreCappedButAllRejectionsCounted() {
        let bad = (0..<8).map { i -> OTLPSpan in
            var s = makeSpan(span: UInt8(i + 1))
            s.traceID = Data()
            return s
        }
        let batch = spanBatch(bad)
        #expect(batch.rejected == 8)
        #expect(batch.rejectReasons.count == 5)
        #expect(batch.rowCount == 0)
    }

    @Test func rowCountCountsEveryKind() {
        #expect(spanBatch([makeSpan(span: 1), makeSpan(span: 2)]).rowCount == 2)
        #expect(TelemetryBatch().rowCount == 0)
    }
}
