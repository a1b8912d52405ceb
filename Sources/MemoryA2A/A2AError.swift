import Contracts

/// A request the A2A surface refuses at the protocol level: a JSON-RPC error object with the
/// standard or A2A-specific code. A memory operation that fails is not one of these; it is a
/// failed task carrying the service's error (see `A2ADispatcher+SendMessage.swift`).
public struct A2AError: Error, Sendable, CustomStringConvertible {
    /// JSON-RPC 2.0 codes and the A2A codes of the specification's error table, with the
    /// `google.rpc.ErrorInfo` reason the a2a-sdk attaches to each.
    private enum Code: Int, Sendable {
        case parseError = -32700
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
        case taskNotFound = -32001
        case taskNotCancelable = -32002
        case pushNotificationNotSupported = -32003
        case unsupportedOperation = -32004
        case contentTypeNotSupported = -32005
        case extendedAgentCardNotConfigured = -32007
        case versionNotSupported = -32009

        var reason: String {
            switch self {
            case .parseError: "PARSE_ERROR"
            case .invalidRequest: "INVALID_REQUEST"
            case .methodNotFound: "METHOD_NOT_FOUND"
            case .invalidParams: "INVALID_PARAMS"
            case .taskNotFound: "TASK_NOT_FOUND"
            case .taskNotCancelable: "TASK_NOT_CANCELABLE"
            case .pushNotificationNotSupported: "PUSH_NOTIFICATION_NOT_SUPPORTED"
            case .unsupportedOperation: "UNSUPPORTED_OPERATION"
            case .contentTypeNotSupported: "CONTENT_TYPE_NOT_SUPPORTED"
            case .extendedAgentCardNotConfigured: "EXTENDED_AGENT_CARD_NOT_CONFIGURED"
            case .versionNotSupported: "VERSION_NOT_SUPPORTED"
            }
        }
    }

    private let kind: Code
    public let message: String

    /// The JSON-RPC error code (-32700 … -32001).
    public var code: Int { kind.rawValue }
    public var description: String { "\(code) \(message)" }

    /// The JSON-RPC error object. `data` holds a `google.rpc.ErrorInfo` detail, the shape
    /// a2a-sdk 1.x servers send and its client reads.
    public var json: JSONValue {
        ["code": .integer(Int64(code)), "message": .string(message),
         "data": [["@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": .string(kind.reason),
                   "domain": "a2a-protocol.org", "metadata": [:]]]]
    }

    /// The complete JSON-RPC response for request `id` (null when it could not be read).
    public func response(id: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "error": json]
    }

    /// For the transport to answer a body it would not read whole.
    public static func payloadTooLarge(limit: Int) -> Self {
        .init(kind: .invalidRequest, message: "the request body is larger than \(limit) bytes")
    }

    static func parseError(_ message: String) -> Self { .init(kind: .parseError, message: message) }
    static func invalidRequest(_ message: String) -> Self { .init(kind: .invalidRequest, message: message) }
    static func methodNotFound(_ method: String) -> Self {
        .init(kind: .methodNotFound, message: "method not found: \(method)")
    }
    static func invalidParams(_ message: String) -> Self { .init(kind: .invalidParams, message: message) }
    static func taskNotFound(_ id: String) -> Self { .init(kind: .taskNotFound, message: "task not found: \(id)") }
    static func taskNotCancelable(_ id: String, state: String) -> Self {
        .init(kind: .taskNotCancelable, message: "task \(id) is \(state) and cannot be canceled")
    }
    static func pushNotificationNotSupported() -> Self {
        .init(kind: .pushNotificationNotSupported,
              message: "push notifications are not supported (capabilities.pushNotifications is false)")
    }
    static func unsupportedOperation(_ message: String) -> Self { .init(kind: .unsupportedOperation, message: message) }
    static func contentTypeNotSupported(_ message: String) -> Self {
        .init(kind: .contentTypeNotSupported, message: message)
    }
    static func extendedAgentCardNotConfigured() -> Self {
        .init(kind: .extendedAgentCardNotConfigured,
              message: "there is no extended agent card; the public card at /.well-known/agent-card.json is complete")
    }
    static func versionNotSupported(_ version: String) -> Self {
        .init(kind: .versionNotSupported,
              message: "A2A version \(version) is not supported; this agent speaks 1.0 (and 0.3)")
    }
}
