import ArgumentParser
import DuckDB
import Foundation
import Logging
import MemoryOps
import MemoryServer
import MemoryStore
import Redaction
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: OTLP/HTTP receiver and API on an embedded DuckDB file.")

    @OptionGroup var options: StoreOptions

    @Option(help: "Address to bind (default 127.0.0.1).")
    var bind: String?

    @Option(name: .customLong("otlp-port"), help: "OTLP/HTTP port (default 4318; 0 picks a free port).")
    var otlpPort: Int?

    @Option(name: .customLong("api-port"), help: "API port (default 8787; 0 picks a free port).")
    var apiPort: Int?

    func run() async throws {
        var configuration = try options.configuration()
        if let bind { configuration.server.bind = bind }
        if let otlpPort { configuration.server.otlpPort = otlpPort }
        if let apiPort { configuration.server.apiPort = apiPort }
        for port in [configuration.server.otlpPort, configuration.server.apiPort] where !(0...65535).contains(port) {
            throw UsageError("port \(port) is not in 0...65535")
        }

        try configuration.checkExposure()
        let redactor = try configuration.makeRedactor()
        let logger = configuration.bootstrapLogging()

        let store = try Store(path: configuration.databasePath,
                              threads: configuration.duckdbThreads > 0 ? configuration.duckdbThreads : nil,
                              memoryLimit: configuration.duckdbMemoryLimit,
                              checkpointThreshold: Store.ingestCheckpointThreshold)
        // Before the sandbox locks DuckDB's configuration (MemoryServer's MemoryService does).
        if let archive = configuration.policy.retention.archiveDirectory { try store.allowDirectories([archive]) }
        let audit = try AuditLog(store: store)
        let server = try MemoryServer(store: store, configuration: configuration.server,
                                  ingest: configuration.ingest, memory: configuration.memory,
                                  redactor: redactor, audit: audit, auth: configuration.policy.auth, logger: logger)
        let ops = try OpsServices(configuration: configuration.alerts, service: server.memory, store: store, logger: logger)
        do {
            try await ops.validate()
        } catch {
            throw ConfigurationError(error.description)
        }
        let bindAddress = configuration.server.bind
        var services = server.services { otlp, api in
            // Written unbuffered: supervisors and tests wait for this line.
            FileHandle.standardOutput.write(Data("listening otlp=\(bindAddress):\(otlp) api=\(bindAddress):\(api)\n".utf8))
        } + ops.services
        if let interval = configuration.policy.retentionInterval {
            // Last, so it stops first at shutdown.
            services.append(RetentionService(
                retention: try Retention(store: store, policy: configuration.policy.retention, audit: audit),
                interval: interval, audit: audit, logger: logger))
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        // Fold the WAL into the file so the stock duckdb CLI opens it without replay.
        try store.connect().execute("CHECKPOINT")
        logger.info("memoryd stopped")
    }
}
