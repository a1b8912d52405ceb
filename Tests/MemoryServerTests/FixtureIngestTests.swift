import DuckDB
import Foundation
import MemoryStore
import OTLP
import SwiftProtobuf
import Testing

/// Every captured request, POSTed to a live memoryd as its client sent it, lands in the
/// store as the request says: counts per file, and for each item its key fields.
@Suite("OTLP fixtures into a live memoryd")
struct FixtureIngestTests {
    @Test("stores exactly what the captured request holds", arguments: Fixtures.manifest)
    func storesCapturedRequest(_ entry: Fixtures.Entry) async throws {
        try await InProcessServer.with { server in
            let response = try await server.post(entry)
            #expect(response.status == 200, "\(entry.file): \(response)")
            try Self.expectFullSuccess(response, entry: entry)

            let counts = try server.store.tableCounts()
            if entry.hasDecodedFile {
                let expected = try entry.expected()
                let superseded = Set(expected.realSpans.map(\.key))
                let pending = expected.pendingSpans.filter { !superseded.contains($0.traceID + "/" + ($0.parentSpanID ?? "")) }
                #expect(counts == TableCounts(spans: expected.realSpans.count, pendingSpans: pending.count,
                                              logs: expected.logs.count, points: expected.points.count),
                        "\(entry.file)")
                #expect(expected.spans.count + expected.logs.count + expected.points.count == entry.count,
                        "\(entry.file): decoded.json disagrees with the manifest")
                try StoredTelemetry.expectSpans(expected, in: server.store, file: entry.file)
                try StoredTelemetry.expectLogs(expected, in: server.store, file: entry.file)
                try StoredTelemetry.expectPoints(expected, in: server.store, file: entry.file)
            } else {
                // The 5k batch: its decoded.json is not kept; the manifest has the counts.
                #expect(counts == TableCounts(spans: entry.count), "\(entry.file)")
                #expect(try server.store.integer("SELECT count(DISTINCT trace_id) FROM spans") == entry.traces)
                let types = try server.store.rows("SELECT span_type, count(*) AS n FROM spans GROUP BY span_type")
                var byType: [String: Int] = [:]
                for row in types { byType[row["span_type"]?.string ?? ""] = Int(row["n"]?.int64 ?? 0) }
                #expect(byType == entry.spanTypes, "\(entry.file): span types")
                // Every span of the 50 runs carries its run id (directly or from its trace).
                #expect(try server.store.count("spans", where: "run_id IS NULL") == 0)
                #expect(try server.store.integer("SELECT count(DISTINCT run_id) FROM spans") == entry.traces)
                #expect(try server.store.count("spans", where: "service_name <> 'dome-planner'") == 0)
                #expect(try server.store.count("spans", where: "is_exception") > 0)
            }

            // One committed batch on the signal's checkpoint, all rows counted, none rejected.
            let checkpoint = try server.store.rows(
                "SELECT position, rows_total, rejected_total FROM ingest_checkpoints WHERE source = 'otlp/\(entry.signal)'")
            #expect(checkpoint.count == 1)
            #expect(checkpoint.first?["position"]?.int64 == 1)
            #expect(checkpoint.first?["rows_total"]?.int64 == Int64(entry.count))
            #expect(checkpoint.first?["rejected_total"]?.int64 == 0)

            // Logfire's records view: spans and logs, log-type records without a duration.
            #expect(try server.store.count("records") == counts.spans + counts.logs)
            #expect(try server.store.count("records", where: "kind = 'log' AND duration IS NOT NULL") == 0)
            #expect(try server.store.count("records", where: "kind = 'span' AND duration IS NULL") == 0)
        }
    }

    /// 05…10 are one logfire run exported in batches while it ran: pending spans announce
    /// open spans and must give way to the real span once it arrives.
    @Test("a logfire run split across batches ends with no pending span left")
    func logfireNativeRun() async throws {
        try await InProcessServer.with { server in
            var realSeen = Set<String>()
            var pendingSeen: [ExpectedTelemetry.Span] = []
            for file in Fixtures.logfireNativeRun {
                let entry = try Fixtures.entry(file)
                let response = try await server.post(entry)
                #expect(response.status == 200, "\(file): \(response)")
                let expected = try entry.expected()
                realSeen.formUnion(expected.realSpans.map(\.key))
                pendingSeen += expected.pendingSpans

                // After every batch: no pending span whose real span is stored, none in spans.
                #expect(try server.store.integer("""
                    SELECT count(*) FROM pending_spans p JOIN spans s
                    ON s.trace_id = p.trace_id AND s.span_id = p.parent_span_id
                    """) == 0, "after \(file)")
                #expect(try server.store.count("spans", where: "span_type = 'pending_span'") == 0, "after \(file)")
                let open = Set(pendingSeen.filter { !realSeen.contains($0.traceID + "/" + ($0.parentSpanID ?? "")) }.map(\.key))
                let storedPending = Set(try server.store.rows("SELECT trace_id || '/' || span_id AS k FROM pending_spans")
                    .compactMap { $0["k"]?.string })
                #expect(storedPending == open, "after \(file): pending spans")
                #expect(try server.store.count("spans") == realSeen.count, "after \(file)")
            }

            // The finished run: 19 spans (as the same program exported via plain OTLP in 01),
            // all with the run id, no pending span left.
            #expect(try server.store.count("pending_spans") == 0)
            #expect(try server.store.count("spans") == 19)
            #expect(try server.store.count("spans", where: "run_id = 'run-66ddfe37ea40'") == 19)
            let otlpRun = try Fixtures.entry("01-logfire-otlp-traces.pb")
            let byType = try server.store.rows("SELECT span_type, count(*) AS n FROM spans GROUP BY span_type ORDER BY 1")
            #expect(byType.map { "\($0["span_type"]?.string ?? ""):\($0["n"]?.int64 ?? 0)" }
                    == otlpRun.spanTypes?.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" })
            // The root span closes the run: no parent, name template, message formatted.
            let root = try server.store.rows("SELECT name, message, parent_span_id FROM spans WHERE parent_span_id IS NULL")
            #expect(root.count == 1)
            #expect(root.first?["name"]?.string == "run {agent}")
            #expect(root.first?["message"]?.string == "run dome-planner")
            // Logs and metrics of the same run.
            #expect(try server.store.count("logs") == 1)
            #expect(try server.store.count("logs", where: "run_id = 'run-66ddfe37ea40'") == 1)
            #expect(try server.store.count("metric_points") == 9)
        }
    }

    /// All captures into one store: what two files share (13/20 are one capture in two
    /// encodings, and so on) is stored once; everything else adds up.
    @Test("all fixtures into one store add up to their distinct items")
    func allFixturesIntoOneStore() async throws {
        try await InProcessServer.with { server in
            var spanKeys = Set<String>()
            var pending: [ExpectedTelemetry.Span] = []
            var logKeys = Set<String>()
            var pointKeys = Set<String>()
            var extraSpans = 0
            for entry in Fixtures.manifest {
                let response = try await server.post(entry)
                #expect(response.status == 200, "\(entry.file): \(response)")
                guard entry.hasDecodedFile else { extraSpans += entry.count; continue }
                let expected = try entry.expected()
                spanKeys.formUnion(expected.realSpans.map(\.key))
                pending += expected.pendingSpans
                logKeys.formUnion(expected.logs.map(\.contentKey))
                pointKeys.formUnion(expected.points.map(\.contentKey))
            }
            let open = Set(pending.filter { !spanKeys.contains($0.traceID + "/" + ($0.parentSpanID ?? "")) }.map(\.key))
            let counts = try server.store.tableCounts()
            #expect(counts == TableCounts(spans: spanKeys.count + extraSpans, pendingSpans: open.count,
                                          logs: logKeys.count, points: pointKeys.count))
            #expect(try server.store.count("spans", where: "run_id IS NULL") == 0,
                    "every fixture span belongs to a run (own run.id or its trace's)")
            let checkpoints = try server.store.rows("SELECT source, position FROM ingest_checkpoints ORDER BY source")
            let perSignal = Dictionary(grouping: Fixtures.manifest, by: \.signal).mapValues(\.count)
            #expect(checkpoints.map { "\($0["source"]?.string ?? ""):\($0["position"]?.int64 ?? 0)" }
                    == perSignal.sorted { $0.key < $1.key }.map { "otlp/\($0.key):\($0.value)" })
        }
    }

    /// 200 with an Export*ServiceResponse in the request's encoding and no partial success.
    static func expectFullSuccess(_ response: HTTP.Response, entry: Fixtures.Entry) throws {
        if entry.encoding == "json" {
            #expect(response.contentType == "application/json", "\(entry.file)")
            let body = try JSONValue(bytes: response.body)
            #expect(body["partialSuccess"] == nil || body["partialSuccess"] == .object([:]), "\(entry.file): \(body)")
            return
        }
        #expect(response.contentType == "application/x-protobuf", "\(entry.file)")
        switch entry.signal {
        case "traces":
            let decoded = try OTLPTraceResponse(serializedBytes: response.body)
            #expect(decoded.partialSuccess.rejectedSpans == 0 && decoded.partialSuccess.errorMessage.isEmpty)
        case "logs":
            let decoded = try OTLPLogsResponse(serializedBytes: response.body)
            #expect(decoded.partialSuccess.rejectedLogRecords == 0 && decoded.partialSuccess.errorMessage.isEmpty)
        default:
            let decoded = try OTLPMetricsResponse(serializedBytes: response.body)
            #expect(decoded.partialSuccess.rejectedDataPoints == 0 && decoded.partialSuccess.errorMessage.isEmpty)
        }
    }
}
