import Foundation
import OTLP
import SwiftProtobuf

/// Distinct trace batches made from a real capture: the same spans under a new trace id,
/// so every POST stores new rows and each acknowledged batch can be looked up afterwards.
enum SpanBatches {
    /// 01-logfire-otlp-traces (19 spans of one logfire run, plain protobuf).
    static func template() throws -> OTLPTraceRequest {
        try OTLPTraceRequest(serializedBytes: try Fixtures.bytes("01-logfire-otlp-traces.pb"))
    }

    static func spanCount(_ request: OTLPTraceRequest) -> Int {
        request.resourceSpans.reduce(0) { $0 + $1.scopeSpans.reduce(0) { $0 + $1.spans.count } }
    }

    /// `template` with every span moved to `traceID` (hex, 32 digits).
    static func batch(from template: OTLPTraceRequest, traceID: String) -> OTLPTraceRequest {
        var request = template
        let id = Data(hex: traceID)
        for r in request.resourceSpans.indices {
            for s in request.resourceSpans[r].scopeSpans.indices {
                for i in request.resourceSpans[r].scopeSpans[s].spans.indices {
                    request.resourceSpans[r].scopeSpans[s].spans[i].traceID = id
                }
            }
        }
        return request
    }

    /// A random, non-zero 128-bit trace id as lowercase hex.
    static func randomTraceID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return bytes.contains(where: { $0 != 0 }) ? bytes.map { String(format: "%02x", $0) }.joined() : randomTraceID()
    }
}

extension Data {
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self.init(bytes)
    }
}
