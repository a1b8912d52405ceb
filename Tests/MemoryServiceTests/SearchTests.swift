import Contracts
import Foundation
import MemoryService
import MemoryStore
import Testing

@Suite struct SearchTests {
    @Test func findsSpansAndFactsRankedByBM25ThenRecency() async throws {
        let f = try ServiceFixture()
        let ms: UInt64 = 1_000_000
        try f.ingest([
            span(trace: 1, span: 1, name: "checkout payment refund refund", run: "r1", start: baseTime),
            span(trace: 1, span: 2, name: "checkout payment", run: "r1", start: baseTime + 5 * ms),
            span(trace: 2, span: 1, name: "refund issued", run: "r2", start: baseTime + 10 * ms),
            span(trace: 2, span: 2, name: "unrelated work", run: "r2", start: baseTime + 20 * ms),
        ])
        _ = try await f.call("memory_upsert", ["namespace": "billing", "key": "policy", "value": "refunds need approval", "run_id": "r3"])
        let refreshed = try await f.service.refreshSearchIndex()
        #expect(refreshed.rebuilt)
        #expect(refreshed.added == 5)

        let result = try await f.call("memory_search", ["text": "refund"])
        let matches = try #require(result["matches"]?.arrayValue)
        #expect(matches.count == 3)
        // Two occurrences score above one; the stemmer matches `refunds`.
        #expect(matches[0]["title"] == "checkout payment refund refund")
        #expect(Set(matches.compactMap { $0["kind"]?.stringValue }) == ["span", "fact"])
        let scores = matches.compactMap { $0["score"]?.doubleValue }
        #expect(scores == scores.sorted(by: >))
        #expect(matches[0]["run_id"] == "r1")
        #expect(matches[0]["trace_id"] == "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a001")
        #expect(matches[0]["snippet"]?.stringValue?.contains("refund") == true)
        #expect(result["indexed_through"]?.stringValue != nil)

        // Equal scores: the newer first.
        let tie = try await f.call("memory_search", ["text": "checkout payment"])
        let tied = try #require(tie["matches"]?.arrayValue)
        #expect(tied.count == 2)
        #expect(tied[0]["title"] == "checkout payment")
    }

    @Test func filtersByRunKindAndTime() async throws {
        let f = try ServiceFixture()
        try f.ingest(plannerRun("r1", trace: 1) + plannerRun("r2", trace: 2, at: baseTime + 3_600_000_000_000))
        _ = try await f.call("memory_upsert", ["namespace": "n", "key": "k", "value": "verify the act", "run_id": "r1"])
        try await f.service.refreshSearchIndex()

        let byRun = try await f.call("memory_search", ["text": "verify", "run_id": "r2"])
        #expect(byRun["matches"]?.arrayValue?.map { $0["run_id"] } == ["r2"])
        let byKind = try await f.call("memory_search", ["text": "verify", "kinds": ["fact"]])
        #expect(byKind["matches"]?.arrayValue?.map { $0["kind"] } == ["fact"])
        let byTime = try await f.call("memory_search", [
            "text": "verify", "kinds": ["span"], "since": "2025-11-24T16:30:00Z",
        ])
        #expect(byTime["matches"]?.arrayValue?.map { $0["run_id"] } == ["r2"])
        // A span whose run id was inherited from its trace is found by the run too.
        let inherited = try await f.call("memory_search", ["text": "search", "run_id": "r1", "kinds": ["span"]])
        #expect(inherited["matches"]?.arrayValue?.contains { $0["title"] == "http GET search" } == true)
        let limited = try await f.call("memory_search", ["text": "act", "limit": 1])
        #expect(limited["matches"]?.arrayValue?.count == 1)
    }

    @Test func theIndexGrowsIncrementallyAsDataArrives() async throws {
        let f = try ServiceFixture()
        try f.ingest([span(trace: 1, span: 1, name: "alpha bravo", start: baseTime)])
        #expect(try await f.service.refreshSearchIndex().rebuilt)
        #expect(try await f.call("memory_search", ["text": "charlie"])["matches"] == [])

        try await Task.sleep(for: .milliseconds(5))
        try f.ingest([span(trace: 2, span: 1, name: "charlie bravo", start: baseTime + 1_000)])
        let second = try await f.service.refreshSearchIndex()
        #expect(!second.rebuilt)
        #expect(second.added == 1)
        #expect(try await f.service.refreshSearchIndex().added == 0)
        let found = try await f.call("memory_search", ["text": "charlie"])
        #expect(found["matches"]?.arrayValue?.count == 1)
        // Statistics stay those of a fresh build: bravo is in both documents.
        #expect(try f.count("SELECT df FROM fts_main_search_documents.dict WHERE term = 'bravo'") == 2)
        #expect(try f.count("SELECT num_docs FROM fts_main_search_documents.stats") == 2)

        // A new version of a fact replaces its document.
        _ = try await f.call("memory_upsert", ["namespace": "n", "key": "k", "value": "delta"])
        try await f.service.refreshSearchIndex()
        try await Task.sleep(for: .milliseconds(5))
        _ = try await f.call("memory_upsert", ["namespace": "n", "key": "k", "value": "echo"])
        try await f.service.refreshSearchIndex()
        #expect(try await f.call("memory_search", ["text": "delta"])["matches"] == [])
        #expect(try await f.call("memory_search", ["text": "echo"])["matches"]?.arrayValue?.count == 1)
    }

    @Test func incrementalScoresEqualAFreshBuild() async throws {
        let f = try ServiceFixture()
        try f.ingest([span(trace: 1, span: 1, name: "graph walk walk", start: baseTime)])
        try await f.service.refreshSearchIndex()
        try await Task.sleep(for: .milliseconds(5))
        try f.ingest([span(trace: 2, span: 1, name: "graph cut", start: baseTime + 1_000),
                      span(trace: 3, span: 1, name: "tree walk", start: baseTime + 2_000)])
        try await f.service.refreshSearchIndex()
        let incremental = try await f.call("memory_search", ["text": "walk graph"])["matches"]
        // Rebuild with the extension itself and compare.
        try f.store.connect().execute("PRAGMA create_fts_index('search_documents', 'doc_id', 'body', stemmer = 'porter', overwrite = 1)")
        let rebuilt = try await f.call("memory_search", ["text": "walk graph"])["matches"]
        #expect(incremental == rebuilt)
    }

    @Test func badArgumentsAreExplained() async throws {
        let f = try ServiceFixture()
        #expect(await f.failure("memory_search", [:])?.name == "invalid_arguments")
        #expect(await f.failure("memory_search", ["text": "x", "since": "yesterday"])?.message.contains("RFC 3339") == true)
        #expect(await f.failure("memory_search", ["text": "x", "kinds": ["spans"]])?.name == "invalid_arguments")
        #expect(await f.failure("memory_search", ["text": "x", "limit": 0])?.name == "invalid_arguments")
        #expect(await f.failure("memory_search", ["text": "!!!"])?.name == "invalid_arguments")
    }
}

@Suite struct SearchScoreTests {
    /// The set-wise scoring gives the extension's own `match_bm25` scores.
    @Test func scoresEqualTheExtensionsMacro() async throws {
        let f = try ServiceFixture()
        try f.ingest([
            span(trace: 1, span: 1, name: "graph walk walk", start: baseTime),
            span(trace: 2, span: 1, name: "graph cut of the long graph", start: baseTime + 1_000),
            span(trace: 3, span: 1, name: "tree walk", start: baseTime + 2_000),
            span(trace: 4, span: 1, name: "unrelated", start: baseTime + 3_000),
        ])
        try await f.service.refreshSearchIndex()
        let matches = try #require(try await f.call("memory_search", ["text": "walking graphs"])["matches"]?.arrayValue)
        #expect(matches.count == 3)
        let macro = try f.store.connect().query("""
            SELECT ref, fts_main_search_documents.match_bm25(doc_id, 'walking graphs') AS score
            FROM search_documents WHERE score IS NOT NULL
            """).rows
        let expected = Dictionary(uniqueKeysWithValues: macro.map { ($0[0].string ?? "", $0[1]) })
        for match in matches {
            let ref = try #require(match["ref"]?.stringValue)
            guard case .double(let score) = expected[ref] else { Issue.record("\(ref) not scored by the macro"); continue }
            #expect(abs((match["score"]?.doubleValue ?? 0) - score) < 1e-9)
        }
    }
}
