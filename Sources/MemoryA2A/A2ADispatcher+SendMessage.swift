import Contracts
import Foundation
import MemoryService

extension A2ADispatcher {
    /// `SendMessage` / `message/send`. A data part `{"tool", "arguments"}` runs that memory
    /// operation as a task, answered once it has finished (completed with the result as an
    /// artifact, or failed with the error); text alone is answered with a help message.
    func sendMessage(_ params: JSONObject, version: A2AVersion, caller: Caller) async throws(A2AError) -> JSONValue {
        guard let messageJSON = params["message"] else { throw .invalidParams("params.message is required") }
        var message = try A2AMessage(request: messageJSON)
        let configuration: JSONObject?
        switch params["configuration"] {
        case nil, .null?: configuration = nil
        case .object(let object)?: configuration = object
        default: throw .invalidParams("params.configuration must be an object")
        }
        let output = try A2AOutputMode(accepted: configuration?["acceptedOutputModes"])
        let historyLength = try Self.historyLength(configuration?["historyLength"])

        // Tasks end when they are created, and a finished task takes no more messages.
        if let taskID = message.taskID {
            guard let task = tasks.task(id: taskID) else { throw .taskNotFound(taskID) }
            throw .unsupportedOperation("task \(taskID) is \(task.stateName(version)) and takes no further messages; "
                + "send a new message without taskId")
        }
        let contextID = message.contextID ?? Self.newID()

        let data = message.parts.compactMap { part -> JSONValue? in
            if case .data(let value) = part { value } else { nil }
        }
        guard let operation = data.first else {
            return Self.sendResult(.message(help(contextID: contextID, output: output)), version: version)
        }
        guard data.count == 1 else {
            throw .invalidParams("one operation per message: the message has \(data.count) data parts")
        }
        let (tool, arguments) = try Self.operation(operation)

        let taskID = Self.newID()
        message.taskID = taskID
        message.contextID = contextID
        let task: A2ATask
        do {
            let result = try await service.call(tool, arguments: arguments, caller: caller)
            task = A2ATask(id: taskID, contextID: contextID, state: .completed, timestamp: Date(), statusMessage: nil,
                           artifacts: [.init(artifactID: Self.newID(), name: tool, parts: [output.part(result)])],
                           history: [message])
        } catch where error.isUnknownTool {
            // Naming an operation that does not exist is a bad request, not a failed task.
            throw .invalidParams("\(error.message); the operations are "
                + MemoryService.tools.map(\.name).joined(separator: ", "))
        } catch {
            var parts: [A2AMessage.Part] = [.text("\(tool) failed (\(error.name)): \(error.message)")]
            if output == .json { parts.append(.data(["error": ["code": .string(error.name), "message": .string(error.message)]])) }
            let reason = A2AMessage(messageID: Self.newID(), role: .agent, parts: parts, taskID: taskID, contextID: contextID)
            task = A2ATask(id: taskID, contextID: contextID, state: .failed, timestamp: Date(), statusMessage: reason,
                           artifacts: [], history: [message])
        }
        tasks.insert(task)
        return Self.sendResult(.task(task.json(version, historyLength: historyLength)), version: version)
    }

    /// What a send answers with, before its version's wrapping.
    private enum SendResult {
        case task(JSONValue)
        case message(A2AMessage)
    }

    /// 1.0 wraps the answer in a `SendMessageResponse` (`{"task": …}` or `{"message": …}`);
    /// 0.3 returns it bare, told apart by its `kind`.
    private static func sendResult(_ result: SendResult, version: A2AVersion) -> JSONValue {
        switch (result, version) {
        case (.task(let task), .v1_0): ["task": task]
        case (.message(let message), .v1_0): ["message": message.json(version)]
        case (.task(let task), .v0_3): task
        case (.message(let message), .v0_3): message.json(version)
        }
    }

    /// The operation a data part names: `{"tool": "<name>", "arguments": {…}}` (arguments
    /// may be left out for operations without required ones).
    private static func operation(_ data: JSONValue) throws(A2AError) -> (tool: String, arguments: JSONValue) {
        let shape = #"a data part names one operation: {"tool": "<skill id>", "arguments": {…}}"#
        guard case .object(let object) = data, let tool = object["tool"]?.stringValue else {
            throw .invalidParams(shape)
        }
        switch object["arguments"] {
        case nil, .null?: return (tool, .object(JSONObject()))
        case .object(let arguments)?: return (tool, JSONValue.object(arguments).wholeNumbersAsIntegers)
        default: throw .invalidParams("arguments must be an object; \(shape)")
        }
    }
}
