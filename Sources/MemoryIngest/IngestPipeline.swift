import Foundation
import Logging
import MemoryStore
import ServiceLifecycle
import Synchronization

/// The single writer: batches from every source queue here and are committed together
/// (group commit: one transaction for all batches waiting), and each submitter resumes only
/// after its rows are durable. DuckDB calls block, so the writer runs on its own thread
/// rather than on the cooperative pool.
public final class IngestPipeline: Service, Sendable {
    public struct Configuration: Sendable {
        /// Rows waiting for commit beyond which new batches are refused (HTTP 429).
        /// `MEMORYD_INGEST_QUEUE_ROWS`, default 200,000.
        public var maxQueuedRows: Int
        /// Upper bound of rows per transaction. Default 100,000.
        public var maxRowsPerCommit: Int

        public init(maxQueuedRows: Int = 200_000, maxRowsPerCommit: Int = 100_000) {
            self.maxQueuedRows = maxQueuedRows
            self.maxRowsPerCommit = maxRowsPerCommit
        }
    }

    /// A point-in-time view for health and metrics.
    public struct Status: Sendable {
        public var queuedBatches: Int
        public var queuedRows: Int
        public var committedBatches: Int
        /// Rows in the batches committed since start (offered rows, retries included).
        public var committedRows: Int
        public var oldestQueuedAge: Double
    }

    private struct Pending {
        var batch: TelemetryBatch
        var source: String
        var enqueuedAt: ContinuousClock.Instant
        var continuation: CheckedContinuation<TelemetryWriter.CommitResult, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var queuedRows = 0
        var committedBatches = 0
        var committedRows = 0
        var shuttingDown = false
        var writerExited = false
    }

    private let state = Mutex(State())
    private let wakeUp = NSCondition()
    private let store: Store
    private let configuration: Configuration
    private let logger: Logger

    public init(store: Store, configuration: Configuration = .init(), logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Queues `batch` and returns once it is committed. Throws `IngestError` when the queue
    /// is full, memoryd is stopping, or the commit failed.
    public func submit(_ batch: TelemetryBatch, source: String) async throws -> TelemetryWriter.CommitResult {
        try await withCheckedThrowingContinuation { continuation in
            let refusal: IngestError? = state.withLock { state in
                if state.shuttingDown { return .shuttingDown }
                if !state.queue.isEmpty, state.queuedRows + batch.rowCount > configuration.maxQueuedRows {
                    return .queueFull
                }
                state.queue.append(Pending(batch: batch, source: source, enqueuedAt: .now, continuation: continuation))
                state.queuedRows += batch.rowCount
                return nil
            }
            if let refusal {
                continuation.resume(throwing: refusal)
            } else {
                wakeUp.lock(); wakeUp.signal(); wakeUp.unlock()
            }
        }
    }

    public var status: Status {
        state.withLock {
            Status(queuedBatches: $0.queue.count, queuedRows: $0.queuedRows, committedBatches: $0.committedBatches,
                   committedRows: $0.committedRows, oldestQueuedAge: $0.queue.first.map { durationSeconds(ContinuousClock.now - $0.enqueuedAt) } ?? 0)
        }
    }

    public func run() async throws {
        let writer = WriterHandle(try TelemetryWriter(store: store))
        await withGracefulShutdownHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    writerLoop(writer.take())
                    done.resume()
                }
                thread.name = "memoryd-writer"
                thread.start()
            }
        } onGracefulShutdown: { [self] in
            // Stop taking batches; the writer drains what is queued, then exits.
            state.withLock { $0.shuttingDown = true }
            wakeUp.lock(); wakeUp.signal(); wakeUp.unlock()
        }
        logger.info("ingest writer stopped", metadata: ["committed_batches": "\(status.committedBatches)"])
    }

    private func writerLoop(_ writer: TelemetryWriter) {
        while true {
            let work: [Pending]? = nextGroup()
            guard let work else { return }
            commit(work, with: writer)
        }
    }

    /// Waits for queued batches; nil once shutting down with nothing left.
    private func nextGroup() -> [Pending]? {
        wakeUp.lock()
        defer { wakeUp.unlock() }
        while true {
            let taken: [Pending]? = state.withLock { state in
                if state.queue.isEmpty { return state.shuttingDown ? nil : [] }
                var rows = 0
                var count = 0
                for pending in state.queue {
                    if count > 0, rows + pending.batch.rowCount > configuration.maxRowsPerCommit { break }
                    rows += pending.batch.rowCount
                    count += 1
                }
                let group = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                state.queuedRows -= rows
                return group
            }
            guard let taken else { return nil }
            if !taken.isEmpty { return taken }
            wakeUp.wait()
        }
    }

    private func commit(_ group: [Pending], with writer: TelemetryWriter) {
        do {
            let result = try writer.commit(group.map(\.batch), progress: progress(of: group))
            let rows = group.reduce(0) { $0 + $1.batch.rowCount }
            state.withLock {
                $0.committedBatches += group.count
                $0.committedRows += rows
            }
            logger.debug("committed", metadata: [
                "batches": "\(group.count)", "rows": "\(rows)",
                "deduplicate": "\(result.timings.deduplicate)", "append": "\(result.timings.append)",
                "finish": "\(result.timings.finish)",
            ])
            if group.count == 1 {
                group[0].continuation.resume(returning: result)
            } else {
                // Stored counts are per transaction; each submitter learns what its batch offered.
                for pending in group {
                    pending.continuation.resume(returning: .init(
                        spans: pending.batch.spans.count, logs: pending.batch.logs.count, points: pending.batch.points.count))
                }
            }
        } catch {
            if group.count > 1 {
                // Isolate the batch that fails so the others still land.
                for pending in group { commit([pending], with: writer) }
                return
            }
            logger.error("commit failed", metadata: ["source": "\(group[0].source)", "error": "\(error)"])
            group[0].continuation.resume(throwing: IngestError.commitFailed(error))
        }
    }

    private func progress(of group: [Pending]) -> [String: TelemetryWriter.SourceProgress] {
        var progress: [String: TelemetryWriter.SourceProgress] = [:]
        for pending in group {
            progress[pending.source, default: .init()].batches += 1
            progress[pending.source, default: .init()].rows += pending.batch.rowCount
            progress[pending.source, default: .init()].rejected += pending.batch.rejected
        }
        return progress
    }
}

/// Hands the writer to its thread, which drops it (closing its connection) before it ends,
/// not when the thread's storage is torn down.
private final class WriterHandle: @unchecked Sendable {
    private var writer: TelemetryWriter?
    init(_ writer: TelemetryWriter) { self.writer = writer }
    func take() -> TelemetryWriter {
        defer { writer = nil }
        return writer!
    }
}

private func durationSeconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
