import MemoryIngest
import MemoryService
import MemoryStore
import Prometheus

/// What `GET /metrics` exposes in Prometheus text format: memory tool calls (counted and
/// timed as they finish), and the ingest queue and store sizes (read when scraped).
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let queuedBatches: Gauge
    private let queuedRows: Gauge
    private let committedBatches: Gauge
    private let lag: Gauge
    private let databaseBytes: Gauge

    init() {
        queuedBatches = registry.makeGauge(name: "memoryd_ingest_queued_batches", help: "OTLP batches waiting for the writer.")
        queuedRows = registry.makeGauge(name: "memoryd_ingest_queued_rows", help: "Rows waiting for the writer.")
        committedBatches = registry.makeGauge(name: "memoryd_ingest_committed_batches", help: "Batches committed since start.")
        lag = registry.makeGauge(name: "memoryd_ingest_lag_seconds", help: "Age of the oldest queued batch.")
        databaseBytes = registry.makeGauge(name: "memoryd_db_bytes", help: "Size of the DuckDB file and its WAL.")
    }

    /// The service's call observer: one counter per tool and outcome, one latency histogram per tool.
    var observer: MemoryService.CallObserver {
        { [registry] tool, caller, outcome, duration in
            registry.makeCounter(name: "memoryd_tool_calls_total",
                                 labels: [("tool", tool), ("surface", caller.surface.rawValue), ("outcome", outcome)],
                                 help: "Memory tool calls by tool, surface and outcome.").increment()
            registry.makeDurationHistogram(
                name: "memoryd_tool_call_seconds", labels: [("tool", tool)],
                buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100),
                          .milliseconds(500), .seconds(1), .seconds(5), .seconds(30)],
                help: "Memory tool call latency.").record(duration)
        }
    }

    /// Reads the live values and renders the exposition.
    func render(pipeline: IngestPipeline, store: Store) -> String {
        let status = pipeline.status
        queuedBatches.set(Double(status.queuedBatches))
        queuedRows.set(Double(status.queuedRows))
        committedBatches.set(Double(status.committedBatches))
        lag.set(status.oldestQueuedAge)
        if let health = try? StoreHealth(store: store) {
            databaseBytes.set(Double(health.fileBytes))
            for (table, rows) in health.rowCounts {
                registry.makeGauge(name: "memoryd_table_rows", labels: [("table", table)], help: "Rows per table.").set(Double(rows))
            }
        }
        recordAlerts(store: store)
        return registry.emitToString()
    }
}
