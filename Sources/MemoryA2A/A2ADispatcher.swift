import Contracts
import Foundation
import Logging
import MemoryService

/// A2A's JSON-RPC 2.0 binding over the memory service: reads one request body, runs the
/// method and returns the response object. No HTTP here; the server's route hands over the
/// body and the `A2A-Version` header and writes back what this returns.
///
/// Protocol mistakes (not JSON, not a request, unknown method, bad params, unknown task) are
/// JSON-RPC errors. A memory operation that runs and fails is not: it is a failed task whose
/// status message carries the service's error, as the specification's task states intend.
public struct A2ADispatcher: Sendable {
    let service: MemoryService
    let tasks: A2ATaskStore
    let logger: Logger

    public init(service: MemoryService, tasks: A2ATaskStore = A2ATaskStore(), logger: Logger) {
        self.service = service
        self.tasks = tasks
        self.logger = logger
    }

    /// Answers one HTTP body. Returns nil for a notification (a request without `id`), which
    /// JSON-RPC answers with nothing. `principal` and `traceID` are recorded with the calls
    /// the request makes (the client's User-Agent and W3C trace, where it sent them).
    public func respond(to body: some Collection<UInt8>, versionHeader: String? = nil,
                        principal: String? = nil, traceID: String? = nil) async -> JSONValue? {
        let request: JSONObject
        do {
            switch try JSONValue(parsing: body) {
            case .object(let object): request = object
            case .array: return A2AError.invalidRequest("batch requests are not supported; send one request per POST").response(id: .null)
            default: return A2AError.invalidRequest("a JSON-RPC request is a JSON object").response(id: .null)
            }
        } catch {
            return A2AError.parseError("the body is not JSON: \(error)").response(id: .null)
        }

        let id = request["id"]
        switch id {
        case nil, .string?, .integer?, .number?, .null?: break
        default: return A2AError.invalidRequest("id must be a string, a number or null").response(id: .null)
        }
        let caller = Caller(surface: .a2a, principal: principal, traceID: traceID)
        do {
            let result = try await dispatch(request, versionHeader: versionHeader, caller: caller)
            return id.map { ["jsonrpc": "2.0", "id": $0, "result": result] }
        } catch {
            logger.debug("a2a request refused", metadata: [
                "method": "\(request["method"]?.stringValue ?? "-")", "code": "\(error.code)", "error": "\(error.message)",
            ])
            return id.map { error.response(id: $0) }
        }
    }

    private func dispatch(_ request: JSONObject, versionHeader: String?, caller: Caller) async throws(A2AError) -> JSONValue {
        guard request["jsonrpc"]?.stringValue == "2.0" else { throw .invalidRequest(#"jsonrpc must be "2.0""#) }
        guard let name = request["method"]?.stringValue else { throw .invalidRequest("method must be a string") }
        guard let (method, version) = A2AMethod.named(name) else { throw .methodNotFound(name) }
        try A2AVersion.check(header: versionHeader)
        let params: JSONObject
        switch request["params"] {
        case nil, .null?: params = JSONObject()
        case .object(let object)?: params = object
        default: throw .invalidParams("params must be an object")
        }

        switch method {
        case .sendMessage:
            return try await sendMessage(params, version: version, caller: caller)
        case .getTask:
            return try getTask(params, version: version)
        case .cancelTask:
            return try cancelTask(params, version: version)
        case .streaming:
            throw .unsupportedOperation("\(name): streaming is not supported (capabilities.streaming is false); "
                + "every operation finishes before \(version == .v1_0 ? "SendMessage" : "message/send") answers")
        case .pushNotificationConfig:
            throw .pushNotificationNotSupported()
        case .extendedAgentCard:
            throw .extendedAgentCardNotConfigured()
        case .listTasks:
            throw .unsupportedOperation("ListTasks is not supported; GetTask reads a task by the id SendMessage returned")
        }
    }

    /// A fresh id for a task, context, message or artifact.
    static func newID() -> String { UUID().uuidString.lowercased() }

    /// A `historyLength` parameter: absent, or a non-negative integer.
    static func historyLength(_ value: JSONValue?) throws(A2AError) -> Int? {
        guard let value, !value.isNull else { return nil }
        guard let length = value.int64Value, length >= 0 else {
            throw .invalidParams("historyLength must be a non-negative integer")
        }
        return Int(clamping: length)
    }
}
