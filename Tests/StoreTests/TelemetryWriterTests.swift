import DuckDB
import Foundation
import MemoryStore
import OTLP
import Testing

@Suite struct TelemetryWriterTests {
    private func progress(_ source: String = "otlp", batches: Int = 1, rows: Int, rejected: Int = 0) -> [String: TelemetryWriter.SourceProgress] {
        var p = TelemetryWriter.SourceProgress()
        p.batches = batches
        p.rows = rows
        p.rejected = rejected
        return [source: p]
    }

    private func counts(_ result: TelemetryWriter.CommitResult) -> [Int] {
        [result.spans, result.logs, result.points]
    }

    private func mixedBatches() -> [TelemetryBatch] {
        var gauge = OTLPMetric()
        gauge.name = "queue.depth"
        var point = OTLPNumberDataPoint()
        point.timeUnixNano = 1_700_000_000_000_000_000
        point.asInt = 3
        gauge.gauge.dataPoints = [point]
        return [
            spanBatch([makeSpan(span: 1), makeSpan(span: 2, parent: 1)]),
            OTLPMaterializer.rows(from: logsRequest([makeLog(body: "one"), makeLog(body: "two")])),
            OTLPMaterializer.rows(from: metricsRequest([gauge])),
        ]
    }

    @Test func commitStoresSpansLogsAndPoints() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        let result = try writer.commit(mixedBatches(), progress: progress(rows: 5))
        #expect(counts(result) == [2, 2, 1])
        #expect(try store.count("spans") == 2)
        #expect(try store.count("logs") == 2)
        #expect(try store.count("metric_points") == 1)
        #expect(try store.count("records") == 4)
    }

    @Test func retryOfTheSameBatchesStoresNothingNew() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        let batches = mixedBatches()
        _ = try writer.commit(batches, progress: progress(rows: 5))
        let retry = try writer.commit(batches, progress: progress(rows: 5))
        #expect(counts(retry) == [0, 0, 0])
        #expect(try store.count("spans") == 2)
        #expect(try store.count("logs") == 2)
        #expect(try store.count("metric_points") == 1)
    }

    @Test func retryAfterRematerializingStoresNothingNew() throws {
        // A client retry arrives as a new request: the rows are built again from scratch.
        let store = try Store(path: ":memory:")
        _ = try TelemetryWriter(store: store).commit(mixedBatches(), progress: [:])
        let again = try TelemetryWriter(store: store).commit(mixedBatches(), progress: [:])
        #expect(counts(again) == [0, 0, 0])
        #expect(try store.count("records") == 4)
    }

    @Test func retryOfALogWithoutTimeStoresNothingNew() throws {
        // time_unix_nano 0 is allowed (observed time stands in); retries must still dedupe.
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        var record = makeLog(body: "no time")
        record.timeUnixNano = 0
        let batch = OTLPMaterializer.rows(from: logsRequest([record]))
        #expect(try writer.commit([batch], progress: [:]).logs == 1)
        #expect(try writer.commit([batch], progress: [:]).logs == 0)
        #expect(try store.count("logs") == 1)
    }

    @Test func duplicateWithinOneCommitIsStoredOnce() throws {
        // Group commit can hold a request and its retry together.
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        let batches = mixedBatches()
        let result = try writer.commit(batches + batches, progress: [:])
        #expect(counts(result) == [2, 2, 1])
        #expect(try store.count("spans") == 2)
        #expect(try store.count("logs") == 2)
        #expect(try store.count("metric_points") == 1)
    }

    @Test func spanColumnsAreStored() throws {
        let store = try Store(path: ":memory:")
        var span = makeSpan(trace: 9, span: 3, parent: 2, name: "handler", start: 1_709_210_096_789_012_345, duration: 2_000_000_000,
                            attributes: [kv("logfire.msg", "handled"), kv("logfire.tags", strings: ["a", "b"]), kv("dome.run.id", "run-1")])
        span.status.code = .error
        span.status.message = "boom"
        _ = try TelemetryWriter(store: store).commit([spanBatch([span])], progress: [:])
        let row = try #require(try store.rows("""
            SELECT trace_id, span_id, parent_span_id, name, message, level, status_code, status_message,
                   epoch_us(start_time), end_time_unix_nano, duration_ns, run_id, service_name, scope_name,
                   json_extract_string(attributes, '$."logfire.msg"')
            FROM spans
            """).first)
        #expect(row == [
            .text(hex(traceID(9))), .text(hex(spanID(3))), .text(hex(spanID(2))), .text("handler"), .text("handled"),
            .uint(17), .text("error"), .text("boom"),
            .int(1_709_210_096_789_012), .int(1_709_210_098_789_012_345), .int(2_000_000_000), .text("run-1"), .text("svc"), .text("tests"),
            .text("handled"),
        ])
        #expect(try store.rows("""
            SELECT span_name, json_extract_string(otel_resource_attributes, '$."service.name"') FROM records
            """) == [[.text("handler"), .text("svc")]])
        #expect(try store.rows("SELECT len(tags), tags[1], tags[2] FROM spans") == [[.int(2), .text("a"), .text("b")]])
    }

    // MARK: Checkpoints

    @Test func checkpointAdvancesWithEachCommit() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        _ = try writer.commit([spanBatch([makeSpan(span: 1)])], progress: progress(batches: 1, rows: 1, rejected: 2))
        #expect(try store.rows("SELECT source, position, rows_total, rejected_total FROM ingest_checkpoints")
                == [[.text("otlp"), .int(1), .int(1), .int(2)]])
        _ = try writer.commit([spanBatch([makeSpan(span: 2)]), spanBatch([makeSpan(span: 3)])],
                              progress: progress(batches: 2, rows: 2))
        #expect(try store.rows("SELECT source, position, rows_total, rejected_total FROM ingest_checkpoints")
                == [[.text("otlp"), .int(3), .int(3), .int(2)]])
    }

    @Test func eachSourceHasItsOwnCheckpoint() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        var both = progress("a", batches: 1, rows: 10)
        both.merge(progress("b", batches: 2, rows: 20, rejected: 1)) { $1 }
        _ = try writer.commit([], progress: both)
        #expect(try store.rows("SELECT source, position, rows_total, rejected_total FROM ingest_checkpoints ORDER BY source")
                == [[.text("a"), .int(1), .int(10), .int(0)], [.text("b"), .int(2), .int(20), .int(1)]])
    }

    @Test func failedCommitAdvancesNoCheckpointAndStoresNoRows() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        _ = try writer.commit([spanBatch([makeSpan(span: 1)])], progress: progress(rows: 1))
        // Break the last insert of the next commit: the spans and checkpoint before it must roll back.
        try store.connect().execute("DROP TABLE metric_points; CREATE TABLE metric_points (point_key VARCHAR)")
        #expect(throws: DuckDBError.self) {
            _ = try writer.commit(mixedBatches(), progress: progress(rows: 5))
        }
        #expect(try store.count("spans") == 1)
        #expect(try store.count("logs") == 0)
        #expect(try store.rows("SELECT position, rows_total FROM ingest_checkpoints") == [[.int(1), .int(1)]])
    }

    // MARK: Run ids

    private func runIDs(_ store: Store) throws -> [String: String?] {
        Dictionary(uniqueKeysWithValues: try store.rows("SELECT span_id, run_id FROM spans").map { ($0[0].string!, $0[1].string) })
    }

    @Test func laterSpanInheritsRunIDFromStoredSpanOfItsTrace() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        _ = try writer.commit([spanBatch([makeSpan(trace: 1, span: 1, attributes: [kv("dome.run.id", "run-A")])])], progress: [:])
        _ = try writer.commit([spanBatch([makeSpan(trace: 1, span: 2, parent: 1), makeSpan(trace: 2, span: 3)])], progress: [:])
        let ids = try runIDs(store)
        #expect(ids[hex(spanID(2))] == "run-A")
        #expect(ids[hex(spanID(3))] == .some(nil))
    }

    @Test func newWriterInheritsRunIDFromTheStore() throws {
        // After a restart the cache is empty: the run id comes from the stored spans.
        let store = try Store(path: ":memory:")
        _ = try TelemetryWriter(store: store).commit([spanBatch([makeSpan(trace: 1, span: 1, attributes: [kv("dome.run.id", "run-A")])])], progress: [:])
        _ = try TelemetryWriter(store: store).commit([spanBatch([makeSpan(trace: 1, span: 2, parent: 1)])], progress: [:])
        #expect(try runIDs(store)[hex(spanID(2))] == "run-A")
    }

    @Test func spansOfOneCommitShareTheirTracesRunID() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        _ = try writer.commit([
            spanBatch([makeSpan(trace: 1, span: 2, parent: 1)]),
            spanBatch([makeSpan(trace: 1, span: 1, attributes: [kv("dome.run.id", "run-A")])]),
        ], progress: [:])
        #expect(try runIDs(store) == [hex(spanID(1)): "run-A", hex(spanID(2)): "run-A"])
    }

    @Test func logsOfATraceInheritItsRunID() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        _ = try writer.commit([
            spanBatch([makeSpan(trace: 1, span: 1, attributes: [kv("dome.run.id", "run-A")])]),
            OTLPMaterializer.rows(from: logsRequest([makeLog(trace: 1, span: 1)])),
        ], progress: [:])
        #expect(try store.rows("SELECT run_id FROM logs") == [[.text("run-A")]])
    }

    @Test func storedOrphanSpansAdoptTheRunIDALaterBatchBrings() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        _ = try writer.commit([spanBatch([makeSpan(trace: 1, span: 2, parent: 1), makeSpan(trace: 1, span: 3, parent: 1)])], progress: [:])
        #expect(try store.count("spans", where: "run_id IS NULL") == 2)
        _ = try writer.commit([spanBatch([makeSpan(trace: 1, span: 1, attributes: [kv("dome.run.id", "run-A")])])], progress: [:])
        #expect(try runIDs(store) == [hex(spanID(1)): "run-A", hex(spanID(2)): "run-A", hex(spanID(3)): "run-A"])
        // Later orphans of the trace get it directly.
        _ = try writer.commit([spanBatch([makeSpan(trace: 1, span: 4, parent: 1)])], progress: [:])
        #expect(try runIDs(store)[hex(spanID(4))] == "run-A")
    }

    @Test func storedOrphanSpansAdoptTheRunIDAfterARestart() throws {
        // The orphans were stored by an earlier writer (memoryd restarted in between).
        let store = try Store(path: ":memory:")
        _ = try TelemetryWriter(store: store).commit([spanBatch([makeSpan(trace: 1, span: 2, parent: 1)])], progress: [:])
        _ = try TelemetryWriter(store: store).commit([spanBatch([makeSpan(trace: 1, span: 1, attributes: [kv("dome.run.id", "run-A")])])], progress: [:])
        #expect(try runIDs(store) == [hex(spanID(1)): "run-A", hex(spanID(2)): "run-A"])
    }

    @Test func explicitRunIDIsNotOverwritten() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        _ = try writer.commit([spanBatch([makeSpan(trace: 1, span: 1, attributes: [kv("dome.run.id", "run-A")])])], progress: [:])
        _ = try writer.commit([spanBatch([makeSpan(trace: 1, span: 2, attributes: [kv("dome.run.id", "run-B")])])], progress: [:])
        #expect(try runIDs(store) == [hex(spanID(1)): "run-A", hex(spanID(2)): "run-B"])
    }

    // MARK: Pending spans

    private func pending(_ span: UInt8, of parent: UInt8, trace: UInt8 = 1) -> OTLPSpan {
        makeSpan(trace: trace, span: span, parent: parent, name: "pending work",
                 attributes: [kv("logfire.span_type", "pending_span"), kv("logfire.pending_parent_id", hex(spanID(99)))])
    }

    @Test func pendingSpanWaitsInPendingSpansUntilTheRealSpanCommits() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        let first = try writer.commit([spanBatch([pending(50, of: 1)])], progress: [:])
        #expect(first.spans == 0)
        #expect(try store.count("spans") == 0)
        #expect(try store.rows("SELECT span_id, parent_span_id, span_type FROM pending_spans")
                == [[.text(hex(spanID(50))), .text(hex(spanID(1))), .text("pending_span")]])
        let second = try writer.commit([spanBatch([makeSpan(trace: 1, span: 1)])], progress: [:])
        #expect(second.spans == 1)
        #expect(try store.count("pending_spans") == 0)
        #expect(try store.count("spans") == 1)
    }

    @Test func pendingSpanOfAnotherTraceIsKept() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        _ = try writer.commit([spanBatch([pending(50, of: 1, trace: 2)])], progress: [:])
        _ = try writer.commit([spanBatch([makeSpan(trace: 1, span: 1)])], progress: [:])
        #expect(try store.count("pending_spans") == 1)
    }

    @Test func pendingAndRealSpanInOneCommitLeaveNoPendingRow() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        _ = try writer.commit([spanBatch([pending(50, of: 1)]), spanBatch([makeSpan(trace: 1, span: 1)])], progress: [:])
        #expect(try store.count("pending_spans") == 0)
        #expect(try store.count("spans") == 1)
    }

    @Test func pendingSpanAfterRealSpansIsStillSupersededByItsRealSpan() throws {
        // The writer's first commit finds pending_spans empty; a later pending span must
        // still be removed when its real span arrives.
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        _ = try writer.commit([spanBatch([makeSpan(trace: 1, span: 7)])], progress: [:])
        _ = try writer.commit([spanBatch([pending(50, of: 1)])], progress: [:])
        #expect(try store.count("pending_spans") == 1)
        _ = try writer.commit([spanBatch([makeSpan(trace: 1, span: 1)])], progress: [:])
        #expect(try store.count("pending_spans") == 0)
        #expect(try store.count("spans") == 2)
    }

    @Test func pendingSpanStoredBeforeARestartIsSupersededAfterIt() throws {
        let store = try Store(path: ":memory:")
        _ = try TelemetryWriter(store: store).commit([spanBatch([pending(50, of: 1)])], progress: [:])
        let restarted = try TelemetryWriter(store: store)
        _ = try restarted.commit([spanBatch([makeSpan(trace: 1, span: 7)])], progress: [:])
        #expect(try store.count("pending_spans") == 1)
        _ = try restarted.commit([spanBatch([makeSpan(trace: 1, span: 1)])], progress: [:])
        #expect(try store.count("pending_spans") == 0)
    }

    @Test func retriedPendingSpanIsStoredOnce() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        _ = try writer.commit([spanBatch([pending(50, of: 1)]), spanBatch([pending(50, of: 1)])], progress: [:])
        _ = try writer.commit([spanBatch([pending(50, of: 1)])], progress: [:])
        #expect(try store.count("pending_spans") == 1)
    }

    @Test func pendingSpanArrivingAfterItsRealSpanIsNotStored() throws {
        // A retried or late pending announcement must not reappear once the real span is stored.
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        _ = try writer.commit([spanBatch([makeSpan(trace: 1, span: 1)])], progress: [:])
        _ = try writer.commit([spanBatch([pending(50, of: 1)])], progress: [:])
        #expect(try store.count("pending_spans") == 0)
    }

    // MARK: Values outside the column types

    @Test func outOfRangeLevelDoesNotFailTheCommit() throws {
        // level is UTINYINT; one span's odd logfire.level_num must not lose the whole group commit.
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        let batch = spanBatch([makeSpan(span: 1, attributes: [kv("logfire.level_num", Int64(300))]),
                               makeSpan(span: 2, attributes: [kv("logfire.level_num", Int64(-1))])])
        let other = spanBatch([makeSpan(trace: 2, span: 3)])
        let result = try writer.commit([batch, other], progress: [:])
        #expect(result.spans == 3)
        #expect(try store.count("spans") == 3)
    }

    @Test func unknownSeverityNumberDoesNotFailTheCommit() throws {
        let store = try Store(path: ":memory:")
        let writer = try TelemetryWriter(store: store)
        let logs = OTLPMaterializer.rows(from: logsRequest([makeLog(severity: OTLPSeverityNumber(rawValue: 1000)!)]))
        let result = try writer.commit([logs, spanBatch([makeSpan()])], progress: [:])
        #expect(counts(result) == [1, 1, 0])
    }

    @Test func logWithoutTimeIsPlacedAtItsObservedTime() throws {
        let store = try Store(path: ":memory:")
        var record = makeLog()
        record.timeUnixNano = 0
        record.observedTimeUnixNano = 1_700_000_000_123_456_000
        _ = try TelemetryWriter(store: store).commit([OTLPMaterializer.rows(from: logsRequest([record]))], progress: [:])
        #expect(try store.rows("SELECT epoch_us(time), time_unix_nano, observed_time_unix_nano FROM logs")
                == [[.int(1_700_000_000_123_456), .int(0), .int(1_700_000_000_123_456_000)]])
    }
}
