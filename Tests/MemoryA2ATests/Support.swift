import Contracts
import Foundation
import Logging
import MemoryService
import MemoryStore
import Testing

@testable import MemoryA2A

/// A dispatcher over a memory service on a fresh store in a temporary folder.
final class A2AFixture: @unchecked Sendable {
    let directory: URL
    let store: Store
    let service: MemoryService
    let tasks: A2ATaskStore
    let dispatcher: A2ADispatcher

    init(tasks: A2ATaskStore = A2ATaskStore()) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("a2a-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("memory.duckdb").path)
        var logger = Logger(label: "a2a-tests")
        logger.logLevel = .error
        service = try MemoryService(store: store, redactor: nil, logger: logger)
        self.tasks = tasks
        dispatcher = A2ADispatcher(service: service, tasks: tasks, logger: logger)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// The response to a raw body (nil: no response, as for a notification).
    func raw(_ body: String, version: String? = "1.0") async -> JSONValue? {
        await dispatcher.respond(to: Array(body.utf8), versionHeader: version, principal: "a2a-tests")
    }

    /// The whole JSON-RPC response to `method(params)` with id 1.
    func rpc(_ method: String, _ params: JSONValue = [:], version: String? = "1.0") async throws -> JSONValue {
        let request: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": .string(method), "params": params]
        return try #require(await raw(request.jsonText, version: version))
    }

    /// The `result` of a call that must succeed.
    func result(_ method: String, _ params: JSONValue = [:], version: String? = "1.0") async throws -> JSONValue {
        let response = try await rpc(method, params, version: version)
        #expect(response["error"] == nil, "\(method) failed: \(response)")
        return try #require(response["result"], "no result: \(response)")
    }

    /// The `error` of a call that must fail.
    func error(_ method: String, _ params: JSONValue = [:], version: String? = "1.0") async throws -> JSONValue {
        let response = try await rpc(method, params, version: version)
        #expect(response["result"] == nil, "\(method) succeeded: \(response)")
        return try #require(response["error"], "no error: \(response)")
    }

    /// `SendMessage` of one data part calling `tool`; returns the task.
    func run(_ tool: String, _ arguments: JSONValue = [:]) async throws -> JSONValue {
        let result = try await self.result("SendMessage", ["message": message(.data(["tool": .string(tool), "arguments": arguments]))])
        return try #require(result["task"], "no task: \(result)")
    }
}

enum TestPart {
    case text(String)
    case data(JSONValue)
}

/// A user message in A2A 1.0's shape.
func message(_ parts: TestPart..., taskID: String? = nil, contextID: String? = nil) -> JSONValue {
    var object = JSONObject([("messageId", .string(UUID().uuidString)), ("role", "ROLE_USER")] as [(String, JSONValue)])
    object["parts"] = .array(parts.map { part in
        switch part {
        case .text(let text): ["text": .string(text)]
        case .data(let data): ["data": data]
        }
    })
    if let taskID { object["taskId"] = .string(taskID) }
    if let contextID { object["contextId"] = .string(contextID) }
    return .object(object)
}

extension JSONValue {
    /// An element of an array (nil out of range or for a value that is not an array).
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
