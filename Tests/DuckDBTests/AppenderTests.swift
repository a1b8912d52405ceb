import DuckDB
import Testing

@Suite struct AppenderTests {
    private static let table = """
        CREATE TABLE everything (
            s VARCHAR, so VARCHAR, i64 BIGINT, i64o BIGINT, i32 INTEGER, i32o INTEGER, u64 UBIGINT,
            d DOUBLE, d_o DOUBLE, b BOOLEAN, bo BOOLEAN, ts TIMESTAMPTZ, tso TIMESTAMPTZ, tags VARCHAR[], n INTEGER)
        """

    @Test func everyOverloadAppends() throws {
        let connection = try memoryConnection()
        try connection.execute(Self.table)
        let appender = try connection.appender(table: "everything")
        // Row 1: values everywhere.
        try appender.append("ünïcode 🦆")
        try appender.append("optional" as String?)
        try appender.append(Int64.min)
        try appender.append(Int64(7) as Int64?)
        try appender.append(Int32.max)
        try appender.append(Int32(-3) as Int32?)
        try appender.append(UInt64.max)
        try appender.append(2.5)
        try appender.append(-0.125 as Double?)
        try appender.append(true)
        try appender.append(false as Bool?)
        try appender.appendTimestamp(micros: 1_709_210_096_789_012)
        try appender.appendTimestamp(micros: -1 as Int64?)
        try appender.append(list: ["a", "b, c", "日本"])
        try appender.appendNull()
        try appender.endRow()
        // Row 2: every optional overload given nil.
        try appender.append("second")
        try appender.append(nil as String?)
        try appender.append(Int64(0))
        try appender.append(nil as Int64?)
        try appender.append(Int32(0))
        try appender.append(nil as Int32?)
        try appender.append(UInt64(0))
        try appender.append(0.0)
        try appender.append(nil as Double?)
        try appender.append(false)
        try appender.append(nil as Bool?)
        try appender.appendTimestamp(micros: 0)
        try appender.appendTimestamp(micros: nil)
        try appender.appendNull()
        try appender.appendNull()
        try appender.endRow()
        try appender.close()

        let rows = try connection.query("""
            SELECT s, so, i64, i64o, i32, i32o, u64, d, d_o, b, bo, ts, tso,
                   len(tags), tags[1], tags[2], tags[3], n
            FROM everything ORDER BY i64
            """).rows
        #expect(rows == [
            [.text("ünïcode 🦆"), .text("optional"), .int(Int64.min), .int(7), .int(Int64(Int32.max)), .int(-3),
             .uint(UInt64.max), .double(2.5), .double(-0.125), .bool(true), .bool(false),
             .timestamp(1_709_210_096_789_012), .timestamp(-1), .int(3), .text("a"), .text("b, c"), .text("日本"), .null],
            [.text("second"), .null, .int(0), .null, .int(0), .null, .uint(0), .double(0), .null, .bool(false), .null,
             .timestamp(0), .null, .null, .null, .null, .null, .null],
        ])
    }

    @Test func emptyListAppendsAsEmptyList() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE tagged (id INTEGER, tags VARCHAR[])")
        let appender = try connection.appender(table: "tagged")
        try appender.append(Int32(1))
        try appender.append(list: [])
        try appender.endRow()
        try appender.close()
        #expect(try connection.query("SELECT tags IS NULL, len(tags) FROM tagged").rows == [[.bool(false), .int(0)]])
    }

    @Test func rowsAreBufferedUntilFlush() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE buffered (x BIGINT)")
        let appender = try connection.appender(table: "buffered")
        for i in 0..<10 {
            try appender.append(Int64(i))
            try appender.endRow()
        }
        #expect(try connection.scalar("SELECT count(*) FROM buffered") == .int(0))
        try appender.flush()
        #expect(try connection.scalar("SELECT count(*) FROM buffered") == .int(10))
        // Still usable after a flush.
        try appender.append(Int64(10))
        try appender.endRow()
        try appender.close()
        #expect(try connection.scalar("SELECT sum(x)::BIGINT FROM buffered") == .int(55))
    }

    @Test func closeWritesPendingRows() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE closed (x VARCHAR)")
        let appender = try connection.appender(table: "closed")
        try appender.append("only")
        try appender.endRow()
        try appender.close()
        #expect(try connection.scalar("SELECT x FROM closed") == .text("only"))
    }

    @Test func appenderRespectsSchema() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE SCHEMA side; CREATE TABLE side.t (x BIGINT); CREATE TABLE t (x BIGINT)")
        let appender = try connection.appender(table: "t", schema: "side")
        try appender.append(Int64(5))
        try appender.endRow()
        try appender.close()
        #expect(try connection.scalar("SELECT count(*) FROM side.t") == .int(1))
        #expect(try connection.scalar("SELECT count(*) FROM main.t") == .int(0))
    }

    @Test func missingTableIsAnErrorNamingIt() throws {
        let connection = try memoryConnection()
        let error = #expect(throws: DuckDBError.self) { _ = try connection.appender(table: "not_here_tbl") }
        #expect(error?.message.contains("not_here_tbl") == true)
    }

    @Test func tooFewColumnsBeforeEndRowIsDuckDBsError() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE pair (a BIGINT, b BIGINT)")
        let appender = try connection.appender(table: "pair")
        try appender.append(Int64(1))
        let error = #expect(throws: DuckDBError.self) { try appender.endRow() }
        #expect(error?.message.contains("EndRow") == true)
        #expect(error?.message != "append failed")
    }

    @Test func tooManyColumnsIsDuckDBsError() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE pair (a BIGINT, b BIGINT)")
        let appender = try connection.appender(table: "pair")
        try appender.append(Int64(1))
        try appender.append(Int64(2))
        let error = #expect(throws: DuckDBError.self) { try appender.append(Int64(3)) }
        #expect(error?.message.contains("Too many appends") == true)
    }

    @Test func valueOutOfRangeForColumnIsAnError() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE small (x UTINYINT)")
        let appender = try connection.appender(table: "small")
        #expect(throws: DuckDBError.self) {
            try appender.append(Int32(300))
            try appender.endRow()
            try appender.flush()
        }
    }

    @Test func bulkHundredThousandRows() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE bulk (id BIGINT, label VARCHAR, seen TIMESTAMPTZ)")
        let appender = try connection.appender(table: "bulk")
        let count = 100_000
        for i in 0..<count {
            try appender.append(Int64(i))
            try appender.append(i.isMultiple(of: 2) ? "even" : "odd-row-with-a-longer-label")
            try appender.appendTimestamp(micros: Int64(i) * 1_000_000)
            try appender.endRow()
        }
        try appender.close()
        let row = try connection.query("""
            SELECT count(*), sum(id)::BIGINT, count(DISTINCT label), max(epoch_us(seen)) FROM bulk
            """).rows[0]
        #expect(row == [.int(Int64(count)), .int(Int64(count * (count - 1) / 2)), .int(2), .int(Int64(count - 1) * 1_000_000)])
    }

    @Test func appendedRowsFollowTheEnclosingTransaction() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE tx (x BIGINT)")
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try connection.transaction {
                let appender = try connection.appender(table: "tx")
                try appender.append(Int64(1))
                try appender.endRow()
                try appender.close()
                throw Abort()
            }
        }
        #expect(try connection.scalar("SELECT count(*) FROM tx") == .int(0))
    }
}
