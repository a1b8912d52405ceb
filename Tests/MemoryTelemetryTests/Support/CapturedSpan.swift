import OTLP

/// An exported span, decoded, with readers for what the tests look at.
struct CapturedSpan: Sendable {
    let span: OTLPSpan
    let resource: [OTLPKeyValue]

    var name: String { span.name }
    var traceID: String { OTLPHex.string(span.traceID) }
    var spanID: String { OTLPHex.string(span.spanID) }
    var parentSpanID: String? { span.parentSpanID.isEmpty ? nil : OTLPHex.string(span.parentSpanID) }
    var durationNanos: UInt64 { span.endTimeUnixNano - span.startTimeUnixNano }
    var isError: Bool { span.status.code == .error }
    var statusMessage: String { span.status.message }
    var events: [OTLPSpanEvent] { span.events }

    subscript(key: String) -> OTLPAnyValue? { span.attributes.first { $0.key == key }?.value }

    var attributeKeys: Set<String> { Set(span.attributes.map(\.key)) }

    func string(_ key: String) -> String? {
        if case .stringValue(let s) = self[key]?.value { s } else { nil }
    }

    func int(_ key: String) -> Int64? {
        if case .intValue(let i) = self[key]?.value { i } else { nil }
    }

    func strings(_ key: String) -> [String]? {
        guard case .arrayValue(let array) = self[key]?.value else { return nil }
        return array.values.compactMap { if case .stringValue(let s) = $0.value { s } else { nil } }
    }

    func resourceString(_ key: String) -> String? {
        if case .stringValue(let s) = resource.first(where: { $0.key == key })?.value.value { s } else { nil }
    }
}

extension OTLPSpanEvent {
    func string(_ key: String) -> String? {
        if case .stringValue(let s) = attributes.first(where: { $0.key == key })?.value.value { s } else { nil }
    }
}
