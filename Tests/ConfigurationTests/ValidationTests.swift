import Foundation
import Testing
@testable import memoryd

/// Every bad input is a `ConfigurationError` that names where it came from.
@Suite struct ValidationTests {
    @Test(arguments: [
        ("colour = \"blue\"", "colour"),
        ("[server]\nport = 1", "server.port"),
        ("[log]\nlevel = \"info\"\nformat = \"json\"", "log.format"),
        ("[ingest]\nqueue_row = 5", "ingest.queue_row"),
    ])
    func unknownKeyIsNamed(_ toml: String, _ key: String) {
        let error = configurationError { try load(toml: toml) }
        #expect(error?.description.contains("unknown key \(key)") == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ("[metrics]\nenabled = 1", "[metrics]"),
        ("[nope]", "[nope]"),
        ("[server.tls]\ncert = \"x\"", "[server.tls]"),
    ])
    func unknownSectionIsNamed(_ toml: String, _ section: String) {
        let error = configurationError { try load(toml: toml) }
        #expect(error?.description.contains("unknown section \(section)") == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ("[server]\notlp_port = 70000", "server.otlp_port", "70000"),
        ("[server]\napi_port = -1", "server.api_port", "-1"),
        ("[server]\nmax_body_bytes = 0", "server.max_body_bytes", "0"),
        ("[ingest]\nqueue_rows = -5", "ingest.queue_rows", "-5"),
        ("[ingest]\ncommit_rows = 0", "ingest.commit_rows", "0"),
        ("[duckdb]\nthreads = -1", "duckdb.threads", "-1"),
        ("[duckdb]\nmemory_limit = \"lots\"", "duckdb.memory_limit", "lots"),
        ("[log]\nlevel = \"loud\"", "log.level", "trace"),
        ("db = \"\"", "db", "non-empty"),
        ("[server]\nbind = \"\"", "server.bind", "non-empty"),
    ])
    func badFileValueNamesTheKey(_ toml: String, _ key: String, _ detail: String) {
        let error = configurationError { try load(toml: toml) }
        #expect(error?.description.contains(key) == true, "\(String(describing: error))")
        #expect(error?.description.contains(detail) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ("[server]\notlp_port = true", "server.otlp_port"),
        ("[server]\notlp_port = 4318.5", "server.otlp_port"),
        ("[server]\nbind = [\"a\", \"b\"]", "server.bind"),
        ("db = 5", "db"),
        ("[log]\nlevel = 3", "log.level"),
        ("[duckdb]\nthreads = \"many\"", "duckdb.threads"),
        ("[ingest]\nqueue_rows = 1979-05-27", "ingest.queue_rows"),
        ("server = 5", "server"),
    ])
    func wrongTOMLTypeNamesTheKey(_ toml: String, _ key: String) {
        let error = configurationError { try load(toml: toml) }
        #expect(error?.description.contains(key) == true, "\(String(describing: error))")
    }

    @Test func quotedNumberForAnIntegerKeyIsAWrongType() {
        // TOML is typed: `otlp_port = "4318"` is a string, not a port.
        let error = configurationError { try load(toml: "[server]\notlp_port = \"4318\"") }
        #expect(error?.description.contains("server.otlp_port") == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ("MEMORYD_OTLP_PORT", "70000"),
        ("MEMORYD_API_PORT", "-1"),
        ("MEMORYD_API_PORT", "eighty"),
        ("MEMORYD_MAX_BODY_BYTES", "12MB"),
        ("MEMORYD_INGEST_QUEUE_ROWS", "0"),
        ("MEMORYD_INGEST_COMMIT_ROWS", "1.5"),
        ("MEMORYD_DUCKDB_THREADS", "-2"),
        ("MEMORYD_LOG_LEVEL", "verbose"),
        ("MEMORYD_DB", ""),
        ("MEMORYD_BIND", ""),
    ])
    func badEnvironmentValueNamesTheVariable(_ variable: String, _ value: String) {
        let error = configurationError { try load(toml: "", environment: [variable: value]) }
        #expect(error?.description.contains(variable) == true, "\(String(describing: error))")
    }

    @Test func nonIntegerEnvironmentValueIsQuoted() {
        let error = configurationError { try load(toml: "", environment: ["MEMORYD_OTLP_PORT": "abc"]) }
        #expect(error?.description.contains("\"abc\"") == true, "\(String(describing: error))")
    }

    @Test func badEnvironmentValueFailsEvenWhenTheFileIsFine() {
        let error = configurationError { try load(toml: "[server]\notlp_port = 4318", environment: ["MEMORYD_OTLP_PORT": "99999"]) }
        #expect(error?.description.contains("MEMORYD_OTLP_PORT") == true)
    }

    @Test func syntaxErrorNamesTheFileAndLine() throws {
        let path = try tomlFile("""
            db = "x"

            [server
            bind = "0.0.0.0"
            """)
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let error = configurationError { try MemorydConfiguration.load(file: path, environment: [:]) }
        #expect(error?.description.contains(path) == true, "\(String(describing: error))")
        #expect(error?.description.contains("line 3") == true, "\(String(describing: error))")
    }

    @Test func syntaxErrorOnALaterLineNamesThatLine() {
        let error = configurationError { try load(toml: "db = \"x\"\n[server]\nbind = \"a\"\notlp_port = = 1\n") }
        #expect(error?.description.contains("line 4") == true, "\(String(describing: error))")
    }

    @Test func duplicateKeyIsAnError() {
        let error = configurationError { try load(toml: "db = \"a\"\ndb = \"b\"") }
        #expect(error != nil)
        #expect(error?.description.contains("line 2") == true, "\(String(describing: error))")
    }
}
