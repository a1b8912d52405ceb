/// Why a plan cannot be loaded. The message names the offending id, so a user can fix the file.
public struct PlanError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable { case unreadable, empty, duplicate, unknownDependency, unknownMilestone, cycle }

    private let code: Code
    public let description: String

    /// The file is not valid TOML/JSON, or lacks a required field.
    public static func unreadable(_ reason: String) -> PlanError { .init(code: .unreadable, description: reason) }
    static func empty(_ what: String) -> PlanError { .init(code: .empty, description: "\(what) is empty") }
    static func duplicate(_ kind: String, _ id: String) -> PlanError {
        .init(code: .duplicate, description: "duplicate \(kind) \(id)")
    }
    static func unknownDependency(_ kind: String, _ id: String, on dependency: String) -> PlanError {
        .init(code: .unknownDependency, description: "\(kind) \(id) depends on unknown \(kind) \(dependency)")
    }
    static func unknownMilestone(packet: String, milestone: String) -> PlanError {
        .init(code: .unknownMilestone, description: "packet \(packet) belongs to unknown milestone \(milestone)")
    }
    static func cycle(_ kind: String, _ path: [String]) -> PlanError {
        .init(code: .cycle, description: "\(kind) dependency cycle: \(path.joined(separator: " → "))")
    }

    public var isDuplicate: Bool { code == .duplicate }
    public var isUnknownDependency: Bool { code == .unknownDependency || code == .unknownMilestone }
    public var isCycle: Bool { code == .cycle }
}
