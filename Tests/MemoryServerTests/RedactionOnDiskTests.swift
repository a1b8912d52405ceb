import Foundation
import Testing
import TestSupport

/// Secrets never reach the disk: every fixture goes to the real binary (redaction is on by
/// default), which is then killed with -9 so all rows are still in the WAL, where DuckDB
/// writes them uncompressed. The raw bytes of the WAL and the file must not contain any
/// seeded secret, while a plain marker from the same requests is there (the scan works).
@Suite("secrets never reach the disk")
struct RedactionOnDiskTests {
    static let secrets = ["hunter2", "sk-live-123", "AKIAIOSFODNN7EXAMPLE"]

    @Test func seededSecretsAreNotInTheFileOrItsWAL() async throws {
        try await TemporaryDirectory.with { directory in
            let db = directory.appendingPathComponent("memory.duckdb").path
            let server = try await TestServer.start(databasePath: db)
            for entry in Fixtures.manifest {
                let response = try await HTTP.post(port: server.otlpPort, path: entry.httpPath,
                                                   headers: try entry.headers(), body: try entry.body())
                #expect(response.status == 200, "\(entry.file): \(response)")
            }
            _ = await server.stop(signal: SIGKILL)

            var raw = Data()
            for suffix in ["", ".wal"] {
                if let bytes = FileManager.default.contents(atPath: db + suffix) { raw.append(bytes) }
            }
            #expect(raw.range(of: Data("pkt-dome-lm-02-memoryd-duckdb-materialization".utf8)) != nil,
                    "the scan must see ordinary values")
            for secret in Self.secrets {
                #expect(raw.range(of: Data(secret.utf8)) == nil, "\(secret) is on disk")
            }

            // After the WAL is replayed, SQL finds no secret in any text column, and the
            // redactions table says what was replaced.
            let restarted = try await TestServer.start(databasePath: db)
            _ = await restarted.stop()
            for secret in Self.secrets {
                let hits = try await MemorydCLI.count(db: db, """
                    select (select count(*) from spans where concat_ws('|', name, message, attributes, events, links,
                                                                        status_message) like '%\(secret)%')
                         + (select count(*) from logs where concat_ws('|', message, body, attributes) like '%\(secret)%')
                         + (select count(*) from resources where attributes like '%\(secret)%') as n
                    """)
                #expect(hits == 0, "\(secret) is stored")
            }
            let rules = try await MemorydCLI.query(db: db, "select distinct rule from redactions order by rule")
            let names = Set(rules.compactMap { $0["rule"]?.stringValue })
            #expect(names.isSuperset(of: ["password", "aws_access_key"]), "\(names)")
        }
    }
}
