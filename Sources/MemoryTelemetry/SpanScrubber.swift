import Redaction
import Tracing

/// memoryd's redaction rules (the shared `Redaction` module) applied to what a span carries,
/// before it is encoded for export or printed: the SpanAttributes counterpart of memoryd's walk over OTLP
/// attributes. Every function reports whether anything changed; the common case, nothing
/// sensitive, allocates nothing.
struct SpanScrubber: Sendable {
    let redactor: Redactor

    /// Redacts every attribute, then Logfire's formatted `logfire.msg` with its
    /// `logfire.msg_template` and the fields found sensitive, so a `{password}` formatted into
    /// the message goes too.
    func scrub(_ attributes: inout SpanAttributes) -> Bool {
        guard case .string(let original)? = attributes.get(Logfire.msg) else {
            var none: String?
            return scrub(&attributes, message: &none, template: nil)
        }
        attributes.set(Logfire.msg, value: nil)
        var template: String?
        if case .string(let t)? = attributes.get(Logfire.msgTemplate) { template = t }
        var message: String? = original
        let changed = scrub(&attributes, message: &message, template: template)
        attributes.set(Logfire.msg, value: .string(message ?? original))
        return changed
    }

    /// Redacts every attribute, then `message` (formatted from `template`) with the fields
    /// found sensitive.
    func scrub(_ attributes: inout SpanAttributes, message: inout String?, template: String?) -> Bool {
        var fields: [SensitiveField] = []
        var changes: [(key: String, value: SpanAttribute)] = []
        attributes.forEach { key, value in
            if let redacted = scrub(value, key: key, fields: &fields) { changes.append((key, redacted)) }
        }
        var discarded: [Redaction] = []
        var changed = !changes.isEmpty
        if let original = message,
           let redacted = redactor.redactMessage(original, template: template, sensitiveFields: fields, path: "", into: &discarded) {
            message = redacted
            changed = true
        }
        for change in changes { attributes.set(change.key, value: change.value) }
        return changed
    }

    /// One attribute on its own (the fields it reveals as sensitive are not needed).
    func scrub(_ value: SpanAttribute, key: String) -> SpanAttribute {
        var fields: [SensitiveField] = []
        return scrub(value, key: key, fields: &fields) ?? value
    }

    /// Free text without a key of its own: span names, status messages.
    func scrub(text: String) -> String? {
        var discarded: [Redaction] = []
        return redactor.redactValue(text, path: "", into: &discarded)
    }

    func scrub(_ event: SpanEvent) -> SpanEvent {
        var event = event
        _ = scrub(&event.attributes)
        return event
    }

    func scrub(_ status: SpanStatus) -> SpanStatus {
        guard let message = status.message, let redacted = scrub(text: message) else { return status }
        return SpanStatus(code: status.code, message: redacted)
    }

    /// One attribute. Numbers and arrays under a sensitive key go whole (a card number sent as
    /// an int); booleans say nothing secret and stay.
    private func scrub(_ value: SpanAttribute, key: String, fields: inout [SensitiveField]) -> SpanAttribute? {
        var discarded: [Redaction] = []
        switch value {
        case .string(let s):
            return redactor.redactAttribute(key: key, value: s, path: "", into: &discarded, sensitiveFields: &fields)
                .map { .string($0) }
        case .stringConvertible(let v):
            return redactor.redactAttribute(key: key, value: v.description, path: "", into: &discarded, sensitiveFields: &fields)
                .map { .string($0) }
        case .bool, .boolArray:
            return nil
        default:
            if let rule = redactor.isSensitiveKey(key) {
                fields.append(SensitiveField(name: key, rule: rule))
                return .string(Redactor.placeholder(for: rule))
            }
            let elements: [String]
            switch value {
            case .stringArray(let a): elements = a
            case .stringConvertibleArray(let a): elements = a.map(\.description)
            default: return nil
            }
            var changed = false
            let redacted = elements.map { element in
                guard let r = redactor.redactValue(element, path: "", into: &discarded) else { return element }
                changed = true
                return r
            }
            return changed ? .stringArray(redacted) : nil
        }
    }
}
