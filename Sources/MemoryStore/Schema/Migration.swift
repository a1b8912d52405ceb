/// One numbered, append-only schema change. Released migrations are never edited: a file
/// written by an older memoryd is upgraded by applying the ones it lacks, in order.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}
