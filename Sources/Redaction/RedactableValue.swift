/// A protocol-agnostic attribute value (the shape of OTLP's `AnyValue`), for callers that want
/// the module to walk whole attribute trees. The daemon may instead walk its own OTLP types and
/// call `Redactor.redactAttribute` / `redactValue` per string, which avoids building this tree.
public indirect enum RedactableValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case bytes([UInt8])
    case array([RedactableValue])
    case object([RedactableAttribute])
    case null
}

/// One key/value pair (order is kept: OTLP attribute lists and JSON objects are ordered).
public struct RedactableAttribute: Sendable, Hashable {
    public var key: String
    public var value: RedactableValue

    public init(_ key: String, _ value: RedactableValue) {
        self.key = key
        self.value = value
    }
}

extension Redactor {
    /// Redacts a value tree. With a `key`, the key rules are applied to it first: a sensitive key
    /// turns strings, numbers, bytes, arrays and objects into `.string("[REDACTED:<rule>]")`
    /// (booleans and null are kept: they cannot hold a secret). Object members are checked the
    /// same way at every depth; strings go through `redactValue` (detectors, JSON-in-string);
    /// bytes under non-sensitive keys are not inspected. Paths: `path.key`, `path[i]`.
    public func redact(
        _ value: RedactableValue, key: String? = nil, path: @autoclosure () -> String,
        into redactions: inout [Redaction], sensitiveFields: inout [SensitiveField]
    ) -> RedactableValue? {
        var sink = Sink()
        let out = walk(value, key: key, active: true, rel: "", sink: &sink)
        flush(sink, path: path, into: &redactions)
        if let key, let rule = sink.keyRule {
            sensitiveFields.append(SensitiveField(name: key, rule: engine.name(rule), values: sink.secrets))
        }
        return out
    }

    /// As above, without collecting sensitive fields.
    public func redact(
        _ value: RedactableValue, key: String? = nil, path: @autoclosure () -> String, into redactions: inout [Redaction]
    ) -> RedactableValue? {
        var fields: [SensitiveField] = []
        return redact(value, key: key, path: path(), into: &redactions, sensitiveFields: &fields)
    }

    /// Redacts a whole attribute list, Logfire-style: every attribute is walked (path
    /// `<path>.<key>`), then the message attribute (`messageKey`, default `logfire.msg`) is
    /// redacted with the template attribute (`templateKey`, default `logfire.msg_template`) and
    /// the sensitive fields found in the list. Returns nil when nothing changed.
    public func redactAttributes(
        _ attributes: [RedactableAttribute], path: String = "attributes",
        messageKey: String? = "logfire.msg", templateKey: String? = "logfire.msg_template",
        into redactions: inout [Redaction]
    ) -> [RedactableAttribute]? {
        var out: [RedactableAttribute]? = nil
        var fields: [SensitiveField] = []
        var messageIndex: Int? = nil
        var template: String? = nil
        for (index, attribute) in attributes.enumerated() {
            if let messageKey, attribute.key == messageKey, case .string = attribute.value {
                messageIndex = index
                continue
            }
            if let templateKey, attribute.key == templateKey, case let .string(t) = attribute.value { template = t }
            if let new = redact(attribute.value, key: attribute.key, path: path + "." + attribute.key,
                                into: &redactions, sensitiveFields: &fields) {
                if out == nil { out = attributes }
                out![index].value = new
            }
        }
        if let messageIndex, let messageKey, case let .string(message) = attributes[messageIndex].value,
           let new = redactMessage(message, template: template, sensitiveFields: fields,
                                   path: path + "." + messageKey, into: &redactions) {
            if out == nil { out = attributes }
            out![messageIndex].value = .string(new)
        }
        return out
    }

    func walk(_ value: RedactableValue, key: String?, active: Bool, rel: String, sink: inout Sink) -> RedactableValue? {
        var active = active
        if let key, active {
            let verdict: (allowed: Bool, rule: RuleRef?) = withUTF8Bytes(key) { k in
                engine.isAllowed(k) ? (true, nil) : (false, engine.keyRuleIgnoringAllowList(k))
            }
            if verdict.allowed { active = false }
            if let rule = verdict.rule {
                if case .bool = value { return nil }
                if case .null = value { return nil }
                // An already-scrubbed value still marks the field as sensitive (for messages).
                if sink.keyRule == nil { sink.keyRule = rule }
                let secret: String?
                switch value {
                case .bool, .null: return nil
                case let .string(s):
                    if withUTF8Bytes(s, { isPlaceholder($0) }) { return nil }
                    secret = s
                case let .int(i): secret = String(i)
                case let .double(d): secret = String(d)
                case .bytes, .array, .object: secret = nil
                }
                sink.records.append(.init(rel: rel, rule: rule, kind: .key))
                if let secret, !secret.isEmpty { sink.secrets.append(secret) }
                return .string(Redactor.placeholder(for: engine.name(rule)))
            }
        }
        switch value {
        case let .string(s):
            var sub = Sink()
            let out = withUTF8Bytes(s) { engine.redactString($0, rulesActive: active, depth: 0, sink: &sub) }
            if !sub.records.isEmpty || sub.keyRule != nil { sink.merge(sub, prefix: rel) }
            return out.map { .string(String(decoding: $0, as: UTF8.self)) }
        case let .array(elements):
            var result: [RedactableValue]? = nil
            for (i, e) in elements.enumerated() {
                if let new = walk(e, key: nil, active: active, rel: rel + "[\(i)]", sink: &sink) {
                    if result == nil { result = elements }
                    result![i] = new
                }
            }
            return result.map { .array($0) }
        case let .object(members):
            var result: [RedactableAttribute]? = nil
            for (i, m) in members.enumerated() {
                if let new = walk(m.value, key: m.key, active: active, rel: rel + "." + m.key, sink: &sink) {
                    if result == nil { result = members }
                    result![i].value = new
                }
            }
            return result.map { .object($0) }
        case .int, .double, .bool, .bytes, .null:
            return nil
        }
    }
}
