import DuckDB
import Testing

/// Typed binding of every `Value` case and read-back of each column type.
@Suite struct BindingTests {
    private static let columns = """
        CREATE TABLE typed (
            b BOOLEAN, ti TINYINT, si SMALLINT, i INTEGER, bi BIGINT,
            uti UTINYINT, usi USMALLINT, ui UINTEGER, ubi UBIGINT,
            f FLOAT, d DOUBLE, v VARCHAR, bl BLOB, ts TIMESTAMPTZ, tsn TIMESTAMP, dt DATE)
        """

    private func roundTrip(_ values: [Value]) throws -> ResultSet {
        let connection = try memoryConnection()
        try connection.execute(Self.columns)
        let insert = try connection.prepare("INSERT INTO typed VALUES (\((1...16).map { "$\($0)" }.joined(separator: ", ")))")
        #expect(insert.parameterCount == 16)
        try insert.bind(values)
        #expect(try insert.execute() == 1)
        return try connection.query("SELECT * FROM typed")
    }

    @Test func everyTypeRoundTrips() throws {
        let text = "héllo wörld — 日本語 🦆 and a long tail past the inline limit"
        let blob: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x00]
        let values: [Value] = [
            .bool(true), .int(-128), .int(-32768), .int(Int64(Int32.min)), .int(Int64.min),
            .uint(255), .uint(65535), .uint(UInt64(UInt32.max)), .uint(UInt64.max),
            .double(1.5), .double(-2.25e300), .text(text), .blob(blob),
            .timestamp(1_709_210_096_789_012), .timestamp(-1), .date(-719_162),
        ]
        let result = try roundTrip(values)
        #expect(result.rows == [values])
    }

    @Test func columnTypesAreNamed() throws {
        let result = try roundTrip(Array(repeating: .null, count: 16))
        #expect(result.columns.map(\.name) == ["b", "ti", "si", "i", "bi", "uti", "usi", "ui", "ubi", "f", "d", "v", "bl", "ts", "tsn", "dt"])
        #expect(result.columns.map(\.type) == [
            "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
            "FLOAT", "DOUBLE", "VARCHAR", "BLOB", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP", "DATE",
        ])
    }

    @Test func nullBindsAndReadsAsNullInEveryType() throws {
        let result = try roundTrip(Array(repeating: .null, count: 16))
        #expect(result.rows.count == 1)
        #expect(result.rows[0].allSatisfy { $0.isNull })
    }

    @Test func maximaAndFalseRoundTrip() throws {
        let values: [Value] = [
            .bool(false), .int(127), .int(32767), .int(Int64(Int32.max)), .int(Int64.max),
            .uint(0), .uint(0), .uint(0), .uint(0),
            .double(0), .double(Double.leastNonzeroMagnitude), .text("short"), .blob([0xDE, 0xAD]),
            .timestamp(0), .timestamp(253_402_300_799_999_999), .date(2_932_896),
        ]
        #expect(try roundTrip(values).rows == [values])
    }

    @Test func emptyTextAndBlobRoundTrip() throws {
        let connection = try memoryConnection()
        let statement = try connection.prepare("SELECT $1::VARCHAR, $2::BLOB, length($1), octet_length($2)")
        try statement.bind([.text(""), .blob([])])
        #expect(try statement.query().rows == [[.text(""), .blob([]), .int(0), .int(0)]])
    }

    @Test func textWithEmbeddedNulAndUnicodeKeepsEveryByte() throws {
        let connection = try memoryConnection()
        let text = "a\u{0}b ☃︎ 𝄞"
        let statement = try connection.prepare("SELECT $1::VARCHAR, strlen($1)")
        try statement.bind([.text(text)])
        let row = try statement.query().rows[0]
        #expect(row[0] == .text(text))
        #expect(row[1] == .int(Int64(text.utf8.count)))
    }

    @Test func timestampBindsAsInstantAndDateAsDay() throws {
        let connection = try memoryConnection()
        try connection.execute("SET TimeZone = 'UTC'")
        let statement = try connection.prepare("SELECT epoch_us($1), strftime($1, '%Y-%m-%d %H:%M:%S.%f'), $2::VARCHAR")
        try statement.bind([.timestamp(1_709_210_096_789_012), .date(19_782)])
        #expect(try statement.query().rows == [[.int(1_709_210_096_789_012), .text("2024-02-29 12:34:56.789012"), .text("2024-02-29")]])
    }

    @Test func boundParametersAreUsableInPredicates() throws {
        let connection = try memoryConnection()
        let statement = try connection.prepare("SELECT count(*) FROM range(100) t(i) WHERE i >= ? AND i < ?")
        try statement.bind([.int(10), .int(20)])
        #expect(try statement.query().rows == [[.int(10)]])
        // Rebinding replaces the old values.
        try statement.bind([.uint(0), .int(5)])
        #expect(try statement.query().rows == [[.int(5)]])
    }

    @Test func bindAtIndexBindsOneParameter() throws {
        let connection = try memoryConnection()
        let statement = try connection.prepare("SELECT $1::BIGINT + $2::BIGINT")
        try statement.bind(.int(40), at: 1)
        try statement.bind(.int(2), at: 2)
        #expect(try statement.query().rows == [[.int(42)]])
    }

    @Test func bindingAnOutOfRangeIndexFails() throws {
        let connection = try memoryConnection()
        let statement = try connection.prepare("SELECT $1::INTEGER")
        let error = #expect(throws: DuckDBError.self) { try statement.bind(.int(1), at: 2) }
        #expect(error?.message.contains("2") == true)
    }

    @Test func executingWithoutBindingsCarriesDuckDBMessage() throws {
        let connection = try memoryConnection()
        let statement = try connection.prepare("SELECT $1::INTEGER")
        #expect(throws: DuckDBError.self) { _ = try statement.query() }
    }

    @Test func executionErrorCarriesDuckDBMessage() throws {
        let connection = try memoryConnection()
        let statement = try connection.prepare("SELECT CAST($1 AS INTEGER)")
        try statement.bind([.text("not a number")])
        let error = #expect(throws: DuckDBError.self) { _ = try statement.query() }
        #expect(error?.message.contains("Conversion Error") == true)
        #expect(error?.message.contains("not a number") == true)
    }

    @Test func prepareErrorCarriesDuckDBMessage() throws {
        let connection = try memoryConnection()
        let error = #expect(throws: DuckDBError.self) { _ = try connection.prepare("SELECT FROM WHERE") }
        #expect(error?.message.contains("syntax error") == true)
        let missing = #expect(throws: DuckDBError.self) { _ = try connection.prepare("SELECT * FROM no_table_p") }
        #expect(missing?.message.contains("no_table_p") == true)
    }

    @Test func executeReturnsChangedRowCount() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE t (x INTEGER); INSERT INTO t SELECT * FROM range(10)")
        let delete = try connection.prepare("DELETE FROM t WHERE x < $1")
        try delete.bind([.int(4)])
        #expect(try delete.execute() == 4)
        #expect(try connection.scalar("SELECT count(*) FROM t") == .int(6))
    }
}
