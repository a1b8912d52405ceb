import Contracts
import Testing

@testable import MemoryA2A

@Suite struct TaskMethodTests {
    @Test func getTaskReturnsTheStoredTask() async throws {
        let fixture = try A2AFixture()
        let task = try await fixture.run("memory_upsert", ["namespace": "n", "key": "k", "value": "v"])
        let got = try await fixture.result("GetTask", ["id": try #require(task["id"])])
        #expect(got == task)
        let trimmed = try await fixture.result("GetTask", ["id": try #require(task["id"]), "historyLength": 0])
        #expect(trimmed["history"] == nil)
        #expect(trimmed["artifacts"] == task["artifacts"])
    }

    @Test func unknownTasksAreTaskNotFound() async throws {
        let fixture = try A2AFixture()
        for method in ["GetTask", "CancelTask", "tasks/get", "tasks/cancel"] {
            let error = try await fixture.error(method, ["id": "no-such-task"])
            #expect(error["code"] == -32001, "\(method)")
            #expect(error["message"] == "task not found: no-such-task")
            #expect(error["data"]?[0]?["reason"] == "TASK_NOT_FOUND")
        }
    }

    /// Every task has finished by the time its id is known, so none can be canceled.
    @Test func finishedTasksAreNotCancelable() async throws {
        let fixture = try A2AFixture()
        let task = try await fixture.run("memory_health")
        let error = try await fixture.error("CancelTask", ["id": try #require(task["id"])])
        #expect(error["code"] == -32002)
        #expect(error["data"]?[0]?["reason"] == "TASK_NOT_CANCELABLE")
        let failed = try await fixture.run("memory_get", [:])
        let again = try await fixture.error("tasks/cancel", ["id": try #require(failed["id"])], version: "0.3")
        #expect(again["code"] == -32002)
        #expect(again["message"]?.stringValue?.contains("is failed") == true)
    }

    @Test func taskMethodsNeedAnID() async throws {
        let fixture = try A2AFixture()
        for method in ["GetTask", "CancelTask"] {
            #expect(try await fixture.error(method, [:])["code"] == -32602)
            #expect(try await fixture.error(method, ["id": 5])["code"] == -32602)
        }
        let task = try await fixture.run("memory_health")
        #expect(try await fixture.error("GetTask", ["id": try #require(task["id"]), "historyLength": "all"])["code"] == -32602)
    }
}
