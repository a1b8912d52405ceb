import Contracts
import Testing

@testable import MemoryA2A

/// A2A 0.3 method names and shapes work on the same endpoint, over the same tasks.
@Suite struct ProtocolVersionTests {
    @Test func messageSendSpeaksVersion03() async throws {
        let fixture = try A2AFixture()
        let task = try await fixture.result("message/send", [
            "message": ["kind": "message", "messageId": "m1", "role": "user",
                        "parts": [["kind": "data", "data": ["tool": "memory_upsert",
                                                            "arguments": ["namespace": "n", "key": "k", "value": 2]]]]],
        ], version: nil)
        #expect(task["kind"] == "task")
        #expect(task["status"]?["state"] == "completed")
        let part = try #require(task["artifacts"]?[0]?["parts"]?[0])
        #expect(part["kind"] == "data")
        #expect(part["data"]?["version"] == 1)
        #expect(task["history"]?[0]?["kind"] == "message")
        #expect(task["history"]?[0]?["role"] == "user")
        #expect(task["history"]?[0]?["messageId"] == "m1")

        let failed = try await fixture.result("message/send", [
            "message": ["kind": "message", "messageId": "m2", "role": "user",
                        "parts": [["kind": "data", "data": ["tool": "memory_get", "arguments": [:]]]]],
        ], version: "0.3")
        #expect(failed["status"]?["state"] == "failed")
        #expect(failed["status"]?["message"]?["role"] == "agent")
        #expect(failed["status"]?["message"]?["parts"]?[1]?["kind"] == "data")
    }

    @Test func textGetsAHelpMessageIn03() async throws {
        let fixture = try A2AFixture()
        let reply = try await fixture.result("message/send", [
            "message": ["kind": "message", "messageId": "m", "role": "user", "parts": [["kind": "text", "text": "help"]]],
        ], version: "0.3")
        #expect(reply["kind"] == "message")
        #expect(reply["role"] == "agent")
        #expect(reply["parts"]?[0]?["kind"] == "text")
    }

    /// A task reads back in whichever version asks.
    @Test func tasksReadBackInEitherVersion() async throws {
        let fixture = try A2AFixture()
        let task = try await fixture.run("memory_health")
        let id = try #require(task["id"])
        let old = try await fixture.result("tasks/get", ["id": id], version: "0.3")
        #expect(old["kind"] == "task")
        #expect(old["id"] == id)
        #expect(old["status"]?["state"] == "completed")
        #expect(old["artifacts"]?[0]?["parts"]?[0]?["data"] == task["artifacts"]?[0]?["parts"]?[0]?["data"])
    }

    /// The `A2A-Version` header may be absent; when present it must name 1.x or 0.3.
    @Test func versionHeader() async throws {
        let fixture = try A2AFixture()
        for accepted in ["1.0", "1", "1.1", "0.3", "0.3.0", " 1.0 ", ""] {
            let error = try await fixture.error("GetTask", ["id": "x"], version: accepted)
            #expect(error["code"] == -32001, "A2A-Version: \(accepted)")
        }
        for refused in ["2.0", "0.2", "latest"] {
            let error = try await fixture.error("GetTask", ["id": "x"], version: refused)
            #expect(error["code"] == -32009, "A2A-Version: \(refused)")
            #expect(error["data"]?[0]?["reason"] == "VERSION_NOT_SUPPORTED")
        }
    }
}
