import DuckDB
import Foundation
@testable import MemoryStore
import Testing

/// The one place SQL text is quoted and list parameters are built: values come back from
/// DuckDB exactly as they went in, whatever quotes, backslashes or separators they hold.
@Suite struct SQLTests {
    static let awkward = ["plain", "it's", "''", "a\\b", "x', 'y", "\"quoted\"", "tab\tnew\nline", "ümlaut 漢字", ""]

    @Test func literalReadsBackAsTheSameString() throws {
        let connection = try Database(path: ":memory:").connect()
        for text in Self.awkward {
            #expect(try connection.query("SELECT \(SQL.literal(text))").rows[0][0].string == text)
        }
        #expect(SQL.literal("it's") == "'it''s'")
    }

    @Test func jsonStringArrayUnnestsToTheSameStrings() throws {
        let connection = try Database(path: ":memory:").connect()
        let statement = try connection.prepare("SELECT unnest(from_json($1, '[\"VARCHAR\"]'))")
        try statement.bind([.text(SQL.jsonStringArray(Self.awkward))])
        #expect(try statement.query().rows.map { $0[0].string } == Self.awkward)
        #expect(SQL.jsonStringArray([String]()) == "[]")
    }
}
