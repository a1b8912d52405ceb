import Foundation
import Testing
@testable import memoryd

@Suite struct DefaultsTests {
    @Test func defaultsMatchTheREADME() {
        let c = MemorydConfiguration()
        #expect(c.databasePath == "./var/memory.duckdb")
        #expect(c.server.bind == "127.0.0.1")
        #expect(c.server.otlpPort == 4318)
        #expect(c.server.apiPort == 8787)
        #expect(c.server.maxBodyBytes == 20_971_520)
        #expect(c.ingestQueueRows == 200_000)
        #expect(c.ingestCommitRows == 100_000)
        #expect(c.duckdbThreads == 0)
        #expect(c.logLevel == "info")
        #expect(c.ingest.maxQueuedRows == 200_000)
        #expect(c.ingest.maxRowsPerCommit == 100_000)
    }

    @Test func emptyFileAndEnvironmentGiveDefaults() throws {
        #expect(try load(toml: "") == MemorydConfiguration())
        #expect(try load(toml: "# only a comment\n\n") == MemorydConfiguration())
    }

    @Test func unrelatedEnvironmentIsIgnored() throws {
        #expect(try load(toml: "", environment: ["MEMORYD_UNKNOWN": "x", "PATH": "/bin", "DB": "nope"]) == MemorydConfiguration())
    }

    @Test func everyKeyIsDocumentedOnce() {
        let paths = MemorydConfiguration.keys.map(\.path)
        let envs = MemorydConfiguration.keys.map(\.env)
        #expect(Set(paths).count == paths.count)
        #expect(Set(envs).count == envs.count)
        #expect(Set(paths) == ["db", "server.bind", "server.otlp_port", "server.api_port", "server.max_body_bytes",
                               "server.allowed_origins", "ingest.queue_rows", "ingest.commit_rows", "duckdb.threads",
                               "duckdb.memory_limit", "duckdb.extension_dir", "memory.readers", "log.level", "redaction.enabled",
                               "retention.spans", "retention.logs", "retention.metric_points", "retention.events",
                               "retention.ingest_rejects", "retention.redactions", "retention.alerts", "retention.alert_outbox",
                               "retention.audit_log", "retention.interval",
                               "retention.batch_rows", "retention.archive_dir"])
        #expect(envs.allSatisfy { $0.hasPrefix("MEMORYD_") })
    }

    @Test func missingFileIsAnError() {
        let path = "/nonexistent-\(UUID().uuidString)/memoryd.toml"
        let error = configurationError { try MemorydConfiguration.load(file: path, environment: [:]) }
        #expect(error?.description.contains(path) == true)
    }
}
