import Contracts
import Foundation

extension A2AMessage {
    /// Reads the `message` of a send request. Parts are read in either version's shape (a
    /// `kind` discriminator or the 1.0 member name), so a hand-written request in the other
    /// version's style still works; `messageId` is generated when absent, and the sender is
    /// the user whatever `role` says (memoryd is the only agent here).
    init(request json: JSONValue) throws(A2AError) {
        guard case .object(let object) = json else { throw .invalidParams("params.message must be an object") }
        guard case .array(let parts)? = object["parts"], !parts.isEmpty else {
            throw .invalidParams("params.message.parts must be a non-empty array")
        }
        var read: [Part] = []
        for (index, part) in parts.enumerated() {
            read.append(try Part(json: part, index: index))
        }
        self.init(messageID: object["messageId"]?.stringValue.flatMap(Self.nonEmpty) ?? UUID().uuidString.lowercased(),
                  role: .user, parts: read,
                  taskID: object["taskId"]?.stringValue.flatMap(Self.nonEmpty),
                  contextID: object["contextId"]?.stringValue.flatMap(Self.nonEmpty))
    }

    /// ProtoJSON leaves empty strings out, but hand-written requests send them for "none".
    private static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    func json(_ version: A2AVersion) -> JSONValue {
        var object = JSONObject()
        if version == .v0_3 { object["kind"] = "message" }
        object["messageId"] = .string(messageID)
        if let contextID { object["contextId"] = .string(contextID) }
        if let taskID { object["taskId"] = .string(taskID) }
        object["role"] = switch (role, version) {
        case (.user, .v1_0): "ROLE_USER"
        case (.agent, .v1_0): "ROLE_AGENT"
        case (.user, .v0_3): "user"
        case (.agent, .v0_3): "agent"
        }
        object["parts"] = .array(parts.map { $0.json(version) })
        return .object(object)
    }
}

extension A2AMessage.Part {
    init(json: JSONValue, index: Int) throws(A2AError) {
        guard case .object(let object) = json else { throw .invalidParams("part \(index) must be an object") }
        let kind = object["kind"]?.stringValue
            ?? ["text", "data", "raw", "url", "file"].first { object.contains(key: $0) }
        switch kind {
        case "text":
            guard let text = object["text"]?.stringValue else { throw .invalidParams("part \(index): text must be a string") }
            self = .text(text)
        case "data":
            guard let data = object["data"] else { throw .invalidParams("part \(index): data part without data") }
            self = .data(data)
        case "raw", "url", "file":
            let mediaType = object["mediaType"]?.stringValue ?? object["file"]?["mimeType"]?.stringValue
            throw .contentTypeNotSupported(
                "part \(index) is a file\(mediaType.map { " (\($0))" } ?? ""); memoryd reads text parts "
                    + "(answered with help) and data parts naming an operation (application/json)")
        case let kind?:
            throw .invalidParams("part \(index) has the unknown kind \(kind)")
        case nil:
            throw .invalidParams("part \(index) has no text or data")
        }
    }

    func json(_ version: A2AVersion) -> JSONValue {
        switch (self, version) {
        case (.text(let text), .v1_0): ["text": .string(text)]
        case (.data(let data), .v1_0): ["data": data, "mediaType": "application/json"]
        case (.text(let text), .v0_3): ["kind": "text", "text": .string(text)]
        case (.data(let data), .v0_3): ["kind": "data", "data": data]
        }
    }
}
