import DuckDB
import Foundation
import Testing

@Suite struct DatabaseTests {
    @Test func libraryVersionIsThePinnedEngine() {
        #expect(Database.libraryVersion == "v1.5.5")
    }

    @Test func inMemoryDatabaseRunsQueries() throws {
        let connection = try memoryConnection()
        #expect(try connection.scalar("SELECT 40 + 2") == .int(42))
    }

    @Test func inMemoryDatabasesAreIndependent() throws {
        let a = try memoryConnection()
        let b = try memoryConnection()
        try a.execute("CREATE TABLE only_in_a (x INTEGER)")
        #expect(throws: DuckDBError.self) { try b.execute("SELECT * FROM only_in_a") }
    }

    @Test func fileDatabasePersistsAcrossReopen() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("persist.duckdb").path
        do {
            let connection = try Database(path: path).connect()
            try connection.execute("CREATE TABLE kept (x INTEGER); INSERT INTO kept VALUES (1), (2), (3)")
        }
        #expect(FileManager.default.fileExists(atPath: path))
        let reopened = try Database(path: path).connect()
        #expect(try reopened.scalar("SELECT sum(x)::BIGINT FROM kept") == .int(6))
    }

    @Test func connectionsOfOneDatabaseShareData() throws {
        let database = try Database(path: ":memory:")
        let writer = try database.connect()
        let reader = try database.connect()
        try writer.execute("CREATE TABLE shared (x INTEGER); INSERT INTO shared VALUES (7)")
        #expect(try reader.scalar("SELECT x FROM shared") == .int(7))
    }

    @Test func validOptionIsApplied() throws {
        let connection = try Database(path: ":memory:", options: [("threads", "1")]).connect()
        #expect(try connection.scalar("SELECT current_setting('threads')") == .int(1))
    }

    @Test func unknownOptionIsAnError() throws {
        let error = #expect(throws: DuckDBError.self) {
            _ = try Database(path: ":memory:", options: [("no_such_option_xyz", "1")])
        }
        #expect(error?.message.contains("no_such_option_xyz") == true)
    }

    @Test func readOnlyOpenOfMissingFileCarriesDuckDBMessage() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("absent.duckdb").path
        let error = #expect(throws: DuckDBError.self) {
            _ = try Database(path: path, options: [("access_mode", "READ_ONLY")])
        }
        #expect(error?.message.contains("absent.duckdb") == true)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func executeSurfacesSyntaxErrorText() throws {
        let connection = try memoryConnection()
        let error = #expect(throws: DuckDBError.self) { try connection.execute("SELEC 1") }
        #expect(error?.message.contains("syntax error") == true)
        #expect(error?.description == error?.message)
        #expect(error?.isInterrupt == false)
    }

    @Test func querySurfacesCatalogErrorText() throws {
        let connection = try memoryConnection()
        let error = #expect(throws: DuckDBError.self) { _ = try connection.query("SELECT * FROM missing_table_q") }
        #expect(error?.message.contains("missing_table_q") == true)
        #expect(error?.message.contains("Catalog Error") == true)
    }

    @Test func executeRunsEveryStatement() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)")
        #expect(try connection.scalar("SELECT count(*) FROM t") == .int(2))
    }

    @Test func queryReportsRowsChanged() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE t (x INTEGER)")
        #expect(try connection.query("INSERT INTO t VALUES (1), (2), (3)").rowsChanged == 3)
        #expect(try connection.query("UPDATE t SET x = x + 1 WHERE x > 1").rowsChanged == 2)
        #expect(try connection.query("DELETE FROM t").rowsChanged == 3)
    }

    @Test func connectionStaysUsableAfterAnError() throws {
        let connection = try memoryConnection()
        #expect(throws: DuckDBError.self) { try connection.execute("SELECT * FROM nowhere") }
        #expect(try connection.scalar("SELECT 1") == .int(1))
    }
}
