import DuckDB
import Foundation

extension Store {
    /// Where the `fts` extension is looked for when the configuration names none: the
    /// `extensions` folder beside the engine library, as `scripts/bootstrap-duckdb.sh` lays it out.
    public static var defaultExtensionDirectory: String? {
        Database.libraryFile.map {
            URL(fileURLWithPath: $0).resolvingSymlinksInPath().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("extensions").path
        }
    }

    /// LOADs the `fts` extension from `directory` (never from the internet), then closes the
    /// database to everything untrusted SQL could misuse: no file or network access
    /// (`read_csv`, `COPY … TO`, `ATTACH`, `INSTALL`), no automatic extension loading, and the
    /// configuration locked so no connection can turn any of it back on. Database-wide and
    /// irreversible for this process: call it once, after migrations, before serving queries.
    public func sandbox(extensionDirectory: String?) throws {
        guard let directory = extensionDirectory ?? Self.defaultExtensionDirectory else {
            throw StoreError.extensionMissing("cannot locate DuckDB's extension folder; set duckdb.extension_dir")
        }
        let fts = URL(fileURLWithPath: directory).appendingPathComponent("fts.duckdb_extension").path
        guard FileManager.default.fileExists(atPath: fts) else {
            throw StoreError.extensionMissing("\(fts) is missing (run scripts/bootstrap-duckdb.sh or set duckdb.extension_dir)")
        }
        let connection = try connect()
        try connection.execute("LOAD \(SQL.literal(fts))")
        try connection.execute("""
            SET autoinstall_known_extensions = false;
            SET autoload_known_extensions = false;
            SET enable_external_access = false;
            SET lock_configuration = true;
            """)
    }
}
