import Contracts
import Testing

/// `memory_schema` is how an agent learns the store: every table a migration creates has a
/// line of meaning, except the bookkeeping of the deriver and the search index.
@Suite struct SchemaGuideTests {
    static let bookkeeping: Set<String> = ["derive_state", "search_state"]

    @Test func everyTableIsDescribed() async throws {
        let fixture = try ServiceFixture()
        let stored = try fixture.store.connect().query("SELECT table_name FROM duckdb_tables() ORDER BY 1").rows
            .compactMap { $0[0].string }
        let listing = try await fixture.call("memory_schema")
        let described = Set(listing["tables"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
        for table in stored where !Self.bookkeeping.contains(table) {
            #expect(described.contains(table), "memory_schema does not describe \(table)")
        }
        for table in listing["tables"]?.arrayValue ?? [] {
            #expect(table["description"]?.stringValue?.isEmpty == false, "\(table["name"] ?? "?") has no description")
        }
    }
}
