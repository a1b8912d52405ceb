import Contracts
import MemoryService
import Testing

@testable import MemoryA2A

@Suite struct SendMessageTests {
    /// A data part runs the operation; the task is completed and its artifact holds the
    /// service's result, as MCP and REST return it.
    @Test func dataPartRunsTheOperation() async throws {
        let fixture = try A2AFixture()
        let upserted = try await fixture.run("memory_upsert", ["namespace": "prefs", "key": "theme", "value": ["dark": true]])
        #expect(upserted["status"]?["state"] == "TASK_STATE_COMPLETED")
        #expect(upserted["status"]?["timestamp"]?.stringValue?.hasSuffix("Z") == true)
        #expect(upserted["artifacts"]?[0]?["name"] == "memory_upsert")
        let part = try #require(upserted["artifacts"]?[0]?["parts"]?[0])
        #expect(part["mediaType"] == "application/json")
        #expect(part["data"]?["version"] == 1)

        let got = try await fixture.run("memory_get", ["namespace": "prefs", "key": "theme"])
        let direct = try await fixture.service.call("memory_get", arguments: ["namespace": "prefs", "key": "theme"],
                                                    caller: Caller(surface: .cli))
        #expect(got["artifacts"]?[0]?["parts"]?[0]?["data"] == direct)
        #expect(direct["value"] == ["dark": true])
    }

    /// Facts written over A2A say so: the caller's surface is `a2a`, its principal the client.
    @Test func writesAreAttributedToTheA2ASurface() async throws {
        let fixture = try A2AFixture()
        _ = try await fixture.run("memory_upsert", ["namespace": "n", "key": "k", "value": 1])
        let got = try await fixture.run("memory_query", ["sql": "select surface, written_by from memories"])
        let result = try #require(got["artifacts"]?[0]?["parts"]?[0]?["data"])
        #expect(result["rows"] == [["a2a", "a2a-tests"]])
    }

    /// The task keeps the client's message, tied to the task and its context.
    @Test func taskRecordsTheRequestAndItsContext() async throws {
        let fixture = try A2AFixture()
        let result = try await fixture.result("SendMessage", [
            "message": message(.text("please"), .data(["tool": "memory_health"]), contextID: "ctx-1"),
        ])
        let task = try #require(result["task"])
        #expect(task["contextId"] == "ctx-1")
        #expect(task["status"]?["state"] == "TASK_STATE_COMPLETED")
        let history = try #require(task["history"]?.arrayValue)
        #expect(history.count == 1)
        #expect(history[0]["role"] == "ROLE_USER")
        #expect(history[0]["taskId"] == task["id"])
        #expect(history[0]["contextId"] == "ctx-1")
        #expect(history[0]["parts"]?[0] == ["text": "please"])
    }

    /// A call the service refuses is a failed task carrying the error (code and message),
    /// kept like any other task.
    @Test func failingOperationIsAFailedTaskWithTheError() async throws {
        let fixture = try A2AFixture()
        let task = try await fixture.run("memory_query", ["sql": "delete from spans"])
        #expect(task["status"]?["state"] == "TASK_STATE_FAILED")
        #expect(task["artifacts"] == nil)
        let reason = try #require(task["status"]?["message"])
        #expect(reason["role"] == "ROLE_AGENT")
        #expect(reason["parts"]?[0]?["text"]?.stringValue?.hasPrefix("memory_query failed (") == true)
        let error = try #require(reason["parts"]?[1]?["data"]?["error"])
        #expect(error["code"] == "refused" || error["code"] == "invalid_arguments")
        #expect(error["message"]?.stringValue?.isEmpty == false)

        let again = try await fixture.result("GetTask", ["id": try #require(task["id"])])
        #expect(again["status"]?["state"] == "TASK_STATE_FAILED")
    }

    @Test func invalidArgumentsAreAFailedTask() async throws {
        let fixture = try A2AFixture()
        let task = try await fixture.run("memory_get", ["namespace": "n"])
        #expect(task["status"]?["state"] == "TASK_STATE_FAILED")
        #expect(task["status"]?["message"]?["parts"]?[1]?["data"]?["error"]?["code"] == "invalid_arguments")
    }

    /// Text alone gets help: a direct message (no task) naming every operation, with their
    /// schemas and examples in a data part.
    @Test func textIsAnsweredWithHelp() async throws {
        let fixture = try A2AFixture()
        let result = try await fixture.result("SendMessage", ["message": message(.text("what can you do?"), contextID: "c")])
        #expect(result["task"] == nil)
        let reply = try #require(result["message"])
        #expect(reply["role"] == "ROLE_AGENT")
        #expect(reply["contextId"] == "c")
        let text = try #require(reply["parts"]?[0]?["text"]?.stringValue)
        for tool in MemoryService.tools { #expect(text.contains("- \(tool.name): \(tool.title)")) }
        #expect(text.contains(#"{"tool": "<operation>", "arguments": {…}}"#))
        let tools = try #require(reply["parts"]?[1]?["data"]?["tools"]?.arrayValue)
        #expect(tools.compactMap { $0["name"]?.stringValue } == MemoryService.tools.map(\.name))
        #expect(tools.allSatisfy { $0["inputSchema"]?["type"] == "object" && $0["example"]?["tool"] == $0["name"] })
        #expect(fixture.tasks.count == 0)
    }

    /// A client that takes only text gets the result as JSON text.
    @Test func textOnlyClientsGetJSONText() async throws {
        let fixture = try A2AFixture()
        let result = try await fixture.result("SendMessage", [
            "message": message(.data(["tool": "memory_upsert", "arguments": ["namespace": "n", "key": "k", "value": "v"]])),
            "configuration": ["acceptedOutputModes": ["text/plain"]],
        ])
        let part = try #require(result["task"]?["artifacts"]?[0]?["parts"]?[0])
        #expect(part["data"] == nil)
        let parsed = try JSONValue(parsing: try #require(part["text"]?.stringValue))
        #expect(parsed["version"] == 1)
    }

    @Test func unacceptableOutputModeIsContentTypeNotSupported() async throws {
        let fixture = try A2AFixture()
        let error = try await fixture.error("SendMessage", [
            "message": message(.data(["tool": "memory_health"])), "configuration": ["acceptedOutputModes": ["image/png"]],
        ])
        #expect(error["code"] == -32005)
        #expect(fixture.tasks.count == 0)
    }

    @Test func filePartsAreContentTypeNotSupported() async throws {
        let fixture = try A2AFixture()
        for part: JSONValue in [["url": "https://example.com/a.png", "mediaType": "image/png"], ["raw": "aGk="],
                                ["kind": "file", "file": ["uri": "https://example.com/a.pdf", "mimeType": "application/pdf"]]] {
            let error = try await fixture.error("SendMessage", ["message": ["messageId": "m", "role": "ROLE_USER", "parts": [part]]])
            #expect(error["code"] == -32005, "\(part)")
        }
    }

    /// Naming no operation, or one that does not exist, is a bad request, not a task.
    @Test func malformedOperationsAreInvalidParams() async throws {
        let fixture = try A2AFixture()
        let cases: [JSONValue] = [
            ["message": message(.data(["arguments": [:]]))],
            ["message": message(.data(["tool": 7]))],
            ["message": message(.data(["tool": "memory_get", "arguments": ["a", "b"]]))],
            ["message": message(.data(["tool": "memory_health"]), .data(["tool": "memory_schema"]))],
            ["message": ["messageId": "m", "role": "ROLE_USER", "parts": []]],
            ["message": "hello"],
            [:],
        ]
        for params in cases {
            let error = try await fixture.error("SendMessage", params)
            #expect(error["code"] == -32602, "\(params)")
        }
        let unknown = try await fixture.error("SendMessage", ["message": message(.data(["tool": "memory_teleport"]))])
        #expect(unknown["code"] == -32602)
        #expect(unknown["message"]?.stringValue?.contains("unknown tool memory_teleport") == true)
        #expect(unknown["message"]?.stringValue?.contains("memory_query") == true)
        #expect(fixture.tasks.count == 0)
    }

    /// Tasks finish when they are created: a follow-up to one is refused, and one to a task
    /// that does not exist says so.
    @Test func followUpsToTasksAreRefused() async throws {
        let fixture = try A2AFixture()
        let task = try await fixture.run("memory_health")
        let id = try #require(task["id"]?.stringValue)
        let finished = try await fixture.error("SendMessage", ["message": message(.text("more"), taskID: id)])
        #expect(finished["code"] == -32004)
        #expect(finished["message"]?.stringValue?.contains("TASK_STATE_COMPLETED") == true)
        let unknown = try await fixture.error("SendMessage", ["message": message(.text("more"), taskID: "no-such-task")])
        #expect(unknown["code"] == -32001)
    }

    @Test func historyLengthLimitsTheReturnedHistory() async throws {
        let fixture = try A2AFixture()
        let result = try await fixture.result("SendMessage", [
            "message": message(.data(["tool": "memory_health"])), "configuration": ["historyLength": 0],
        ])
        #expect(result["task"]?["history"] == nil)
        let negative = try await fixture.error("SendMessage", [
            "message": message(.data(["tool": "memory_health"])), "configuration": ["historyLength": -1],
        ])
        #expect(negative["code"] == -32602)
    }

    /// a2a-sdk sends data as protobuf Values, whose numbers are doubles: whole ones become
    /// integers again, so they pass integer arguments and facts store `3`, not `3.0`.
    @Test func wholeDoublesBecomeIntegers() async throws {
        let fixture = try A2AFixture()
        let query = try await fixture.run("memory_query", ["sql": "select 1 as one", "max_rows": 10.0])
        #expect(query["status"]?["state"] == "TASK_STATE_COMPLETED", "\(query)")
        _ = try await fixture.run("memory_upsert", ["namespace": "n", "key": "k", "value": ["size": 3.0, "ratio": 0.5]])
        let got = try await fixture.service.call("memory_get", arguments: ["namespace": "n", "key": "k"], caller: Caller(surface: .cli))
        #expect(got["value"]?["size"].map { if case .integer(3) = $0 { true } else { false } } == true, "\(got)")
        #expect(got["value"]?["ratio"] == 0.5)
    }
}
