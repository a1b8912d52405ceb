import Contracts

/// One turn of a conversation (the client's request, or an agent reply such as help or the
/// reason a task failed), kept apart from its wire form so a task stored through one protocol
/// version reads back in the other.
struct A2AMessage: Sendable, Equatable {
    enum Role: Sendable, Equatable {
        case user, agent
    }

    /// The content kinds memoryd reads and writes; file parts (`raw`, `url`, v0.3 `file`) are
    /// refused when read, so they never reach a stored message.
    enum Part: Sendable, Equatable {
        case text(String)
        case data(JSONValue)
    }

    var messageID: String
    var role: Role
    var parts: [Part]
    var taskID: String?
    var contextID: String?
}
