import DuckDB
import Testing

@Suite struct TransactionTests {
    private struct Abort: Error, Equatable { let code: Int }

    private func setUp() throws -> (Connection, Connection) {
        let database = try Database(path: ":memory:")
        let connection = try database.connect()
        try connection.execute("CREATE TABLE ledger (x INTEGER)")
        return (connection, try database.connect())
    }

    @Test func returningCommitsAndPassesTheValueThrough() throws {
        let (connection, observer) = try setUp()
        let value = try connection.transaction {
            try connection.execute("INSERT INTO ledger VALUES (1), (2)")
            return "done"
        }
        #expect(value == "done")
        // Visible from another connection, so it was committed.
        #expect(try observer.scalar("SELECT count(*) FROM ledger") == .int(2))
    }

    @Test func uncommittedRowsAreInvisibleToOtherConnections() throws {
        let (connection, observer) = try setUp()
        try connection.transaction {
            try connection.execute("INSERT INTO ledger VALUES (1)")
            #expect(try observer.scalar("SELECT count(*) FROM ledger") == .int(0))
            #expect(try connection.scalar("SELECT count(*) FROM ledger") == .int(1))
        }
        #expect(try observer.scalar("SELECT count(*) FROM ledger") == .int(1))
    }

    @Test func throwingRollsBackAndRethrowsTheSameError() throws {
        let (connection, observer) = try setUp()
        let error = #expect(throws: Abort.self) {
            try connection.transaction {
                try connection.execute("INSERT INTO ledger VALUES (1), (2), (3)")
                throw Abort(code: 7)
            }
        }
        #expect(error == Abort(code: 7))
        #expect(try connection.scalar("SELECT count(*) FROM ledger") == .int(0))
        #expect(try observer.scalar("SELECT count(*) FROM ledger") == .int(0))
    }

    @Test func failingStatementRollsBackEarlierWrites() throws {
        let (connection, _) = try setUp()
        #expect(throws: DuckDBError.self) {
            try connection.transaction {
                try connection.execute("INSERT INTO ledger VALUES (1)")
                try connection.execute("INSERT INTO missing_ledger VALUES (1)")
            }
        }
        #expect(try connection.scalar("SELECT count(*) FROM ledger") == .int(0))
    }

    @Test func connectionIsReusableAfterRollback() throws {
        let (connection, _) = try setUp()
        _ = try? connection.transaction { throw Abort(code: 1) }
        try connection.transaction { try connection.execute("INSERT INTO ledger VALUES (9)") }
        #expect(try connection.scalar("SELECT sum(x)::INTEGER FROM ledger") == .int(9))
    }
}
