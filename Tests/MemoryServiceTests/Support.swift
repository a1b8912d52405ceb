import Contracts
import DuckDB
import Foundation
import Logging
import MemoryService
import MemoryStore
import OTLP
import Redaction

/// A memory service on a fresh store in a temporary folder, with helpers to put telemetry in.
final class ServiceFixture: @unchecked Sendable {
    let directory: URL
    let store: Store
    let service: MemoryService

    init(configuration: MemoryService.Configuration = .init(), redactor: Redactor? = nil) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("service-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("memory.duckdb").path)
        var logger = Logger(label: "service-tests")
        logger.logLevel = .error
        service = try MemoryService(store: store, configuration: configuration, redactor: redactor, logger: logger)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Commits spans as the ingest writer would.
    func ingest(_ spans: [OTLPSpan], service name: String = "planner") throws {
        let writer = try TelemetryWriter(store: store)
        _ = try writer.commit([OTLPMaterializer.rows(from: traceRequest(spans, service: name))], progress: [:])
    }

    func call(_ tool: String, _ arguments: JSONValue = [:], caller: Caller = Caller(surface: .cli)) async throws -> JSONValue {
        try await service.call(tool, arguments: arguments, caller: caller)
    }

    /// The error a call fails with (a test failure when it succeeds).
    func failure(_ tool: String, _ arguments: JSONValue) async -> MemoryServiceError? {
        do {
            let result = try await service.call(tool, arguments: arguments, caller: Caller(surface: .cli))
            Issue.record("\(tool) succeeded: \(result)")
            return nil
        } catch {
            return error
        }
    }

    func count(_ sql: String) throws -> Int64 {
        try store.connect().query(sql).rows[0][0].int64 ?? -1
    }
}

import Testing

// MARK: OTLP builders

func kv(_ key: String, _ value: String) -> OTLPKeyValue {
    var pair = OTLPKeyValue()
    pair.key = key
    pair.value.stringValue = value
    return pair
}

func kv(_ key: String, _ value: Int64) -> OTLPKeyValue {
    var pair = OTLPKeyValue()
    pair.key = key
    pair.value.intValue = value
    return pair
}

let baseTime: UInt64 = 1_764_000_000_000_000_000

/// A span of run `run` (trace number `trace`), optionally a stage span.
func span(trace: UInt8, span: UInt8, parent: UInt8? = nil, name: String, run: String? = nil,
          stage: (String, Int64)? = nil, start: UInt64, duration: UInt64 = 2_000_000, error: String? = nil,
          exception: (type: String, message: String)? = nil, attributes: [OTLPKeyValue] = []) -> OTLPSpan {
    var s = OTLPSpan()
    s.traceID = Data(repeating: 0xA0, count: 15) + [trace]
    s.spanID = Data(repeating: 0x0B, count: 7) + [span]
    if let parent { s.parentSpanID = Data(repeating: 0x0B, count: 7) + [parent] }
    s.name = name
    s.kind = .internal
    s.startTimeUnixNano = start
    s.endTimeUnixNano = start + duration
    s.attributes = attributes
    if let run { s.attributes.append(kv("dome.run.id", run)) }
    if let stage {
        s.attributes.append(kv("dome.stage", stage.0))
        s.attributes.append(kv("dome.stage.index", stage.1))
    }
    if let error {
        s.status.code = .error
        s.status.message = error
    }
    if let exception {
        var event = OTLPSpanEvent()
        event.name = "exception"
        event.timeUnixNano = start + 1
        event.attributes = [kv("exception.type", exception.type), kv("exception.message", exception.message)]
        s.events = [event]
    }
    return s
}

func traceRequest(_ spans: [OTLPSpan], service: String) -> OTLPTraceRequest {
    var scopeSpans = OTLPScopeSpans()
    scopeSpans.scope.name = "tests"
    scopeSpans.spans = spans
    var resourceSpans = OTLPResourceSpans()
    resourceSpans.resource.attributes = [kv("service.name", service)]
    resourceSpans.scopeSpans = [scopeSpans]
    var request = OTLPTraceRequest()
    request.resourceSpans = [resourceSpans]
    return request
}

/// A planner run: plan → retrieve → act (fails once, then succeeds) → verify.
func plannerRun(_ run: String, trace: UInt8, at start: UInt64 = baseTime) -> [OTLPSpan] {
    let ms: UInt64 = 1_000_000
    return [
        span(trace: trace, span: 1, name: "run \(run)", run: run, start: start, duration: 100 * ms),
        span(trace: trace, span: 2, parent: 1, name: "plan", run: run, stage: ("plan", 0), start: start + 1 * ms, duration: 10 * ms),
        span(trace: trace, span: 3, parent: 1, name: "retrieve", run: run, stage: ("retrieve", 1), start: start + 12 * ms, duration: 10 * ms),
        span(trace: trace, span: 4, parent: 1, name: "act", run: run, stage: ("act", 2), start: start + 23 * ms, duration: 10 * ms,
             error: "tool timed out", exception: ("TimeoutError", "the search tool did not answer")),
        span(trace: trace, span: 5, parent: 1, name: "act", run: run, stage: ("act", 2), start: start + 34 * ms, duration: 10 * ms),
        span(trace: trace, span: 6, parent: 1, name: "verify", run: run, stage: ("verify", 3), start: start + 45 * ms, duration: 10 * ms),
        // A child without run attributes: it inherits the run from its trace.
        span(trace: trace, span: 7, parent: 4, name: "http GET search", start: start + 24 * ms, duration: 5 * ms),
    ]
}
