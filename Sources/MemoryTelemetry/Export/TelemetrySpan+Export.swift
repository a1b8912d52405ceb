import Tracing

/// What a span is exported (and printed) with, derived from what it held when it ended.
struct ExportedSpan {
    /// The name, redacted.
    let name: String
    /// The span's own attributes, redacted.
    let attributes: SpanAttributes
    /// Logfire's fields (template, formatted message, type, level, tags, schema) and the source
    /// location, redacted, in the order they are sent; they win over own attributes of the
    /// same name, and the run's correlation attributes win over both.
    let derived: [(key: String, value: SpanAttribute)]

    /// Whether `key` is one of `derived`'s (all of them are `logfire.*` or `code.*`).
    func derives(_ key: String) -> Bool {
        (key.hasPrefix("logfire.") || key.hasPrefix("code.")) && derived.contains { $0.key == key }
    }

    /// `logfire.msg`, the name otherwise: what the console prints.
    var message: String {
        if let (_, value) = derived.first(where: { $0.key == Logfire.msg }) { Logfire.text(of: value) } else { name }
    }
}

extension TelemetrySpan {
    /// The span's fields for export: Logfire's message formatted and its schema derived from
    /// the span's own attributes, then everything redacted (the message with its template and
    /// the fields found sensitive, so a `{password}` formatted into it goes too).
    func exported(_ state: State, scrubber: SpanScrubber) -> ExportedSpan {
        var attributes = state.attributes
        var derived: [(key: String, value: SpanAttribute)] = []
        derived.reserveCapacity(9)
        if let logfire {
            let schema = attributes.isEmpty ? nil : Logfire.schema(of: attributes)
            var message: String? = Logfire.format(logfire.template, with: attributes)
            _ = scrubber.scrub(&attributes, message: &message, template: logfire.template)
            derived.append((Logfire.msgTemplate, scrubber.scrub(.string(logfire.template), key: Logfire.msgTemplate)))
            derived.append((Logfire.msg, .string(message ?? logfire.template)))
            derived.append((Logfire.spanType, .string(logfire.spanType)))
            if let level = state.level { derived.append((Logfire.levelNum, .int64(Int64(level.rawValue)))) }
            if !logfire.tags.isEmpty { derived.append((Logfire.tags, scrubber.scrub(.stringArray(logfire.tags), key: Logfire.tags))) }
            if let schema { derived.append((Logfire.jsonSchema, scrubber.scrub(.string(schema), key: Logfire.jsonSchema))) }
        } else {
            _ = scrubber.scrub(&attributes)
            if let level = state.level { derived.append((Logfire.levelNum, .int64(Int64(level.rawValue)))) }
        }
        if attributes.get("code.function") == nil {
            derived.append(("code.function", .string(code.function)))
            derived.append(("code.filepath", .string(code.file)))
            derived.append(("code.lineno", .int64(Int64(code.line))))
        }
        return ExportedSpan(name: scrubber.scrub(text: state.name) ?? state.name, attributes: attributes, derived: derived)
    }
}
