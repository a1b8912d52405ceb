import Foundation
import MemoryStore
import OTLP
import Redaction
import SwiftProtobuf

/// The OTLP export service, independent of HTTP: decodes a request body, turns it into rows,
/// waits for the commit and encodes the Export*ServiceResponse in the request's encoding.
public struct OTLPReceiver: Sendable {
    public enum Signal: String, Sendable, CaseIterable {
        case traces, logs, metrics
    }

    public enum Encoding: Sendable {
        case protobuf, json
    }

    /// A committed export: the response body and what it reports.
    public struct Outcome: Sendable {
        public var response: [UInt8]
        public var accepted: Int
        public var rejected: Int
        public var stored: TelemetryWriter.CommitResult
    }

    /// The body could not be decoded as the signal's request message.
    public struct DecodeFailure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    private let pipeline: IngestPipeline
    private let redactor: Redactor?

    /// `redactor` runs on every request before rows are built; nil stores data as received.
    public init(pipeline: IngestPipeline, redactor: Redactor?) {
        self.pipeline = pipeline
        self.redactor = redactor
    }

    public func receive(_ signal: Signal, encoding: Encoding, body: [UInt8]) async throws -> Outcome {
        let batch = try Self.decode(signal, encoding: encoding, body: body, redactor: redactor)
        let stored = try await pipeline.submit(batch, source: "otlp/\(signal.rawValue)")
        let message = batch.rejectReasons.joined(separator: "; ")
        let response = Self.response(signal, encoding: encoding, rejected: batch.rejected, message: message)
        return Outcome(response: response, accepted: batch.rowCount, rejected: batch.rejected, stored: stored)
    }

    /// Decodes and materializes; exposed for benchmarks and tests of the decode path.
    public static func decode(_ signal: Signal, encoding: Encoding, body: [UInt8],
                              redactor: Redactor? = nil) throws -> TelemetryBatch {
        do {
            switch (signal, encoding) {
            case (.traces, .protobuf):
                return try OTLPMaterializer.rows(serializedTraceRequest: body, redactor: redactor)
            case (.logs, .protobuf):
                return OTLPMaterializer.rows(from: try OTLPLogsRequest(serializedBytes: body), redactor: redactor)
            case (.metrics, .protobuf):
                return OTLPMaterializer.rows(from: try OTLPMetricsRequest(serializedBytes: body), redactor: redactor)
            case (.traces, .json):
                return OTLPMaterializer.rows(from: try OTLPJSONDecoder().decodeTraces(body), redactor: redactor)
            case (.logs, .json):
                return OTLPMaterializer.rows(from: try OTLPJSONDecoder().decodeLogs(body), redactor: redactor)
            case (.metrics, .json):
                return OTLPMaterializer.rows(from: try OTLPJSONDecoder().decodeMetrics(body), redactor: redactor)
            }
        } catch let error as OTLPDecodingError {
            throw DecodeFailure(description: "invalid OTLP/JSON \(signal.rawValue) request: \(error)")
        } catch {
            throw DecodeFailure(description: "invalid OTLP protobuf \(signal.rawValue) request: \(error)")
        }
    }

    static func response(_ signal: Signal, encoding: Encoding, rejected: Int, message: String) -> [UInt8] {
        func encode<M: SwiftProtobuf.Message>(_ m: M, json: (M) -> [UInt8]) -> [UInt8] {
            encoding == .json ? json(m) : ((try? m.serializedBytes()) ?? [])
        }
        switch signal {
        case .traces:
            var r = OTLPTraceResponse()
            if rejected > 0 { r.partialSuccess.rejectedSpans = Int64(rejected); r.partialSuccess.errorMessage = message }
            return encode(r, json: OTLPJSONEncoder.encode)
        case .logs:
            var r = OTLPLogsResponse()
            if rejected > 0 { r.partialSuccess.rejectedLogRecords = Int64(rejected); r.partialSuccess.errorMessage = message }
            return encode(r, json: OTLPJSONEncoder.encode)
        case .metrics:
            var r = OTLPMetricsResponse()
            if rejected > 0 { r.partialSuccess.rejectedDataPoints = Int64(rejected); r.partialSuccess.errorMessage = message }
            return encode(r, json: OTLPJSONEncoder.encode)
        }
    }

    /// A google.rpc.Status body for refused requests, in the request's encoding.
    public static func status(code: Int32, message: String, encoding: Encoding) -> [UInt8] {
        var status = RPCStatus()
        status.code = code
        status.message = message
        return encoding == .json ? OTLPJSONEncoder.encode(status) : ((try? status.serializedBytes()) ?? [])
    }
}
