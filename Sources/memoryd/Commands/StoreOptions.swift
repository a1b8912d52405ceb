import ArgumentParser

/// Flags every verb that touches the database shares.
struct StoreOptions: ParsableArguments {
    @Option(help: "DuckDB database file (default ./var/memory.duckdb, or MEMORYD_DB).")
    var db: String?

    @Option(help: "TOML configuration file (default ./memoryd.toml when it exists).")
    var config: String?

    func configuration() throws -> MemorydConfiguration {
        var configuration = try MemorydConfiguration.load(file: config)
        if let db { configuration.databasePath = db }
        return configuration
    }
}
