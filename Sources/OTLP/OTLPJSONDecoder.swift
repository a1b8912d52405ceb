#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes OTLP/JSON request bodies (POST /v1/traces, /v1/logs, /v1/metrics
/// with `Content-Type: application/json`) into the generated messages.
///
/// Follows the OTLP/JSON rules rather than generic proto3 JSON, which is why
/// swift-protobuf's own JSON decoder is not used: trace and span ids are hex
/// (it would read them as base64 and get the wrong bytes), enums are numbers,
/// 64-bit integers are strings or numbers, member names are lowerCamelCase
/// (proto field names are accepted too) and unknown members are ignored.
///
/// Tolerated for real-world senders that emit generic proto3 JSON: enum
/// names (`"SPAN_KIND_SERVER"`) and base64 ids of the right length.
///
/// An id of the wrong length (say 15 bytes of hex) does not fail the
/// request: its bytes are kept as sent so that ingest can reject just that
/// span or record and report it through partial_success. Only a string that
/// is neither hex nor base64 fails.
public struct OTLPJSONDecoder: Sendable {
    public init() {}

    public func decodeTraces(_ body: [UInt8]) throws(OTLPDecodingError) -> OTLPTraceRequest {
        try body.withUnsafeBufferPointer { (bytes) throws(OTLPDecodingError) in try Self.decodeTraces(bytes) }
    }

    public func decodeTraces(_ body: Data) throws(OTLPDecodingError) -> OTLPTraceRequest {
        try Self.withBytes(of: body, Self.decodeTraces)
    }

    public func decodeLogs(_ body: [UInt8]) throws(OTLPDecodingError) -> OTLPLogsRequest {
        try body.withUnsafeBufferPointer { (bytes) throws(OTLPDecodingError) in try Self.decodeLogs(bytes) }
    }

    public func decodeLogs(_ body: Data) throws(OTLPDecodingError) -> OTLPLogsRequest {
        try Self.withBytes(of: body, Self.decodeLogs)
    }

    public func decodeMetrics(_ body: [UInt8]) throws(OTLPDecodingError) -> OTLPMetricsRequest {
        try body.withUnsafeBufferPointer { (bytes) throws(OTLPDecodingError) in try Self.decodeMetrics(bytes) }
    }

    public func decodeMetrics(_ body: Data) throws(OTLPDecodingError) -> OTLPMetricsRequest {
        try Self.withBytes(of: body, Self.decodeMetrics)
    }

    private static func decodeTraces(_ bytes: UnsafeBufferPointer<UInt8>) throws(OTLPDecodingError) -> OTLPTraceRequest {
        var reader = JSONReader(bytes)
        let request = try reader.traceRequest()
        try reader.expectEnd()
        return request
    }

    private static func decodeLogs(_ bytes: UnsafeBufferPointer<UInt8>) throws(OTLPDecodingError) -> OTLPLogsRequest {
        var reader = JSONReader(bytes)
        let request = try reader.logsRequest()
        try reader.expectEnd()
        return request
    }

    private static func decodeMetrics(_ bytes: UnsafeBufferPointer<UInt8>) throws(OTLPDecodingError) -> OTLPMetricsRequest {
        var reader = JSONReader(bytes)
        let request = try reader.metricsRequest()
        try reader.expectEnd()
        return request
    }

    /// Data.withUnsafeBytes only rethrows untyped errors, so the result
    /// travels out as a Result to keep the typed error.
    private static func withBytes<Message>(
        of data: Data,
        _ decode: (UnsafeBufferPointer<UInt8>) throws(OTLPDecodingError) -> Message
    ) throws(OTLPDecodingError) -> Message {
        let result = data.withUnsafeBytes { raw in
            Result { () throws(OTLPDecodingError) in try decode(raw.bindMemory(to: UInt8.self)) }
        }
        return try result.get()
    }
}
