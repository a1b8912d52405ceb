import DuckDB
import Testing

@Suite struct TimestampFormatTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (1, "1970-01-01T00:00:00.000001Z"),
        (1_500_000, "1970-01-01T00:00:01.500000Z"),
        (-1, "1969-12-31T23:59:59.999999Z"),
        (-86_400_000_000, "1969-12-31T00:00:00Z"),
        (-1_000_000, "1969-12-31T23:59:59Z"),
        (1_709_210_096_789_012, "2024-02-29T12:34:56.789012Z"),
        (951_868_799_000_001, "2000-02-29T23:59:59.000001Z"),
        (-2_203_891_200_000_000, "1900-03-01T00:00:00Z"),
        (-11_670_998_399_500_000, "1600-02-29T00:00:00.500000Z"),
        (253_402_300_799_999_999, "9999-12-31T23:59:59.999999Z"),
        (-62_135_596_800_000_000, "0001-01-01T00:00:00Z"),
    ])
    func iso8601(_ micros: Int64, _ expected: String) {
        #expect(TimestampFormat.iso8601(micros: micros) == expected)
        #expect(Value.timestamp(micros).description == expected)
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01"),
        (-1, "1969-12-31"),
        (59, "1970-03-01"),
        (19_782, "2024-02-29"),
        (11_016, "2000-02-29"),
        (-25_508, "1900-03-01"),
        (-135_081, "1600-02-29"),
        (2_932_896, "9999-12-31"),
        (-719_162, "0001-01-01"),
    ])
    func date(_ days: Int64, _ expected: String) {
        #expect(TimestampFormat.date(days: days) == expected)
        #expect(Value.date(Int32(days)).description == expected)
    }

    @Test func datesAgreeWithDuckDB() throws {
        // Every 7th day from 1900 to 2100 (both leap rules, month ends, the epoch).
        let rows = try memoryConnection().query("""
            SELECT i, (DATE '1970-01-01' + i::INTEGER)::VARCHAR FROM range(-25567, 47482, 7) t(i)
            """).rows
        #expect(rows.count > 10_000)
        let mismatches = rows.filter { TimestampFormat.date(days: $0[0].int64!) != $0[1].string }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func timestampsAgreeWithDuckDB() throws {
        let connection = try memoryConnection()
        let rows = try connection.query("""
            SELECT us, strftime(make_timestamp(us), '%Y-%m-%dT%H:%M:%S.%fZ')
            FROM (SELECT (i * 7919999999997)::BIGINT AS us FROM range(-2000, 2000) t(i))
            """).rows
        #expect(rows.count == 4000)
        let mismatches = rows.filter { row in
            var expected = row[1].string!
            // DuckDB always prints the fraction; TimestampFormat omits a zero one.
            if expected.hasSuffix(".000000Z") { expected = String(expected.dropLast(8)) + "Z" }
            return TimestampFormat.iso8601(micros: row[0].int64!) != expected
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
