import Foundation
import MemoryIngest
import MemoryOps
import MemoryServer
import MemoryService
import MemoryStore
import TOMLKit

/// Everything `memoryd.toml` can set. Precedence: file < `MEMORYD_*` environment < flags.
/// Every key is listed in `Self.keys` with its env var and default (the README's table).
struct MemorydConfiguration: Sendable, Equatable {
    /// `db`, `MEMORYD_DB`, `--db`; default `./var/memory.duckdb`.
    var databasePath = "./var/memory.duckdb"
    /// `[server]` keys, see `ServerConfiguration`.
    var server = ServerConfiguration()
    /// `[ingest] queue_rows`, `MEMORYD_INGEST_QUEUE_ROWS`; default 200000.
    var ingestQueueRows = 200_000
    /// `[ingest] commit_rows`, `MEMORYD_INGEST_COMMIT_ROWS`; default 100000.
    var ingestCommitRows = 100_000
    /// `[duckdb] threads`, `MEMORYD_DUCKDB_THREADS`; default 0 (DuckDB's own: one per core).
    var duckdbThreads = 0
    /// `[duckdb] memory_limit`, `MEMORYD_DUCKDB_MEMORY_LIMIT`: DuckDB's memory cap (`4GB`,
    /// `512MiB`), which also bounds what one query can take; default DuckDB's, 80 % of RAM.
    var duckdbMemoryLimit: String?
    /// `[duckdb] extension_dir`, `MEMORYD_DUCKDB_EXTENSION_DIR`: where `fts.duckdb_extension` is;
    /// default: the `extensions` folder beside the DuckDB engine (as the bootstrap installs it).
    var duckdbExtensionDir: String?
    /// `[memory] readers`, `MEMORYD_MEMORY_READERS`: memory API queries that run at once; default 4.
    var memoryReaders = 4
    /// `[log] level`, `MEMORYD_LOG_LEVEL`: trace, debug, info, notice, warning, error; default info.
    var logLevel = "info"
    /// `[redaction] enabled`, `MEMORYD_REDACTION_ENABLED`: scrub secrets before storing; default true.
    var redactionEnabled = true
    /// `[redaction]` patterns and lists, `[retention]`, `[[auth.tokens]]`: see `PolicyConfiguration`.
    var policy = PolicyConfiguration()
    /// `[alerts]` and `[[alerts.rules]]` (file only), see `MemorydConfiguration+Alerts`; default: no rules.
    var alerts = AlertsConfiguration()
    /// `[gate] max_ingest_lag` (file only): `ops_gate` holds runs while ingest is further behind; default 60 s.
    var gateMaxIngestLag: Double = 60
    /// `[gate] audit_check_interval` (file only): how long one audit chain verification answers; default 5 s.
    var gateAuditCheckInterval: Double = 5

    var ingest: IngestPipeline.Configuration {
        .init(maxQueuedRows: ingestQueueRows, maxRowsPerCommit: ingestCommitRows)
    }

    var memory: MemoryService.Configuration {
        var memory = MemoryService.Configuration()
        memory.readers = memoryReaders
        memory.extensionDirectory = duckdbExtensionDir
        memory.gateMaxIngestLag = .milliseconds(Int64(gateMaxIngestLag * 1000))
        memory.auditCheckInterval = .milliseconds(Int64(gateAuditCheckInterval * 1000))
        return memory
    }

    /// One settable key: where it lives in TOML, its environment variable, and how to apply it.
    struct Key: Sendable {
        let path: String
        let env: String
        let kind: Kind
        let apply: @Sendable (inout MemorydConfiguration, Value) -> Void

        enum Kind: String, Sendable {
            case string, port, positiveInt, nonNegativeInt, logLevel, bool, byteSize, age

            /// Written as a TOML string.
            var isText: Bool { self == .string || self == .logLevel || self == .byteSize || self == .age }
        }
        enum Value { case string(String), int(Int), bool(Bool) }
    }

    static let keys: [Key] = [
        Key(path: "db", env: "MEMORYD_DB", kind: .string) { c, v in if case .string(let s) = v { c.databasePath = s } },
        Key(path: "server.bind", env: "MEMORYD_BIND", kind: .string) { c, v in if case .string(let s) = v { c.server.bind = s } },
        Key(path: "server.otlp_port", env: "MEMORYD_OTLP_PORT", kind: .port) { c, v in if case .int(let i) = v { c.server.otlpPort = i } },
        Key(path: "server.api_port", env: "MEMORYD_API_PORT", kind: .port) { c, v in if case .int(let i) = v { c.server.apiPort = i } },
        Key(path: "server.allowed_origins", env: "MEMORYD_ALLOWED_ORIGINS", kind: .string) { c, v in
            if case .string(let s) = v { c.server.allowedOrigins = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        },
        Key(path: "server.max_body_bytes", env: "MEMORYD_MAX_BODY_BYTES", kind: .positiveInt) { c, v in if case .int(let i) = v { c.server.maxBodyBytes = i } },
        Key(path: "ingest.queue_rows", env: "MEMORYD_INGEST_QUEUE_ROWS", kind: .positiveInt) { c, v in if case .int(let i) = v { c.ingestQueueRows = i } },
        Key(path: "ingest.commit_rows", env: "MEMORYD_INGEST_COMMIT_ROWS", kind: .positiveInt) { c, v in if case .int(let i) = v { c.ingestCommitRows = i } },
        Key(path: "duckdb.threads", env: "MEMORYD_DUCKDB_THREADS", kind: .nonNegativeInt) { c, v in if case .int(let i) = v { c.duckdbThreads = i } },
        Key(path: "duckdb.memory_limit", env: "MEMORYD_DUCKDB_MEMORY_LIMIT", kind: .byteSize) { c, v in
            if case .string(let s) = v { c.duckdbMemoryLimit = s }
        },
        Key(path: "duckdb.extension_dir", env: "MEMORYD_DUCKDB_EXTENSION_DIR", kind: .string) { c, v in
            if case .string(let s) = v { c.duckdbExtensionDir = s }
        },
        Key(path: "memory.readers", env: "MEMORYD_MEMORY_READERS", kind: .positiveInt) { c, v in if case .int(let i) = v { c.memoryReaders = i } },
        Key(path: "log.level", env: "MEMORYD_LOG_LEVEL", kind: .logLevel) { c, v in if case .string(let s) = v { c.logLevel = s } },
        Key(path: "redaction.enabled", env: "MEMORYD_REDACTION_ENABLED", kind: .bool) { c, v in if case .bool(let b) = v { c.redactionEnabled = b } },
    ] + policyKeys

    /// Loads the file (when given or when `./memoryd.toml` exists), then the environment.
    static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Self {
        var configuration = Self()
        let path = file ?? (FileManager.default.fileExists(atPath: "memoryd.toml") ? "memoryd.toml" : nil)
        if let path {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError("cannot read config file \(path)")
            }
            try configuration.apply(toml: text, file: path, environment: environment)
        }
        for key in keys {
            if let raw = environment[key.env] {
                key.apply(&configuration, try validate(key, .string(raw), source: key.env))
            }
        }
        return configuration
    }

    mutating func apply(toml text: String, file: String,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError("\(file): \(error.description) at line \(error.source.begin.line)")
        }
        try applyOps(table: table, file: file, environment: environment)
        try apply(table: table, prefix: "", file: file)
    }

    private mutating func apply(table: TOMLTable, prefix: String, file: String) throws {
        for name in table.keys.sorted() where !(prefix.isEmpty && Self.opsSections.contains(name)) {
            let path = prefix.isEmpty ? name : "\(prefix).\(name)"
            guard let value = table[name] else { continue }
            // Lists and arrays of tables (patterns, tokens) are parsed in +Policy.
            if try applyPolicy(path: path, value: value, file: file) { continue }
            if let nested = value.table {
                guard Self.keys.contains(where: { $0.path.hasPrefix(path + ".") }) else {
                    throw ConfigurationError("\(file): unknown section [\(path)]")
                }
                try apply(table: nested, prefix: path, file: file)
                continue
            }
            guard let key = Self.keys.first(where: { $0.path == path }) else {
                throw ConfigurationError("\(file): unknown key \(path)")
            }
            let raw: Key.Value
            if let b = value.bool, key.kind == .bool {
                raw = .bool(b)
            } else if let i = value.int {
                raw = .int(i)
            } else if let s = value.string, key.kind.isText {
                raw = .string(s)
            } else {
                throw ConfigurationError("\(file): \(path) must be \(key.kind.isText ? "a string" : "an integer")")
            }
            key.apply(&self, try Self.validate(key, raw, source: "\(file): \(path)"))
        }
    }

    private static func validate(_ key: Key, _ value: Key.Value, source: String) throws -> Key.Value {
        func integer() throws -> Int {
            switch value {
            case .int(let i): return i
            case .bool:
                throw ConfigurationError("\(source): expected an integer, got a boolean")
            case .string(let s):
                guard let i = Int(s.trimmingCharacters(in: .whitespaces)) else {
                    throw ConfigurationError("\(source): expected an integer, got \"\(s)\"")
                }
                return i
            }
        }
        switch key.kind {
        case .string:
            guard case .string(let s) = value, !s.isEmpty else {
                throw ConfigurationError("\(source): expected a non-empty string")
            }
            return value
        case .port:
            let port = try integer()
            guard (0...65535).contains(port) else { throw ConfigurationError("\(source): port \(port) is not in 0...65535") }
            return .int(port)
        case .positiveInt:
            let n = try integer()
            guard n > 0 else { throw ConfigurationError("\(source): must be greater than 0, got \(n)") }
            return .int(n)
        case .nonNegativeInt:
            let n = try integer()
            guard n >= 0 else { throw ConfigurationError("\(source): must be 0 or more, got \(n)") }
            return .int(n)
        case .bool:
            switch value {
            case .bool: return value
            case .string(let s) where ["true", "1", "yes", "on"].contains(s.lowercased()): return .bool(true)
            case .string(let s) where ["false", "0", "no", "off"].contains(s.lowercased()): return .bool(false)
            default: throw ConfigurationError("\(source): expected true or false")
            }
        case .byteSize:
            // DuckDB's own size syntax, checked here so a typo is a configuration error (exit 2).
            guard case .string(let s) = value else {
                throw ConfigurationError("\(source): expected a size such as 4GB or 512MiB")
            }
            guard s.wholeMatch(of: /\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*/.ignoresCase()) != nil else {
                throw ConfigurationError("\(source): expected a size such as 4GB or 512MiB, got \(s)")
            }
            return .string(s)
        case .age:
            guard case .string(let s) = value, RetentionPolicy.parseAge(s) != nil else {
                throw ConfigurationError("\(source): expected an age such as 30d, 12h, 15m or forever")
            }
            return value
        case .logLevel:
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard case .string(let s) = value, levels.contains(s.lowercased()) else {
                throw ConfigurationError("\(source): log level must be one of \(levels.joined(separator: ", "))")
            }
            return .string(s.lowercased())
        }
    }
}

/// A bad configuration file, variable or flag (exit code 2).
struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
