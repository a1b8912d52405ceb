import DuckDB
import Foundation
import Testing

@Suite struct ResultSetTests {
    @Test func maxRowsTruncates() throws {
        let statement = try memoryConnection().prepare("SELECT i FROM range(10) t(i) ORDER BY i")
        let limited = try statement.query(maxRows: 3)
        #expect(limited.rows == [[.int(0)], [.int(1)], [.int(2)]])
        #expect(limited.truncated)
    }

    @Test func maxRowsEqualToRowCountIsNotTruncated() throws {
        let statement = try memoryConnection().prepare("SELECT i FROM range(10) t(i)")
        let exact = try statement.query(maxRows: 10)
        #expect(exact.rows.count == 10)
        #expect(!exact.truncated)
        let all = try statement.query()
        #expect(all.rows.count == 10)
        #expect(!all.truncated)
    }

    @Test func maxRowsZeroReturnsNoRows() throws {
        let statement = try memoryConnection().prepare("SELECT 1")
        let none = try statement.query(maxRows: 0)
        #expect(none.rows.isEmpty)
        #expect(none.truncated)
        #expect(none.columns.count == 1)
    }

    @Test func emptyResultIsNotTruncated() throws {
        let statement = try memoryConnection().prepare("SELECT i FROM range(0) t(i)")
        let none = try statement.query(maxRows: 0)
        #expect(none.rows.isEmpty)
        #expect(!none.truncated)
    }

    @Test func rowsSpanSeveralChunks() throws {
        let connection = try memoryConnection()
        let result = try connection.query("SELECT i, 'row ' || i FROM range(5000) t(i) ORDER BY i")
        #expect(result.rows.count == 5000)
        #expect(result.rows[4999] == [.int(4999), .text("row 4999")])
        #expect(result.rows.enumerated().allSatisfy { $0.element[0] == .int(Int64($0.offset)) })
        let limited = try connection.prepare("SELECT i FROM range(5000) t(i) ORDER BY i").query(maxRows: 3000)
        #expect(limited.rows.count == 3000)
        #expect(limited.rows.last == [.int(2999)])
        #expect(limited.truncated)
    }

    @Test func columnNamesAndAliasedTypes() throws {
        let connection = try memoryConnection()
        let result = try connection.query("SELECT 1::TINYINT AS tiny, 2.5::FLOAT AS f, '{\"a\":1}'::JSON AS doc")
        #expect(result.columns.map(\.name) == ["tiny", "f", "doc"])
        #expect(result.columns.map(\.type) == ["TINYINT", "FLOAT", "JSON"])
        #expect(result.rows == [[.int(1), .double(2.5), .text("{\"a\":1}")]])
    }

    @Test func listsReadAsTypedValues() throws {
        let connection = try memoryConnection()
        let result = try connection.query("""
            SELECT [1, 2, 3] AS l, ['x', NULL]::VARCHAR[] AS v, [[1], []] AS nested, [1, 2]::INTEGER[2] AS a
            """)
        #expect(result.columns.map(\.type) == ["LIST", "LIST", "LIST", "OTHER"])
        let row = try #require(result.rows.first)
        #expect(row[0] == .list([.int(1), .int(2), .int(3)]))
        #expect(row[1] == .list([.text("x"), .null]))
        #expect(row[2] == .list([.list([.int(1)]), .list([])]))
        #expect(row[3] == .list([.int(1), .int(2)]))
        #expect(row[1].description == "['x', NULL]")
    }

    @Test func structsAndMapsReadAsTypedValues() throws {
        let row = try memoryConnection().query("SELECT {'a': 1, 'b': 'x'} AS s, MAP {'k': 2} AS m").rows[0]
        #expect(row[0] == .structure([.init(name: "a", value: .int(1)), .init(name: "b", value: .text("x"))]))
        #expect(row[0].description == "{'a': 1, 'b': 'x'}")
        #expect(row[1] == .list([.structure([.init(name: "key", value: .text("k")), .init(name: "value", value: .int(2))])]))
    }

    @Test func nestedValuesFollowRowsAcrossChunks() throws {
        let connection = try memoryConnection()
        let result = try connection.query("SELECT [i] AS l, i FROM range(3000) t(i) ORDER BY i")
        #expect(result.rows.count == 3000)
        #expect(result.rows.allSatisfy { $0[0] == .list([$0[1]]) })
    }

    @Test func nullNestedValueIsNull() throws {
        let connection = try memoryConnection()
        #expect(try connection.query("SELECT NULL::INTEGER[]").rows == [[.null]])
    }

    @Test func otherScalarTypesReadNatively() throws {
        let connection = try memoryConnection()
        let row = try connection.query("""
            SELECT 12.50::DECIMAL(6, 2), 123456789012.345::DECIMAL(18, 3), sum(x),
                   '00000000-0000-0000-0000-000000000001'::UUID, 'b'::ENUM('a', 'b'), TIME '12:34:56',
                   170141183460469231731687303715884105727::HUGEINT
            FROM (VALUES (40::BIGINT), (2::BIGINT)) v(x)
            """).rows[0]
        #expect(row[0] == .double(12.5))
        #expect(row[1] == .double(123456789012.345))
        #expect(row[2] == .int(42))
        #expect(row[3] == .text("00000000-0000-0000-0000-000000000001"))
        #expect(row[4] == .text("b"))
        #expect(row[5] == .text("12:34:56"))
        #expect(row[6] == .double(1.7014118346046923e38))
    }
}
