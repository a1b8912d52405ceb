import Contracts

/// How results are written back, from the request's `acceptedOutputModes`: a data part
/// (`application/json`, the default) or, for clients that only take text, the same JSON as
/// a text part.
enum A2AOutputMode: Sendable, Equatable {
    case json, text

    /// The media types memoryd answers in, as the card lists them.
    static let offered: [JSONValue] = ["application/json", "text/plain"]

    /// Picks the mode from `acceptedOutputModes` (absent or empty: any is fine).
    init(accepted: JSONValue?) throws(A2AError) {
        guard let accepted, !accepted.isNull else {
            self = .json
            return
        }
        guard case .array(let values) = accepted else {
            throw .invalidParams("configuration.acceptedOutputModes must be an array of media types")
        }
        let modes = values.compactMap { $0.stringValue?.lowercased() }
        if modes.isEmpty || modes.contains(where: { ["application/json", "application/*", "*/*"].contains($0) }) {
            self = .json
        } else if modes.contains(where: { ["text/plain", "text/*"].contains($0) }) {
            self = .text
        } else {
            throw .contentTypeNotSupported(
                "memoryd answers in application/json or text/plain; acceptedOutputModes allows only \(modes.joined(separator: ", "))")
        }
    }

    /// `value` as a part in this mode.
    func part(_ value: JSONValue) -> A2AMessage.Part {
        switch self {
        case .json: .data(value)
        case .text: .text(value.jsonText)
        }
    }
}
