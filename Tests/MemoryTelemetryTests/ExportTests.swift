import Foundation
import HTTPTypes
import Hummingbird
import Logging
@testable import MemoryTelemetry
import OTLP
import Synchronization
import Testing
import Tracing

/// What leaves the process: several destinations at once, Logfire's token header and gzip,
/// sampling, and the exporter's own batching.
@Suite struct ExportTests {
    /// One batch reaches a memoryd-style receiver and a Logfire-style one (token header, gzip).
    @Test func memorydAndLogfireAtOnce() async throws {
        let memoryd = CaptureReceiver()
        let logfire = CaptureReceiver()
        try await LocalHTTPServer.with(memoryd.router) { memorydPort in
            try await LocalHTTPServer.with(logfire.router) { logfirePort in
                let telemetry = try Telemetry(TelemetryConfiguration(
                    serviceName: "fan-out", destination: .memoryd("http://127.0.0.1:\(memorydPort)"),
                    additionalDestinations: [.logfire(token: "pylf_v1_eu_testtoken", baseURL: "http://127.0.0.1:\(logfirePort)")]))
                try await telemetry.withRun(Run(id: "run-fan-out")) { _ in
                    telemetry.info("sent to {n} places", ["n": 2])
                }
                await telemetry.shutdown()
            }
        }
        for receiver in [memoryd, logfire] {
            #expect(Set(receiver.spans.map(\.name)) == ["run {dome.run.id}", "sent to {n} places"])
            #expect(receiver.spans.allSatisfy { $0.string("dome.run.id") == "run-fan-out" })
            #expect(receiver.headers.allSatisfy { $0["content-type"] == "application/x-protobuf" })
        }
        #expect(logfire.headers.allSatisfy { $0["authorization"] == "pylf_v1_eu_testtoken" && $0["content-encoding"] == "gzip" })
        #expect(memoryd.headers.allSatisfy { $0["authorization"] == nil && $0["content-encoding"] == nil })
        #expect(Set(memoryd.spans.map(\.spanID)) == Set(logfire.spans.map(\.spanID)), "the same spans")
    }

    /// Ratio 0 keeps no new trace, and says so downstream (`-00`); a remote parent that was
    /// sampled is followed anyway.
    @Test func samplingFollowsTheParent() async throws {
        let capture = try await capture({ $0.samplingRatio = 0 }) { telemetry in
            try await telemetry.withRun(Run(id: "run-unsampled")) { _ in
                telemetry.info("not kept")
                var headers: [String: String] = [:]
                telemetry.inject(into: &headers)
                #expect(headers["traceparent"]?.hasSuffix("-00") == true)
                #expect(headers["baggage"]?.contains("dome.run.id=run-unsampled") == true, "baggage travels anyway")
            }
            try await telemetry.withExtractedContext(from: ["traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"]) {
                try await telemetry.withSpan("kept: the caller sampled it") { _ in }
            }
        }
        #expect(capture.spans.map(\.name) == ["kept: the caller sampled it"])
        let kept = try capture.span(named: "kept: the caller sampled it")
        #expect(kept.traceID == "0af7651916cd43dd8448eb211c80319c")
        #expect(kept.parentSpanID == "b7ad6b7169203331")
        #expect(kept.span.flags & 0x300 == 0x300, "the parent is remote")
    }

    /// A full batch is sent without waiting for the interval, in requests of at most
    /// `batchSize` spans.
    @Test func fullBatchesAreSentBeforeTheInterval() async throws {
        let receiver = CaptureReceiver()
        try await LocalHTTPServer.with(receiver.router) { port in
            let telemetry = try Telemetry(TelemetryConfiguration(
                destination: .memoryd("http://127.0.0.1:\(port)"), batchSize: 100, batchInterval: .seconds(600)))
            for i in 0 ..< 250 { telemetry.info("span {i}", ["i": i]) }
            // Hang guard, not a speed figure: the interval is ten minutes.
            let deadline = ContinuousClock.now + .seconds(20)
            while receiver.spans.count < 200, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(receiver.spans.count >= 200, "two full batches sent before the interval")
            await telemetry.shutdown()
        }
        #expect(receiver.spans.count == 250)
        #expect(receiver.bodies.count >= 3)
        let perRequest = try receiver.bodies.map { body in
            try OTLPTraceRequest(serializedBytes: body).resourceSpans.flatMap(\.scopeSpans).reduce(0) { $0 + $1.spans.count }
        }
        #expect(perRequest.allSatisfy { $0 <= 100 })
    }

    /// An endpoint that does not answer in time costs one timeout per export round, not one per
    /// batch: it is skipped for the rest of the round while the other endpoint gets every batch.
    @Test func aStalledEndpointIsSkippedForTheRestOfTheRound() async throws {
        let good = CaptureReceiver()
        let stalledRequests = Atomic<Int>(0)
        let roundOver = Atomic<Bool>(false)
        try await LocalHTTPServer.with(good.router) { goodPort in
            let stalled = Router()
            stalled.post("/v1/traces") { _, _ -> HTTPResponse.Status in
                stalledRequests.add(1, ordering: .relaxed)
                // Answers only once the round is over: later than any timeout, however slow the machine.
                while !roundOver.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(10)) }
                return .ok
            }
            try await LocalHTTPServer.with(stalled) { stalledPort in
                // One round of 50 ended spans in batches of 10, driven directly.
                let telemetry = try Telemetry(TelemetryConfiguration(destination: .none))
                let queue = EndedSpanQueue(capacity: 100)
                for i in 0 ..< 50 {
                    let span = telemetry.core.startSpan("span \(i)", context: .topLevel, ofKind: .internal, at: DefaultTracerClock.now,
                                                        function: #function, file: #fileID, line: #line)
                    span.end()
                    _ = queue.push(span)
                }
                let (wakeups, wake) = AsyncStream.makeStream(of: Void.self)
                let exporter = SpanExporter(
                    queue: queue, encoder: OTLPSpanEncoder(resourceAttributes: [], scrubber: telemetry.core.scrubber),
                    endpoints: [OTLPHTTPEndpoint(url: "http://127.0.0.1:\(goodPort)/v1/traces", headers: [:], gzip: false),
                                OTLPHTTPEndpoint(url: "http://127.0.0.1:\(stalledPort)/v1/traces", headers: [:], gzip: false)],
                    // A round pays the timeout once (the stalled endpoint); it must outlast the good endpoint's
                    // answer on a loaded machine.
                    batchSize: 10, batchInterval: .seconds(600), exportTimeout: .seconds(10), wakeups: wakeups, wake: wake,
                    logger: Logger(label: "test"))
                await exporter.exportQueued()
                roundOver.store(true, ordering: .releasing)
            }
        }
        #expect(good.spans.count == 50)
        #expect(stalledRequests.load(ordering: .relaxed) == 1)
    }

    /// Spans of libraries that only know swift-distributed-tracing, with their kind, events,
    /// links and status, and the source location.
    @Test func tracerSpansCarryWhatTheCodeGaveThem() async throws {
        let capture = try await capture { telemetry in
            let tracer = telemetry.tracer
            let first = tracer.startSpan("GET /items", ofKind: .client)
            first.attributes["http.request.method"] = "GET"
            first.addEvent(SpanEvent(name: "retry", attributes: ["attempt": 2]))
            first.setStatus(SpanStatus(code: .ok))
            first.setStatus(SpanStatus(code: .error, message: "ignored: ok is final"))
            first.end()
            first.attributes["after.end"] = true
            let second = tracer.startSpan("process")
            second.addLink(SpanLink(context: first.context, attributes: ["link.reason": "follows"]))
            second.end()
        }
        let first = try capture.span(named: "GET /items")
        #expect(first.span.kind == .client)
        #expect(first.string("http.request.method") == "GET")
        #expect(first["after.end"] == nil, "changes after the end are dropped")
        #expect(first.events.map(\.name) == ["retry"])
        #expect(first.span.status.code == .ok)
        #expect(first.string("code.filepath") == "MemoryTelemetryTests/ExportTests.swift")
        #expect(first.string("code.function")?.hasPrefix("tracerSpansCarryWhatTheCodeGaveThem") == true)
        let second = try capture.span(named: "process")
        #expect(second.span.links.count == 1)
        #expect(second.span.links.first.map { OTLPHex.string($0.spanID) } == first.spanID)
        #expect(second.parentSpanID == nil)
    }
}

/// The hand-written protobuf encoder, read back by SwiftProtobuf's generated types: every
/// attribute type, defaults that must still be sent (oneof members), multi-byte lengths.
@Suite struct EncoderTests {
    struct Note: CustomStringConvertible, Sendable {
        var description: String { "a note" }
    }

    @Test func everyAttributeTypeDecodesAsSent() async throws {
        let long = String(repeating: "ü", count: 200)  // 400 bytes: a two-byte length
        let huge = String(repeating: "x", count: 40_000)  // a three-byte length, in a span that needs one too
        let capture = try await capture { telemetry in
            let span = telemetry.tracer.startSpan("types ✓")
            span.updateAttributes { attributes in
                attributes["empty"] = ""
                attributes["zero"] = 0
                attributes["negative"] = -42
                attributes.set("int32", value: .int32(Int32.min))
                attributes.set("big", value: .int64(Int64.max))
                attributes["pi"] = 3.25
                attributes["no"] = false
                attributes["yes"] = true
                attributes.set("long", value: .string(long))
                attributes.set("huge", value: .string(huge))
                attributes.set("note", value: .stringConvertible(Note()))
                attributes.set("strings", value: .stringArray(["a", "", "c"]))
                attributes.set("ints", value: .int64Array([1, -1, 0]))
                attributes.set("doubles", value: .doubleArray([0.5, -2]))
                attributes.set("bools", value: .boolArray([true, false]))
                attributes.set("none", value: .stringArray([]))
                attributes["ключ"] = "значение"
            }
            span.end()
        }
        let span = try capture.span(named: "types ✓")
        func value(_ key: String) -> OTLPAnyValue.OneOf_Value? { span[key]?.value }
        #expect(value("empty") == .stringValue(""))
        #expect(value("zero") == .intValue(0))
        #expect(value("negative") == .intValue(-42))
        #expect(value("int32") == .intValue(Int64(Int32.min)))
        #expect(value("big") == .intValue(Int64.max))
        #expect(value("pi") == .doubleValue(3.25))
        #expect(value("no") == .boolValue(false))
        #expect(value("yes") == .boolValue(true))
        #expect(span.string("long") == long)
        #expect(span.string("huge") == huge)
        #expect(span.string("note") == "a note")
        #expect(span.strings("strings") == ["a", "", "c"])
        guard case .arrayValue(let ints) = value("ints"), case .arrayValue(let doubles) = value("doubles"),
              case .arrayValue(let bools) = value("bools"), case .arrayValue(let none) = value("none") else {
            Issue.record("arrays not decoded as arrays")
            return
        }
        #expect(ints.values.map(\.value) == [.intValue(1), .intValue(-1), .intValue(0)])
        #expect(doubles.values.map(\.value) == [.doubleValue(0.5), .doubleValue(-2)])
        #expect(bools.values.map(\.value) == [.boolValue(true), .boolValue(false)])
        #expect(none.values.isEmpty)
        #expect(span.string("ключ") == "значение")
        #expect(span.span.kind == OTLPSpanKind.internal)
        #expect(span.resourceString("service.name") == "telemetry-tests")
        #expect(span.resourceString("telemetry.sdk.name") == "MemoryTelemetry")
    }
}
