// OTLP/JSON walk for trace.proto and trace_service.proto (conventions in
// JSONReader+Common.swift).

extension JSONReader {
    mutating func traceRequest() throws(Failure) -> OTLPTraceRequest {
        var request = OTLPTraceRequest()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "resourceSpans", "resource_spans":
                request.resourceSpans = try reader.readList { reader throws(Failure) in try reader.resourceSpans() }
            default: try reader.skipValue()
            }
        }
        return request
    }

    private mutating func resourceSpans() throws(Failure) -> OTLPResourceSpans {
        var resourceSpans = OTLPResourceSpans()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "resource": resourceSpans.resource = try reader.resource()
            case "scopeSpans", "scope_spans":
                resourceSpans.scopeSpans = try reader.readList { reader throws(Failure) in try reader.scopeSpans() }
            case "schemaUrl", "schema_url": resourceSpans.schemaURL = try reader.readString()
            default: try reader.skipValue()
            }
        }
        return resourceSpans
    }

    private mutating func scopeSpans() throws(Failure) -> OTLPScopeSpans {
        var scopeSpans = OTLPScopeSpans()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "scope": scopeSpans.scope = try reader.scope()
            case "spans": scopeSpans.spans = try reader.readList { reader throws(Failure) in try reader.span() }
            case "schemaUrl", "schema_url": scopeSpans.schemaURL = try reader.readString()
            default: try reader.skipValue()
            }
        }
        return scopeSpans
    }

    private mutating func span() throws(Failure) -> OTLPSpan {
        var span = OTLPSpan()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "traceId", "trace_id": span.traceID = try reader.readID(length: 16)
            case "spanId", "span_id": span.spanID = try reader.readID(length: 8)
            case "traceState", "trace_state": span.traceState = try reader.readString()
            case "parentSpanId", "parent_span_id": span.parentSpanID = try reader.readID(length: 8)
            case "flags": span.flags = try reader.readUInt32()
            case "name": span.name = try reader.readString()
            case "kind": span.kind = try reader.readEnum(names: spanKindNames)
            case "startTimeUnixNano", "start_time_unix_nano": span.startTimeUnixNano = try reader.readUInt64()
            case "endTimeUnixNano", "end_time_unix_nano": span.endTimeUnixNano = try reader.readUInt64()
            case "attributes": span.attributes = try reader.keyValues()
            case "droppedAttributesCount", "dropped_attributes_count": span.droppedAttributesCount = try reader.readUInt32()
            case "events": span.events = try reader.readList { reader throws(Failure) in try reader.spanEvent() }
            case "droppedEventsCount", "dropped_events_count": span.droppedEventsCount = try reader.readUInt32()
            case "links": span.links = try reader.readList { reader throws(Failure) in try reader.spanLink() }
            case "droppedLinksCount", "dropped_links_count": span.droppedLinksCount = try reader.readUInt32()
            case "status": span.status = try reader.spanStatus()
            default: try reader.skipValue()
            }
        }
        return span
    }

    private mutating func spanEvent() throws(Failure) -> OTLPSpanEvent {
        var event = OTLPSpanEvent()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "timeUnixNano", "time_unix_nano": event.timeUnixNano = try reader.readUInt64()
            case "name": event.name = try reader.readString()
            case "attributes": event.attributes = try reader.keyValues()
            case "droppedAttributesCount", "dropped_attributes_count": event.droppedAttributesCount = try reader.readUInt32()
            default: try reader.skipValue()
            }
        }
        return event
    }

    private mutating func spanLink() throws(Failure) -> OTLPSpanLink {
        var link = OTLPSpanLink()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "traceId", "trace_id": link.traceID = try reader.readID(length: 16)
            case "spanId", "span_id": link.spanID = try reader.readID(length: 8)
            case "traceState", "trace_state": link.traceState = try reader.readString()
            case "attributes": link.attributes = try reader.keyValues()
            case "droppedAttributesCount", "dropped_attributes_count": link.droppedAttributesCount = try reader.readUInt32()
            case "flags": link.flags = try reader.readUInt32()
            default: try reader.skipValue()
            }
        }
        return link
    }

    private mutating func spanStatus() throws(Failure) -> OTLPStatus {
        var status = OTLPStatus()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "message": status.message = try reader.readString()
            case "code": status.code = try reader.readEnum(names: statusCodeNames)
            default: try reader.skipValue()
            }
        }
        return status
    }
}

private let spanKindNames: [String: Int] = [
    "SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2,
    "SPAN_KIND_CLIENT": 3, "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5,
]

private let statusCodeNames: [String: Int] = [
    "STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2,
]
