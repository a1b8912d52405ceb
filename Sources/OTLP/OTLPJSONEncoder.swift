import SwiftProtobuf

/// Encodes the bodies memoryd answers OTLP/JSON requests with.
///
/// swift-protobuf's canonical proto3 JSON already is OTLP/JSON for these
/// messages: lowerCamelCase names, int64 as a string
/// (`{"partialSuccess":{"rejectedSpans":"2","errorMessage":"…"}}`), default
/// values left out (a full success is `{}`), and they hold no ids or enums.
public enum OTLPJSONEncoder {
    public static func encode(_ response: OTLPTraceResponse) -> [UInt8] { json(response) }
    public static func encode(_ response: OTLPLogsResponse) -> [UInt8] { json(response) }
    public static func encode(_ response: OTLPMetricsResponse) -> [UInt8] { json(response) }
    public static func encode(_ status: RPCStatus) -> [UInt8] { json(status) }

    private static func json(_ message: some SwiftProtobuf.Message) -> [UInt8] {
        // JSON encoding only fails for Any, Timestamp, Duration or FieldMask
        // values, which these messages cannot contain.
        try! message.jsonUTF8Bytes()
    }
}
