import OTLP
import Testing

@Suite struct OTLPJSONEncoderTests {
    private func json(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    @Test func partialSuccessUsesCamelCaseAndInt64Strings() {
        var traces = OTLPTraceResponse()
        traces.partialSuccess.rejectedSpans = 2
        traces.partialSuccess.errorMessage = "span 3: trace id must be 16 bytes"
        #expect(json(OTLPJSONEncoder.encode(traces)) == #"{"partialSuccess":{"rejectedSpans":"2","errorMessage":"span 3: trace id must be 16 bytes"}}"#)

        var logs = OTLPLogsResponse()
        logs.partialSuccess.rejectedLogRecords = 1
        #expect(json(OTLPJSONEncoder.encode(logs)) == #"{"partialSuccess":{"rejectedLogRecords":"1"}}"#)

        var metrics = OTLPMetricsResponse()
        metrics.partialSuccess.rejectedDataPoints = 9_007_199_254_740_993
        #expect(json(OTLPJSONEncoder.encode(metrics)) == #"{"partialSuccess":{"rejectedDataPoints":"9007199254740993"}}"#)
    }

    @Test func fullSuccessIsAnEmptyObject() {
        #expect(json(OTLPJSONEncoder.encode(OTLPTraceResponse())) == "{}")
    }

    @Test func rpcStatus() {
        var status = RPCStatus()
        status.code = 3
        status.message = "bad \"json\""
        #expect(json(OTLPJSONEncoder.encode(status)) == #"{"code":3,"message":"bad \"json\""}"#)
    }
}
