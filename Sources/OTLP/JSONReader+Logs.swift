// OTLP/JSON walk for logs.proto and logs_service.proto (conventions in
// JSONReader+Common.swift).

extension JSONReader {
    mutating func logsRequest() throws(Failure) -> OTLPLogsRequest {
        var request = OTLPLogsRequest()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "resourceLogs", "resource_logs":
                request.resourceLogs = try reader.readList { reader throws(Failure) in try reader.resourceLogs() }
            default: try reader.skipValue()
            }
        }
        return request
    }

    private mutating func resourceLogs() throws(Failure) -> OTLPResourceLogs {
        var resourceLogs = OTLPResourceLogs()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "resource": resourceLogs.resource = try reader.resource()
            case "scopeLogs", "scope_logs":
                resourceLogs.scopeLogs = try reader.readList { reader throws(Failure) in try reader.scopeLogs() }
            case "schemaUrl", "schema_url": resourceLogs.schemaURL = try reader.readString()
            default: try reader.skipValue()
            }
        }
        return resourceLogs
    }

    private mutating func scopeLogs() throws(Failure) -> OTLPScopeLogs {
        var scopeLogs = OTLPScopeLogs()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "scope": scopeLogs.scope = try reader.scope()
            case "logRecords", "log_records":
                scopeLogs.logRecords = try reader.readList { reader throws(Failure) in try reader.logRecord() }
            case "schemaUrl", "schema_url": scopeLogs.schemaURL = try reader.readString()
            default: try reader.skipValue()
            }
        }
        return scopeLogs
    }

    private mutating func logRecord() throws(Failure) -> OTLPLogRecord {
        var record = OTLPLogRecord()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "timeUnixNano", "time_unix_nano": record.timeUnixNano = try reader.readUInt64()
            case "observedTimeUnixNano", "observed_time_unix_nano": record.observedTimeUnixNano = try reader.readUInt64()
            case "severityNumber", "severity_number": record.severityNumber = try reader.readEnum(names: severityNumberNames)
            case "severityText", "severity_text": record.severityText = try reader.readString()
            case "body": record.body = try reader.anyValue()
            case "attributes": record.attributes = try reader.keyValues()
            case "droppedAttributesCount", "dropped_attributes_count": record.droppedAttributesCount = try reader.readUInt32()
            case "flags": record.flags = try reader.readUInt32()
            case "traceId", "trace_id": record.traceID = try reader.readID(length: 16)
            case "spanId", "span_id": record.spanID = try reader.readID(length: 8)
            case "eventName", "event_name": record.eventName = try reader.readString()
            default: try reader.skipValue()
            }
        }
        return record
    }
}

/// SEVERITY_NUMBER_UNSPECIFIED = 0, then TRACE, TRACE2 … TRACE4 = 1…4,
/// DEBUG = 5 and so on up to FATAL4 = 24.
private let severityNumberNames: [String: Int] = {
    var names = ["SEVERITY_NUMBER_UNSPECIFIED": 0]
    for (level, name) in ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"].enumerated() {
        for (step, suffix) in ["", "2", "3", "4"].enumerated() {
            names["SEVERITY_NUMBER_\(name)\(suffix)"] = level * 4 + step + 1
        }
    }
    return names
}()
