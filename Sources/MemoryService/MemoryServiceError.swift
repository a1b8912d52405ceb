/// A refused or failed call, in terms every surface can translate: MCP `isError` results,
/// A2A/JSON-RPC errors, HTTP statuses with a JSON body, CLI exit codes.
public struct MemoryServiceError: Error, Sendable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case invalidArguments = "invalid_arguments"
        case unknownTool = "unknown_tool"
        case notFound = "not_found"
        case conflict
        case refused
        case forbidden
        case timeout
        case unavailable
        case failed
    }

    private let code: Code
    public let message: String

    /// The stable machine-readable name (`invalid_arguments`, `conflict`, …).
    public var name: String { code.rawValue }
    public var description: String { message }

    /// The HTTP status the REST mirror answers with.
    public var httpStatus: Int {
        switch code {
        case .invalidArguments, .refused: 400
        case .forbidden: 403
        case .unknownTool, .notFound: 404
        case .conflict: 409
        case .timeout: 408
        case .unavailable: 503
        case .failed: 500
        }
    }

    /// True when the caller asked for something that does not exist (as opposed to a bad or
    /// refused call): adapters map it to their protocol's "method/tool not found".
    public var isUnknownTool: Bool { code == .unknownTool }

    public static func invalidArguments(_ message: String) -> Self { .init(code: .invalidArguments, message: message) }
    public static func unknownTool(_ name: String) -> Self {
        .init(code: .unknownTool, message: "unknown tool \(name)")
    }
    public static func notFound(_ message: String) -> Self { .init(code: .notFound, message: message) }
    public static func conflict(_ message: String) -> Self { .init(code: .conflict, message: message) }
    public static func refused(_ message: String) -> Self { .init(code: .refused, message: message) }
    /// The caller's token lacks the scope the tool needs.
    public static func forbidden(_ message: String) -> Self { .init(code: .forbidden, message: message) }
    public static func timeout(_ message: String) -> Self { .init(code: .timeout, message: message) }
    public static func unavailable(_ message: String) -> Self { .init(code: .unavailable, message: message) }
    public static func failed(_ message: String) -> Self { .init(code: .failed, message: message) }
}
