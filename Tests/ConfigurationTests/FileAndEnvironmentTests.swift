import Testing
@testable import memoryd

@Suite struct FileAndEnvironmentTests {
    private static let everyKey = """
        db = "/data/memory.duckdb"

        [server]
        bind = "0.0.0.0"
        otlp_port = 14318
        api_port = 0
        max_body_bytes = 1048576

        [ingest]
        queue_rows = 5000
        commit_rows = 1000

        [duckdb]
        threads = 3

        [log]
        level = "debug"
        """

    @Test func fileSetsEveryKey() throws {
        let c = try load(toml: Self.everyKey)
        #expect(c.databasePath == "/data/memory.duckdb")
        #expect(c.server.bind == "0.0.0.0")
        #expect(c.server.otlpPort == 14318)
        #expect(c.server.apiPort == 0)
        #expect(c.server.maxBodyBytes == 1_048_576)
        #expect(c.ingestQueueRows == 5000)
        #expect(c.ingestCommitRows == 1000)
        #expect(c.duckdbThreads == 3)
        #expect(c.logLevel == "debug")
    }

    @Test func dottedKeysAndInlineTablesWork() throws {
        let c = try load(toml: """
            server.otlp_port = 1111
            log = { level = "warning" }
            """)
        #expect(c.server.otlpPort == 1111)
        #expect(c.logLevel == "warning")
        #expect(c.server.apiPort == 8787)
    }

    @Test func environmentSetsEveryKey() throws {
        let c = try load(toml: "", environment: [
            "MEMORYD_DB": "/env/db.duckdb",
            "MEMORYD_BIND": "::1",
            "MEMORYD_OTLP_PORT": "4000",
            "MEMORYD_API_PORT": "4001",
            "MEMORYD_MAX_BODY_BYTES": "2048",
            "MEMORYD_INGEST_QUEUE_ROWS": "300",
            "MEMORYD_INGEST_COMMIT_ROWS": "30",
            "MEMORYD_DUCKDB_THREADS": "0",
            "MEMORYD_LOG_LEVEL": "error",
        ])
        #expect(c.databasePath == "/env/db.duckdb")
        #expect(c.server.bind == "::1")
        #expect(c.server.otlpPort == 4000)
        #expect(c.server.apiPort == 4001)
        #expect(c.server.maxBodyBytes == 2048)
        #expect(c.ingestQueueRows == 300)
        #expect(c.ingestCommitRows == 30)
        #expect(c.duckdbThreads == 0)
        #expect(c.logLevel == "error")
    }

    @Test func environmentOverridesFileKeyByKey() throws {
        let c = try load(toml: Self.everyKey, environment: ["MEMORYD_OTLP_PORT": "2000", "MEMORYD_LOG_LEVEL": "trace", "MEMORYD_DB": "/env.duckdb"])
        #expect(c.server.otlpPort == 2000)
        #expect(c.logLevel == "trace")
        #expect(c.databasePath == "/env.duckdb")
        // Keys the environment does not set keep the file's values.
        #expect(c.server.bind == "0.0.0.0")
        #expect(c.server.apiPort == 0)
        #expect(c.duckdbThreads == 3)
    }

    @Test func environmentIntegersMayCarrySpaces() throws {
        #expect(try load(toml: "", environment: ["MEMORYD_API_PORT": " 9000 "]).server.apiPort == 9000)
    }

    @Test func logLevelIsCaseInsensitive() throws {
        #expect(try load(toml: "", environment: ["MEMORYD_LOG_LEVEL": "WARNING"]).logLevel == "warning")
        #expect(try load(toml: "[log]\nlevel = \"Notice\"").logLevel == "notice")
        #expect(try load(toml: "[log]\nlevel = \"critical\"").logLevel == "critical")
    }

    @Test func portBoundsAreInclusive() throws {
        let c = try load(toml: "[server]\notlp_port = 0\napi_port = 65535")
        #expect(c.server.otlpPort == 0)
        #expect(c.server.apiPort == 65535)
    }
}
