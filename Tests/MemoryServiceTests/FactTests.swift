import Contracts
import Foundation
import MemoryService
import MemoryStore
import Redaction
import Testing

@Suite struct FactTests {
    @Test func upsertVersionsAndHistoryRecordWhoWhenAndWhere() async throws {
        let f = try ServiceFixture()
        let mcp = Caller(surface: .mcp, principal: "claude", traceID: "0af7651916cd43dd8448eb211c80319c")
        let first = try await f.call("memory_upsert", ["namespace": "planner", "key": "goal", "value": ["text": "ship"], "run_id": "r1"], caller: mcp)
        #expect(first["version"] == 1)
        let second = try await f.call("memory_upsert", ["namespace": "planner", "key": "goal", "value": "ship v2", "source": "tests"])
        #expect(second["version"] == 2)

        let fact = try await f.call("memory_get", ["namespace": "planner", "key": "goal", "history": true])
        #expect(fact["value"] == "ship v2")
        #expect(fact["version"] == 2)
        #expect(fact["surface"] == "cli")
        #expect(fact["source"] == "tests")
        let history = try #require(fact["history"]?.arrayValue)
        #expect(history.count == 2)
        #expect(history[0]["version"] == 2)
        #expect(history[1]["value"] == ["text": "ship"])
        #expect(history[1]["surface"] == "mcp")
        #expect(history[1]["written_by"] == "claude")
        #expect(history[1]["run_id"] == "r1")
        #expect(history[1]["trace_id"] == "0af7651916cd43dd8448eb211c80319c")
        #expect(history[1]["updated_at"]?.stringValue?.hasSuffix("Z") == true)

        let plain = try await f.call("memory_get", ["namespace": "planner", "key": "goal"])
        #expect(plain["history"] == nil)
    }

    @Test func ifVersionGivesOptimisticConcurrency() async throws {
        let f = try ServiceFixture()
        let created = try await f.call("memory_upsert", ["namespace": "n", "key": "k", "value": 1, "if_version": 0])
        #expect(created["version"] == 1)
        let again = await f.failure("memory_upsert", ["namespace": "n", "key": "k", "value": 2, "if_version": 0])
        #expect(again?.name == "conflict")
        let stale = await f.failure("memory_upsert", ["namespace": "n", "key": "k", "value": 3, "if_version": 7])
        #expect(stale?.name == "conflict")
        #expect(stale?.message.contains("version 1") == true)
        let ok = try await f.call("memory_upsert", ["namespace": "n", "key": "k", "value": 4, "if_version": 1])
        #expect(ok["version"] == 2)
        // Nothing of the refused writes was stored.
        #expect(try f.count("SELECT count(*) FROM memory_history") == 2)
        #expect(try await f.call("memory_get", ["namespace": "n", "key": "k"])["value"] == 4)
    }

    @Test func concurrentConditionalWritesLetExactlyOneWin() async throws {
        let f = try ServiceFixture()
        _ = try await f.call("memory_upsert", ["namespace": "n", "key": "race", "value": 0])
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<8 {
                group.addTask {
                    (try? await f.call("memory_upsert", ["namespace": "n", "key": "race", "value": .integer(Int64(i)), "if_version": 1])) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try f.count("SELECT version FROM memories WHERE key = 'race'") == 2)
    }

    @Test func expiredFactsAreInvisibleThenPurged() async throws {
        let f = try ServiceFixture()
        _ = try await f.call("memory_upsert", ["namespace": "n", "key": "short", "value": "soon gone", "ttl_s": 1])
        _ = try await f.call("memory_upsert", ["namespace": "n", "key": "long", "value": "stays", "ttl_s": 3600])
        #expect(try f.count("SELECT epoch_ms(expires_at) - epoch_ms(updated_at) FROM memories WHERE key = 'short'") == 1000)
        try await Task.sleep(for: .milliseconds(1100))
        let gone = await f.failure("memory_get", ["namespace": "n", "key": "short"])
        #expect(gone?.name == "not_found")
        // Expired counts as absent for a conditional create.
        let recreated = try await f.call("memory_upsert", ["namespace": "n", "key": "short", "value": "back", "if_version": 0, "ttl_s": 1])
        #expect(recreated["version"] == 2)
        try await Task.sleep(for: .milliseconds(1100))
        #expect(try await f.service.purgeExpiredFacts() == 1)
        #expect(try f.count("SELECT count(*) FROM memories WHERE key = 'short'") == 0)
        #expect(try f.count("SELECT count(*) FROM memory_history WHERE key = 'short'") == 0)
        let long = try await f.call("memory_get", ["namespace": "n", "key": "long"])
        #expect(long["value"] == "stays")
        #expect(long["expires_at"]?.stringValue != nil)
    }

    @Test func sizeCapsRefuseOversizedFacts() async throws {
        let f = try ServiceFixture()
        let namespace = await f.failure("memory_upsert", ["namespace": .string(String(repeating: "n", count: 129)), "key": "k", "value": 1])
        #expect(namespace?.name == "invalid_arguments")
        let key = await f.failure("memory_upsert", ["namespace": "n", "key": .string(String(repeating: "k", count: 513)), "value": 1])
        #expect(key?.name == "invalid_arguments")
        let value = await f.failure("memory_upsert", ["namespace": "n", "key": "k", "value": .string(String(repeating: "v", count: 70_000))])
        #expect(value?.name == "invalid_arguments")
        #expect(value?.message.contains("65536") == true)
        let empty = await f.failure("memory_upsert", ["namespace": "", "key": "k", "value": 1])
        #expect(empty?.name == "invalid_arguments")
        let missing = await f.failure("memory_upsert", ["namespace": "n", "key": "k"])
        #expect(missing?.name == "invalid_arguments")
        #expect(try f.count("SELECT count(*) FROM memory_history") == 0)
    }

    @Test func forgetDeletesFactsAndHistoryEverywhere() async throws {
        let f = try ServiceFixture()
        _ = try await f.call("memory_upsert", ["namespace": "a", "key": "one", "value": "zanzibar quokka", "run_id": "r1"])
        _ = try await f.call("memory_upsert", ["namespace": "a", "key": "one", "value": "zanzibar quokka again"])
        _ = try await f.call("memory_upsert", ["namespace": "a", "key": "two", "value": "kept", "run_id": "r2"])
        _ = try await f.call("memory_upsert", ["namespace": "b", "key": "three", "value": "by run", "run_id": "r3"])
        _ = try await f.call("memory_upsert", ["namespace": "c", "key": "four", "value": "whole namespace"])
        try await f.service.refreshSearchIndex()
        #expect(try f.count("SELECT count(*) FROM fts_main_search_documents.dict WHERE term = 'quokka'") == 1)

        // One version was written by r1: selecting by run takes the whole fact.
        let byRun = try await f.call("memory_forget", ["run_id": "r1"])
        #expect(byRun["facts"] == 1)
        #expect(byRun["versions"] == 2)
        #expect(byRun["search_documents"] == 1)
        #expect(try f.count("SELECT count(*) FROM memory_history WHERE key = 'one'") == 0)
        #expect(try f.count("SELECT count(*) FROM search_documents WHERE body LIKE '%quokka%'") == 0)
        // The words are gone from the index's vocabulary too: a real delete.
        #expect(try f.count("SELECT count(*) FROM fts_main_search_documents.dict WHERE term = 'quokka'") == 0)

        let byKey = try await f.call("memory_forget", ["namespace": "b", "key": "three"])
        #expect(byKey["facts"] == 1)
        let byNamespace = try await f.call("memory_forget", ["namespace": "c"])
        #expect(byNamespace["facts"] == 1)
        let nothing = try await f.call("memory_forget", ["namespace": "nope"])
        #expect(nothing["facts"] == 0)
        #expect(try f.count("SELECT count(*) FROM memories") == 1)
        let unselective = await f.failure("memory_forget", [:])
        #expect(unselective?.name == "invalid_arguments")
    }

    @Test func secretsInValuesAreRedactedBeforeTheyAreStored() async throws {
        let f = try ServiceFixture(redactor: try Redactor())
        let secret = "sk-proj-Abcdefghijklmnopqrstuvwxyz0123456789ABCD"
        _ = try await f.call("memory_upsert", ["namespace": "cfg", "key": "llm", "value": ["api_key": .string(secret), "model": "gpt"]])
        let fact = try await f.call("memory_get", ["namespace": "cfg", "key": "llm"])
        #expect(fact["value"]?["api_key"]?.stringValue?.hasPrefix("[REDACTED:") == true)
        #expect(fact["value"]?["model"] == "gpt")
        #expect(try f.count("SELECT count(*) FROM memory_history WHERE value::VARCHAR LIKE '%\(secret)%'") == 0)
        #expect(try f.count("SELECT count(*) FROM redactions WHERE table_name = 'memories' AND path = 'value.api_key'") == 1)
    }
}
