import Contracts
import Foundation

/// One memory operation run for a client. Operations finish before `SendMessage` answers, so
/// a task is born in its terminal state and never changes: completed with the result as an
/// artifact, or failed with the service's error as the status message.
struct A2ATask: Sendable {
    enum State: Sendable, Equatable {
        case completed, failed
    }

    struct Artifact: Sendable, Equatable {
        var artifactID: String
        /// The operation that produced it (`memory_query`, …).
        var name: String
        var parts: [A2AMessage.Part]
    }

    let id: String
    let contextID: String
    let state: State
    let timestamp: Date
    /// Why a failed task failed, as an agent message (nil when completed).
    let statusMessage: A2AMessage?
    let artifacts: [Artifact]
    /// The client's message that started the task.
    let history: [A2AMessage]
}
