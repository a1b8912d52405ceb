import Contracts
import Foundation

extension A2ATask {
    /// The task in `version`'s wire shape. `historyLength` follows the specification's
    /// history-length semantics: nil leaves the history whole, 0 drops it, n keeps the last n.
    func json(_ version: A2AVersion, historyLength: Int? = nil) -> JSONValue {
        var status = JSONObject()
        status["state"] = .string(stateName(version))
        if let statusMessage { status["message"] = statusMessage.json(version) }
        status["timestamp"] = .string(timestamp.formatted(Self.timestampStyle))

        var object = JSONObject()
        if version == .v0_3 { object["kind"] = "task" }
        object["id"] = .string(id)
        object["contextId"] = .string(contextID)
        object["status"] = .object(status)
        if !artifacts.isEmpty {
            object["artifacts"] = .array(artifacts.map { artifact in
                ["artifactId": .string(artifact.artifactID), "name": .string(artifact.name),
                 "parts": .array(artifact.parts.map { $0.json(version) })]
            })
        }
        let kept = historyLength.map { history.suffix($0) } ?? history[...]
        if !kept.isEmpty { object["history"] = .array(kept.map { $0.json(version) }) }
        return .object(object)
    }

    /// The state as the version names it (`TASK_STATE_COMPLETED` / `completed`).
    func stateName(_ version: A2AVersion) -> String {
        switch (state, version) {
        case (.completed, .v1_0): "TASK_STATE_COMPLETED"
        case (.failed, .v1_0): "TASK_STATE_FAILED"
        case (.completed, .v0_3): "completed"
        case (.failed, .v0_3): "failed"
        }
    }

    /// RFC 3339 in UTC with milliseconds, what protobuf's Timestamp JSON form accepts.
    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
}
