import Foundation
import MemoryStore
import OTLP
import Testing

@Suite struct LogMaterializerTests {
    private func row(_ record: OTLPLogRecord, resource: [OTLPKeyValue] = [kv("service.name", "svc")]) throws -> LogRow {
        let batch = OTLPMaterializer.rows(from: logsRequest([record], resource: resource))
        #expect(batch.rejected == 0, "\(batch.rejectReasons)")
        return try #require(batch.logs.first)
    }

    @Test func basicColumns() throws {
        var record = makeLog(time: 5_000, body: "started", severity: .warn, trace: 3, span: 4)
        record.eventName = "job.start"
        record.flags = 1
        let r = try row(record)
        #expect(r.timeNano == 5_000)
        #expect(r.recordedTimeNano == 5_000)
        #expect(r.observedTimeNano == 6_000)
        #expect(r.severityNumber == 13)
        #expect(r.severityText == "INFO")
        #expect(r.level == 13)
        #expect(r.message == "started")
        #expect(r.body == "\"started\"")
        #expect(r.eventName == "job.start")
        #expect(r.traceID == hex(traceID(3)))
        #expect(r.spanID == hex(spanID(4)))
        #expect(r.flags == 1)
        #expect(r.resource.serviceName == "svc")
        #expect(r.resource.scopeName == "tests")
        #expect(r.attributes == "{}")
    }

    @Test func defaultsWhenFieldsAreAbsent() throws {
        var record = makeLog(body: nil, severity: .unspecified)
        record.severityText = ""
        let r = try row(record)
        #expect(r.level == 9)
        #expect(r.message == nil)
        #expect(r.body == nil)
        #expect(r.severityText == nil)
        #expect(r.eventName == nil)
        #expect(r.traceID == nil && r.spanID == nil)
    }

    @Test func logfireAttributesWin() throws {
        let r = try row(makeLog(body: "raw body", severity: .error, attributes: [kv("logfire.msg", "nice message"), kv("logfire.level_num", Int64(5))]))
        #expect(r.message == "nice message")
        #expect(r.level == 5)
        #expect(r.severityNumber == 17)
    }

    @Test func structuredBodyIsJSONAndItsTextTheMessage() throws {
        var record = makeLog(body: nil)
        var list = OTLPKeyValueList()
        list.values = [kv("event", "login"), kv("ok", true)]
        record.body.kvlistValue = list
        let r = try row(record)
        let body = try #require(json(r.body) as? [String: Any])
        #expect(body["event"] as? String == "login")
        #expect(body["ok"] as? Bool == true)
        #expect(r.message == r.body)
    }

    @Test func zeroTimeFallsBackToObservedTime() throws {
        var record = makeLog()
        record.timeUnixNano = 0
        record.observedTimeUnixNano = 77
        let r = try row(record)
        #expect(r.timeNano == 77)
        #expect(r.recordedTimeNano == 0)
    }

    @Test func keyIsStableAcrossMaterializations() throws {
        let record = makeLog(body: "same", attributes: [kv("a", "1")], trace: 1, span: 1)
        let first = try row(record).key
        let second = try row(record).key
        #expect(first == second)
        #expect(first.count == 32)
        #expect(first.allSatisfy { $0.isHexDigit })
    }

    @Test func keyDiffersForDifferentRecords() throws {
        let base = makeLog(body: "same", attributes: [kv("a", "1")], trace: 1, span: 1)
        var variants: [OTLPLogRecord] = []
        var r = base; r.timeUnixNano += 1; variants.append(r)
        r = base; r.observedTimeUnixNano += 1; variants.append(r)
        r = base; r.body.stringValue = "different"; variants.append(r)
        r = base; r.attributes = [kv("a", "2")]; variants.append(r)
        r = base; r.severityNumber = .error; variants.append(r)
        r = base; r.severityText = "WARN"; variants.append(r)
        r = base; r.traceID = traceID(2); variants.append(r)
        r = base; r.spanID = spanID(2); variants.append(r)
        r = base; r.eventName = "e"; variants.append(r)
        r = base; r.clearBody(); variants.append(r)
        r = base; r.body.stringValue = ""; variants.append(r)
        let keys = try [row(base).key] + variants.map { try row($0).key }
        #expect(Set(keys).count == keys.count)
        // The resource is part of the identity as well.
        let otherService = try row(base, resource: [kv("service.name", "other")]).key
        #expect(!keys.contains(otherService))
    }

    @Test func identicalRecordsInOneRequestShareAKey() {
        let batch = OTLPMaterializer.rows(from: logsRequest([makeLog(body: "dup"), makeLog(body: "dup"), makeLog(body: "other")]))
        #expect(batch.logs.count == 3)
        #expect(batch.logs[0].key == batch.logs[1].key)
        #expect(batch.logs[0].key != batch.logs[2].key)
    }

    @Test(arguments: [
        ("trace", { @Sendable (r: inout OTLPLogRecord) in r.traceID = Data(repeating: 1, count: 8) }, "trace_id"),
        ("span", { @Sendable (r: inout OTLPLogRecord) in r.spanID = Data(repeating: 1, count: 16) }, "span_id"),
        ("time", { @Sendable (r: inout OTLPLogRecord) in r.timeUnixNano = UInt64.max }, "timestamp"),
        ("observed", { @Sendable (r: inout OTLPLogRecord) in r.observedTimeUnixNano = UInt64(Int64.max) + 1 }, "timestamp"),
    ] as [(String, @Sendable (inout OTLPLogRecord) -> Void, String)])
    func invalidRecordIsRejectedWithAReason(_ label: String, _ breakIt: @Sendable (inout OTLPLogRecord) -> Void, _ reason: String) {
        var bad = makeLog(body: "bad")
        breakIt(&bad)
        let batch = OTLPMaterializer.rows(from: logsRequest([bad, makeLog(body: "good")]))
        #expect(batch.rejected == 1, "\(label)")
        #expect(batch.logs.map(\.message) == ["good"])
        #expect(batch.rejectReasons.first?.contains(reason) == true, "\(batch.rejectReasons)")
    }
}
