import Tracing

/// Pydantic Logfire's span conventions, which the Logfire UI and memoryd both read: the span
/// name is the message template, `logfire.msg` the message formatted from it, `logfire.span_type`
/// `span` or `log` (a log is a span that ends where it starts), `logfire.level_num`,
/// `logfire.tags`, and `logfire.json_schema` naming the arguments and which of them are
/// structured.
enum Logfire {
    static let msgTemplate = "logfire.msg_template"
    static let msg = "logfire.msg"
    static let spanType = "logfire.span_type"
    static let levelNum = "logfire.level_num"
    static let tags = "logfire.tags"
    static let jsonSchema = "logfire.json_schema"

    /// Adds what makes a span read as Logfire's to its arguments: template, formatted message,
    /// type, level (when given: Logfire leaves it off plain spans), tags and the arguments'
    /// schema.
    static func decorate(
        _ attributes: inout SpanAttributes, template: String, spanType: String, level: LogLevel?, tags: [String]
    ) {
        let schema = attributes.isEmpty ? nil : schema(of: attributes)
        let message = format(template, with: attributes)
        attributes.set(msgTemplate, value: .string(template))
        attributes.set(msg, value: .string(message))
        attributes.set(Self.spanType, value: .string(spanType))
        if let level { attributes.set(levelNum, value: .int64(Int64(level.rawValue))) }
        if !tags.isEmpty { attributes.set(Self.tags, value: .stringArray(tags)) }
        if let schema { attributes.set(jsonSchema, value: .string(schema)) }
    }
}
