import Logging
import MemoryStore
import ServiceLifecycle

/// Applies retention inside `serve` every `interval`, in batches with a pause between them so
/// ingest's commits are never held up for long. Each pass that deleted anything is audited
/// (actor `local`, surface `daemon`), also one cut off by shutdown (outcome `cancelled`) or an
/// error (`failed`), with the rows it deleted until then. Stops between batches at shutdown.
public struct RetentionService: Service {
    let retention: Retention
    let interval: Duration
    let audit: AuditLog?
    let logger: Logger

    /// Sleep between batches of one pass.
    static let pause: Duration = .milliseconds(50)

    public init(retention: Retention, interval: Duration, audit: AuditLog?, logger: Logger) {
        self.retention = retention
        self.interval = interval
        self.audit = audit
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await pass()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }

    private func pass() async {
        let report: Retention.Report
        var interruption: (any Error)?
        do {
            report = try await cancelWhenGracefulShutdown {
                try await retention.apply(dryRun: false, pause: Self.pause)
            }
        } catch let interrupted as Retention.Interrupted {
            // What was deleted before shutdown or the failure stays deleted, so it is audited too.
            report = interrupted.report
            interruption = interrupted.cause
        } catch {
            logger.warning("retention pass failed; retrying at the next interval", metadata: ["error": "\(error)"])
            return
        }
        if let interruption, !(interruption is CancellationError) {
            logger.warning("retention pass failed; retrying at the next interval", metadata: ["error": "\(interruption)"])
        }
        guard report.totalRows > 0 else { return }
        var counts = Dictionary(report.tables.filter { $0.rows > 0 }.map { ($0.table, $0.rows) }, uniquingKeysWith: +)
        if report.expiredFacts > 0 { counts["expired_facts"] = report.expiredFacts }
        logger.info("retention applied", metadata: counts.mapValues { .stringConvertible($0) })
        do {
            try await audit?.append(AuditEntry(
                actor: "local", surface: "daemon", operation: "retention apply",
                argumentsDigest: AuditDigest.sha256Hex(RetentionReportText.policyText(retention.policy)),
                outcome: interruption == nil ? "ok" : interruption is CancellationError ? "cancelled" : "failed",
                rowCounts: counts))
        } catch {
            logger.error("retention pass could not be audited", metadata: ["error": "\(error)"])
        }
    }
}

/// Text forms of retention shared by the daemon's audit rows and the CLI.
public enum RetentionReportText {
    /// The policy in a stable text form (what the audit digest of a retention pass covers).
    public static func policyText(_ policy: RetentionPolicy) -> String {
        RetentionPolicy.Table.allCases.map { "\($0.rawValue)=\(RetentionPolicy.formatAge(policy.age(of: $0)))" }
            .joined(separator: " ") + " batch_rows=\(policy.batchRows) archive_dir=\(policy.archiveDirectory ?? "-")"
    }
}
