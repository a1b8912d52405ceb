import Foundation
import Tracing

/// A structured argument (an object or array) as JSON text. OTLP attributes carry it as a
/// string, the way the Python SDK sends dicts and lists; `logfire.json_schema` marks it as
/// structured so Logfire and memoryd can parse it back.
struct JSONValueText: CustomStringConvertible, Sendable {
    let description: String
    let isArray: Bool
}

extension SpanAttributeConvertible where Self == SpanAttribute {
    /// A structured value (a dictionary, an array, any `Encodable`), sent as JSON text
    /// (sorted keys) and described as an object or array in `logfire.json_schema`.
    /// A value that fails to encode is sent as its description.
    public static func json(_ value: some Encodable) -> SpanAttribute {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return .string(String(describing: value)) }
        let text = String(decoding: data, as: UTF8.self)
        return .stringConvertible(JSONValueText(description: text, isArray: text.first == "["))
    }
}
