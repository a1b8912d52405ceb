import DuckDB
import Foundation
import Testing

/// `statementCount` and `PreparedStatement.kind`, which guard untrusted SQL.
@Suite struct StatementTests {
    @Test(arguments: [
        ("SELECT 1", 1),
        ("SELECT 1;", 1),
        ("SELECT 1; SELECT 2", 2),
        ("select 1; select 2; select 3;", 3),
        ("SELECT ';' AS semicolon", 1),
        ("", 0),
    ])
    func statementCount(_ sql: String, _ expected: Int) throws {
        #expect(try memoryConnection().statementCount(sql) == expected)
    }

    @Test func statementCountDoesNotRunAnything() throws {
        let connection = try memoryConnection()
        #expect(try connection.statementCount("CREATE TABLE never (x INTEGER); INSERT INTO never VALUES (1)") == 2)
        #expect(throws: DuckDBError.self) { try connection.execute("SELECT * FROM never") }
    }

    @Test func statementCountOfUnparsableSQLIsAnError() throws {
        let error = #expect(throws: DuckDBError.self) { _ = try memoryConnection().statementCount("SELECT 1; SELEC 2") }
        #expect(error?.message.contains("syntax error") == true)
    }

    private static let setup = """
        CREATE TABLE t (a INTEGER);
        CREATE TABLE u (a INTEGER);
        """

    @Test(arguments: [
        ("SELECT * FROM t", StatementKind.select),
        ("WITH x AS (SELECT 1) SELECT * FROM x", .select),
        ("FROM t", .select),
        ("EXPLAIN SELECT * FROM t", .explain),
        ("INSERT INTO t VALUES (1)", .insert),
        ("UPDATE t SET a = 2", .update),
        ("DELETE FROM t", .delete),
        ("CREATE TABLE v (a INTEGER)", .create),
        ("CREATE VIEW w AS SELECT 1", .create),
        ("DROP TABLE u", .drop),
        ("ALTER TABLE u ADD COLUMN b INTEGER", .alter),
        ("COPY t TO '/tmp/memoryd-kind-test.csv'", .copy),
        ("ATTACH ':memory:' AS other", .attach),
        ("DETACH other", .detach),
        ("SET threads = 1", .set),
        ("SET VARIABLE answer = 42", .set),
        ("PRAGMA enable_profiling", .pragma),
        ("CALL pragma_version()", .call),
        ("LOAD json", .load),
        ("BEGIN TRANSACTION", .transaction),
        ("EXPORT DATABASE '/tmp/memoryd-kind-export'", .export),
    ])
    func kind(_ sql: String, _ expected: StatementKind) throws {
        // Preparing EXPORT creates its directory.
        defer { try? FileManager.default.removeItem(atPath: "/tmp/memoryd-kind-export") }
        let connection = try memoryConnection()
        try connection.execute(Self.setup)
        let statement = try connection.prepare(sql)
        #expect(statement.kind == expected)
        #expect(statement.kind.isRead == (expected == .select || expected == .explain))
    }

    @Test func preparingAWriteDoesNotRunIt() throws {
        let connection = try memoryConnection()
        try connection.execute(Self.setup)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("memoryd-prepare-\(UUID().uuidString).csv").path
        _ = try connection.prepare("INSERT INTO t VALUES (1)")
        _ = try connection.prepare("COPY t TO '\(path)'")
        #expect(try connection.scalar("SELECT count(*) FROM t") == .int(0))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func onlySelectAndExplainAreReads() {
        let reads: [StatementKind] = [.select, .explain]
        let writes: [StatementKind] = [.insert, .update, .delete, .create, .drop, .alter, .copy, .attach, .detach,
                                       .set, .pragma, .call, .load, .transaction, .export, .other(99)]
        #expect(reads.allSatisfy { $0.isRead })
        #expect(!writes.contains { $0.isRead })
    }

    @Test func prepareRefusesMoreThanOneStatement() throws {
        let connection = try memoryConnection()
        #expect(throws: DuckDBError.self) { _ = try connection.prepare("SELECT 1; SELECT 2") }
    }
}
