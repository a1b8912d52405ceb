import Foundation
import Testing

/// The REST mirror of the memory tools: same names and arguments, JSON errors with statuses.
@Suite struct RESTTests {
    private func json(_ response: HTTP.Response) throws -> JSONValue { try JSONValue(bytes: response.body) }

    private func post(_ port: Int, _ path: String, _ body: String) async throws -> HTTP.Response {
        try await HTTP.post(port: port, path: path, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
    }

    @Test func factsRoundTripThroughTheResourcePaths() async throws {
        try await InProcessServer.with { server in
            let port = server.apiPort
            let created = try await post(port, "/v1/memories", #"{"namespace":"ops","key":"owner","value":{"team":"infra"}}"#)
            #expect(created.status == 200, "\(created)")
            #expect(try json(created)["version"]?.int64Value == 1)
            _ = try await post(port, "/v1/memories", #"{"namespace":"ops","key":"owner","value":"sre"}"#)

            let fetched = try await HTTP.get(port: port, path: "/v1/memories/ops/owner?history=true")
            #expect(fetched.status == 200, "\(fetched)")
            #expect(try json(fetched)["value"]?.stringValue == "sre")
            #expect(try json(fetched)["history"]?.arrayValue?.count == 2)
            #expect(try json(fetched)["surface"]?.stringValue == "rest")

            let conflict = try await post(port, "/v1/memories", #"{"namespace":"ops","key":"owner","value":1,"if_version":1}"#)
            #expect(conflict.status == 409)
            #expect(try json(conflict)["error"]?["code"]?.stringValue == "conflict")

            let deleted = try await HTTP.request(port: port, method: .delete, path: "/v1/memories/ops/owner", headers: [],
                                                 body: nil, timeout: .seconds(30))
            #expect(deleted.status == 200)
            #expect(try json(deleted)["facts"]?.int64Value == 1)
            #expect(try json(deleted)["versions"]?.int64Value == 2)
            let missing = try await HTTP.get(port: port, path: "/v1/memories/ops/owner")
            #expect(missing.status == 404)
            #expect(try json(missing)["error"]?["code"]?.stringValue == "not_found")
        }
    }

    @Test func everyToolIsServedAtItsGenericPath() async throws {
        try await InProcessServer.with { server in
            let port = server.apiPort
            let tools = try json(try await HTTP.get(port: port, path: "/v1/tools"))["tools"]?.arrayValue ?? []
            // The nine memory tools, ops_gate (issue 7), plan_status and packet_status (issue 8).
            #expect(tools.count == 12)
            let health = try await post(port, "/v1/tools/memory_health", "{}")
            #expect(health.status == 200)
            #expect(try json(health)["status"]?.stringValue == "ok")
            let query = try await post(port, "/v1/query", #"{"sql":"SELECT 1 + $1 AS two","params":[1]}"#)
            #expect(try json(query)["rows"]?.arrayValue?.first?.arrayValue?.first?.int64Value == 2)
            let schema = try await HTTP.get(port: port, path: "/v1/schema")
            #expect(schema.status == 200)
            let exceptions = try await HTTP.get(port: port, path: "/v1/exceptions?since_minutes=5&limit=3")
            #expect(exceptions.status == 200, "\(exceptions)")
            let search = try await HTTP.get(port: port, path: "/v1/search?text=anything&kinds=span,log&limit=5")
            #expect(search.status == 200, "\(search)")
        }
    }

    @Test func badRequestsGetJSONErrors() async throws {
        try await InProcessServer.with { server in
            let port = server.apiPort
            let cases: [(HTTP.Response, Int, String)] = [
                (try await post(port, "/v1/tools/no_such_tool", "{}"), 404, "unknown_tool"),
                (try await post(port, "/v1/query", "{not json"), 400, "invalid_json"),
                (try await post(port, "/v1/query", #"{"sql":"DROP TABLE spans"}"#), 400, "refused"),
                (try await post(port, "/v1/query", #"{"sql":"SELECT 1","max_rows":"many"}"#), 400, "invalid_arguments"),
                (try await HTTP.get(port: port, path: "/v1/runs/no-such-run"), 404, "not_found"),
                (try await HTTP.get(port: port, path: "/v1/exceptions?limit=lots"), 400, "invalid_arguments"),
                (try await HTTP.request(port: port, method: .delete, path: "/v1/memories", headers: [], body: nil,
                                        timeout: .seconds(30)), 400, "invalid_arguments"),
            ]
            for (response, status, code) in cases {
                #expect(response.status == status, "\(response)")
                #expect(response.contentType == "application/json")
                #expect(try json(response)["error"]?["code"]?.stringValue == code, "\(response)")
                #expect(try json(response)["error"]?["message"]?.stringValue?.isEmpty == false)
            }
            // Still serving.
            #expect(try await HTTP.get(port: port, path: "/healthz").status == 200)
        }
    }

    @Test func aRunIngestedOverOTLPIsSummarizedAndSearchable() async throws {
        try await InProcessServer.with { server in
            let spans = """
                {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"planner"}}]},
                "scopeSpans":[{"scope":{"name":"t"},"spans":[
                {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"plan the zephyr migration",
                 "kind":1,"startTimeUnixNano":"1764000000000000000","endTimeUnixNano":"1764000000500000000",
                 "attributes":[{"key":"dome.run.id","value":{"stringValue":"rest-run"}},{"key":"dome.stage","value":{"stringValue":"plan"}},
                               {"key":"dome.stage.index","value":{"intValue":"0"}}]}]}]}]}
                """
            let ingested = try await HTTP.post(port: server.otlpPort, signal: "traces", contentType: "application/json",
                                               body: Array(spans.utf8))
            #expect(ingested.status == 200)
            let summary = try await HTTP.get(port: server.apiPort, path: "/v1/runs/rest-run")
            #expect(summary.status == 200, "\(summary)")
            #expect(try json(summary)["stages"]?.arrayValue?.first?["stage"]?.stringValue == "plan")
            try await server.server.memory.refreshSearchIndex()
            let found = try await HTTP.get(port: server.apiPort, path: "/v1/search?text=zephyr")
            #expect(try json(found)["matches"]?.arrayValue?.first?["run_id"]?.stringValue == "rest-run", "\(found)")
        }
    }
}

@Suite struct MetricsTests {
    @Test func prometheusExpositionCountsToolCallsAndSizes() async throws {
        try await InProcessServer.with { server in
            let port = server.apiPort
            _ = try await HTTP.get(port: port, path: "/v1/health")
            _ = try await HTTP.get(port: port, path: "/v1/runs/missing")
            let metrics = try await HTTP.get(port: port, path: "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.contentType?.hasPrefix("text/plain") == true)
            let text = metrics.text
            #expect(text.contains(#"memoryd_tool_calls_total{tool="memory_health",surface="rest",outcome="ok"} 1"#), "\(text)")
            #expect(text.contains(#"memoryd_tool_calls_total{tool="run_summary",surface="rest",outcome="not_found"} 1"#))
            #expect(text.contains("memoryd_tool_call_seconds_bucket"))
            #expect(text.contains(#"memoryd_table_rows{table="spans"} 0"#))
            #expect(text.contains("memoryd_ingest_queued_batches 0"))
            #expect(text.contains("memoryd_db_bytes"))
        }
    }
}

@Suite struct EventsEndpointTests {
    static let envelopes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ContractsTests/Fixtures/envelopes")

    @Test func ndjsonEnvelopesAreStoredOnceAndDerived() async throws {
        let dirty = try Data(contentsOf: Self.envelopes.appendingPathComponent("dirty.jsonl"))
        let expected = try JSONValue(bytes: [UInt8](try Data(contentsOf: Self.envelopes.appendingPathComponent("dirty.expected.json"))))
        try await InProcessServer.with { server in
            let port = server.apiPort
            let first = try await HTTP.post(port: port, path: "/v1/events", headers: [("Content-Type", "application/x-ndjson")],
                                            body: [UInt8](dirty))
            #expect(first.status == 200, "\(first)")
            let summary = try JSONValue(bytes: first.body)
            #expect(summary["stored"]?.int64Value == expected["events_stored"]?.int64Value)
            #expect(summary["rejected"]?.int64Value == Int64(expected["rejected_ids_or_kinds"]?.arrayValue?.count ?? -1))
            #expect(summary["duplicates"]?.int64Value == expected["duplicates_in_stream"]?.int64Value)
            #expect(summary["unknown_topics"]?.int64Value == 1)
            // Redelivery stores nothing new.
            let again = try await HTTP.post(port: port, path: "/v1/events", headers: [("Content-Type", "application/x-ndjson")],
                                            body: [UInt8](dirty))
            #expect(try JSONValue(bytes: again.body)["stored"]?.int64Value == 0)

            try await server.server.memory.refreshDerivedTables()
            func count(_ sql: String) async throws -> Int64? {
                let response = try await HTTP.post(port: port, path: "/v1/query", headers: [("Content-Type", "application/json")],
                                                   body: Array("{\"sql\": \"\(sql)\"}".utf8))
                return try JSONValue(bytes: response.body)["rows"]?.arrayValue?.first?.arrayValue?.first?.int64Value
            }
            #expect(try await count("SELECT count(*) FROM events") == expected["events_stored"]?.int64Value)
            #expect(try await count("SELECT count(*) FROM guard_outcomes") == expected["guard_outcomes"]?.int64Value)
            #expect(try await count("SELECT count(*) FROM state_transitions") == expected["state_transitions"]?.int64Value)
            #expect(try await count("SELECT count(*) FROM runs") == expected["runs"]?.int64Value)
            #expect(try await count("SELECT count(*) FROM memories") == expected["facts"]?.int64Value)

            // run_summary carries the run's transitions in seq order and its derived state.
            let picked = try await HTTP.post(port: port, path: "/v1/query", headers: [("Content-Type", "application/json")],
                                             body: Array(#"{"sql": "SELECT run_id, count(*) AS n FROM state_transitions GROUP BY run_id ORDER BY n DESC, run_id LIMIT 1"}"#.utf8))
            let top = try JSONValue(bytes: picked.body)["rows"]?.arrayValue?.first?.arrayValue
            let run = try #require(top?.first?.stringValue)
            let runSummary = try JSONValue(bytes: try await HTTP.get(port: port, path: "/v1/runs/\(run)").body)
            let transitions = runSummary["transitions"]?.arrayValue ?? []
            #expect(Int64(transitions.count) == top?.last?.int64Value)
            let seqs = transitions.compactMap { $0["seq"]?.int64Value }
            #expect(seqs == seqs.sorted())
            #expect(runSummary["current_state"]?.stringValue == transitions.last?["to"]?.stringValue)
            #expect(runSummary["status"]?.stringValue != nil)

            let wrongType = try await HTTP.post(port: port, path: "/v1/events", headers: [("Content-Type", "image/png")], body: [1, 2])
            #expect(wrongType.status == 415)
        }
    }
}
