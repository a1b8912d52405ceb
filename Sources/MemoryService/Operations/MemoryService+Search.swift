import Contracts
import DuckDB
import Foundation
import MemoryStore

extension MemoryService {
    /// `memory_search`: BM25 over the search index, newest first among equal scores.
    func search(_ args: Arguments) async throws -> JSONValue {
        let text = try args.requiredString("text")
        guard text.contains(where: { $0.isLetter }) else {
            throw MemoryServiceError.invalidArguments("text needs at least one word")
        }
        var filters = SearchIndex.Filters()
        filters.runID = args.string("run_id")
        filters.since = try args.string("since").map { try Self.timestamp($0, argument: "since") }
        filters.until = try args.string("until").map { try Self.timestamp($0, argument: "until") }
        filters.kinds = args["kinds"]?.arrayValue?.compactMap { $0.stringValue.flatMap(SearchIndex.Kind.init(rawValue:)) }
        let limit = Int(args.int("limit") ?? 20)
        let chosen = filters
        let result = try await readers.run { try SearchIndex.search(text, filters: chosen, limit: limit, on: $0) }
        return [
            "matches": .array(result.matches.map { match in
                ["kind": .string(match.kind.rawValue), "time": .string(TimestampFormat.iso8601(micros: match.time)),
                 "run_id": match.runID.map(JSONValue.string) ?? .null,
                 "trace_id": match.traceID.map(JSONValue.string) ?? .null,
                 "ref": .string(match.ref), "title": match.title.map(JSONValue.string) ?? .null,
                 "snippet": .string(Snippet.around(words: text, in: match.body)), "score": .number(match.score)]
            }),
            "indexed_through": result.indexedThrough.map { .string(TimestampFormat.iso8601(micros: $0)) } ?? .null,
        ]
    }

    /// Copies new rows into the search index (see `SearchIndex.refresh`); the search upkeep
    /// service calls it on a schedule, tests call it directly.
    @discardableResult
    public func refreshSearchIndex() async throws -> SearchIndex.RefreshResult {
        try await writer.run { try SearchIndex.refresh(on: $0) }
    }

    /// Derives guard outcomes, transitions, envelope facts, runs and stages from rows that
    /// arrived since the last pass (see `RunDeriver`).
    @discardableResult
    public func refreshDerivedTables() async throws -> RunDeriver.Result {
        try await writer.run { try RunDeriver.refresh(on: $0) }
    }

    /// Deletes expired facts for good; returns how many.
    @discardableResult
    public func purgeExpiredFacts() async throws -> Int {
        try await writer.run { try FactStore.purgeExpired(on: $0) }
    }

    static func timestamp(_ text: String, argument: String) throws -> Int64 {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        guard let date = formatter.date(from: text) ?? plain.date(from: text) else {
            throw MemoryServiceError.invalidArguments("\(argument) is not an RFC 3339 time: \(text)")
        }
        return Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}

/// The part of a matched text around the first query word it contains.
enum Snippet {
    static let radius = 80

    static func around(words query: String, in body: String) -> String {
        let lowered = body.lowercased()
        let words = query.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).filter { $0.count > 1 }
        // Stems match inflections (`failing` finds `failed`): look for the word's first letters.
        let hit = words.lazy.compactMap { word in
            lowered.range(of: String(word)) ?? lowered.range(of: String(word.prefix(max(3, word.count - 3))))
        }.first
        guard let hit, lowered.count == body.count else { return truncated(body) }
        let offset = lowered.distance(from: lowered.startIndex, to: hit.lowerBound)
        let start = body.index(body.startIndex, offsetBy: max(0, offset - radius))
        let end = body.index(start, offsetBy: radius * 2, limitedBy: body.endIndex) ?? body.endIndex
        return (start > body.startIndex ? "…" : "") + String(body[start..<end]) + (end < body.endIndex ? "…" : "")
    }

    private static func truncated(_ body: String) -> String {
        body.count <= radius * 2 ? body : String(body.prefix(radius * 2)) + "…"
    }
}
