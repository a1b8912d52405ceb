import Foundation

/// The messages in a complete `text/event-stream` body (what `/mcp` answers a POST with):
/// each event's `data:` lines joined by newlines; events without data (the priming event the
/// SDK sends for resumability) carry no message and are skipped.
enum ServerSentEvents {
    static func messages(in body: Data) -> [Data] {
        var messages: [Data] = []
        var data: [Substring] = []
        let text = String(decoding: body, as: UTF8.self)
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            if line.isEmpty {
                if !data.isEmpty, !data.allSatisfy(\.isEmpty) { messages.append(Data(data.joined(separator: "\n").utf8)) }
                data = []
            } else if line == "data" {
                data.append("")
            } else if line.hasPrefix("data:") {
                let value = line.dropFirst(5)
                data.append(value.hasPrefix(" ") ? value.dropFirst() : value)
            }
        }
        if !data.isEmpty, !data.allSatisfy(\.isEmpty) { messages.append(Data(data.joined(separator: "\n").utf8)) }
        return messages
    }
}
