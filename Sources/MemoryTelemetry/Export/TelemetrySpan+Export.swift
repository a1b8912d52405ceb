import Tracing

extension TelemetrySpan {
    /// The attributes the span is exported (and printed) with: its own, Logfire's fields
    /// derived from them (formatted message, schema, type, level, tags), all redacted, then the
    /// source location (unless given) and the run's correlation attributes, which win over
    /// arguments of the same name.
    func exportedAttributes(_ state: State, scrubber: SpanScrubber) -> SpanAttributes {
        var attributes = state.attributes
        if let logfire {
            Logfire.decorate(&attributes, template: logfire.template, spanType: logfire.spanType, level: state.level, tags: logfire.tags)
        } else if let level = state.level {
            attributes.set(Logfire.levelNum, value: .int64(Int64(level.rawValue)))
        }
        _ = scrubber.scrub(&attributes)
        if attributes.get("code.function") == nil {
            attributes.set("code.function", value: .string(code.function))
            attributes.set("code.filepath", value: .string(code.file))
            attributes.set("code.lineno", value: .int64(Int64(code.line)))
        }
        if let run {
            attributes.reserveCapacity(attributes.count + run.attributes.count)
            attributes.merge(run.attributes)
        }
        return attributes
    }
}
