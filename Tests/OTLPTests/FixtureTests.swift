import Foundation
import OTLP
import Testing

/// Every captured request decodes the same whichever encoding it came in.
@Suite struct FixtureTests {
    @Test func manifestIsComplete() {
        #expect(Fixtures.manifest.count == 23)
    }

    /// The protobuf body (raw, gzip or from gRPC) equals its OTLP/JSON rendering in decoded.json.
    @Test(arguments: Fixtures.entries(encoding: "protobuf").filter(\.hasDecodedFile))
    func protobufMatchesDecodedJSON(_ entry: Fixtures.Entry) throws {
        let fromProtobuf = try AnyRequest(entry)
        let fromJSON = try AnyRequest(json: try Fixtures.bytes(entry.decodedFile), signal: entry.signal)
        #expect(fromProtobuf == fromJSON, "\(entry.file): protobuf\n\(fromProtobuf.text)\njson\n\(fromJSON.text)")
    }

    @Test(arguments: Fixtures.entries(encoding: "json"))
    func otlpJSONMatchesDecodedJSON(_ entry: Fixtures.Entry) throws {
        let body = try AnyRequest(entry)
        let decoded = try AnyRequest(json: try Fixtures.bytes(entry.decodedFile), signal: entry.signal)
        #expect(body == decoded)
    }

    /// The otlpjson-converted files carry the otelsdk-gzip captures' content.
    @Test(arguments: [
        ("20-otlpjson-converted-traces.otlp.json", "13-otelsdk-gzip-traces.pb.gz"),
        ("21-otlpjson-converted-logs.otlp.json", "14-otelsdk-gzip-logs.pb.gz"),
        ("22-otlpjson-converted-metrics.otlp.json", "15-otelsdk-gzip-metrics.pb.gz"),
        ("23-otlpjson-converted-metrics-2.otlp.json", "16-otelsdk-gzip-metrics-2.pb.gz"),
    ])
    func otlpJSONMatchesProtobufCapture(json: String, protobuf: String) throws {
        let jsonEntry = try #require(Fixtures.manifest.first { $0.file == json })
        let protobufEntry = try #require(Fixtures.manifest.first { $0.file == protobuf })
        #expect(try AnyRequest(jsonEntry) == (try AnyRequest(protobufEntry)))
    }

    /// 90 is plain MessageToJson() of the first otelsdk-gzip traces capture
    /// (13): base64 ids and enum names, which the decoder tolerates.
    @Test func nonconformantProtoJSONMatchesItsCapture() throws {
        let body = try Fixtures.bytes("90-protojson-nonconformant-traces.json")
        #expect(String(decoding: body, as: UTF8.self).contains("\"SPAN_KIND_SERVER\""))
        let decoded = try OTLPJSONDecoder().decodeTraces(body)
        let capture = try #require(Fixtures.manifest.first { $0.file == "13-otelsdk-gzip-traces.pb.gz" })
        #expect(AnyRequest.traces(decoded) == (try AnyRequest(capture)))
        #expect(decoded == (try OTLPJSONDecoder().decodeTraces(try Fixtures.bytes("20-otlpjson-converted-traces.decoded.json"))))
    }

    /// swift-protobuf's own proto3 JSON of every capture (base64 ids, enum
    /// names, string int64s) decodes back to the same message.
    @Test(arguments: Fixtures.entries(encoding: "protobuf"))
    func genericProtoJSONRoundTrips(_ entry: Fixtures.Entry) throws {
        let request = try AnyRequest(entry)
        #expect(try AnyRequest(json: try request.protoJSON(), signal: entry.signal) == request)
    }

    @Test(arguments: Fixtures.manifest)
    func countsMatchManifest(_ entry: Fixtures.Entry) throws {
        switch try AnyRequest(entry) {
        case .traces(let request):
            let spans = request.resourceSpans.flatMap(\.scopeSpans).flatMap(\.spans)
            #expect(spans.count == entry.count)
            #expect(Set(spans.map(\.traceID)).count == entry.traces)
        case .logs(let request):
            #expect(request.resourceLogs.flatMap(\.scopeLogs).flatMap(\.logRecords).count == entry.count)
        case .metrics(let request):
            let metrics = request.resourceMetrics.flatMap(\.scopeMetrics).flatMap(\.metrics)
            let expected = try #require(entry.metrics)
            #expect(metrics.map(\.name) == expected.map(\.name))
            for (metric, expected) in zip(metrics, expected) {
                let summary = Self.summarize(metric)
                #expect(summary.type == expected.type, "\(metric.name)")
                #expect(summary.points == expected.points, "\(metric.name)")
                #expect(summary.temporality == expected.temporality, "\(metric.name)")
                #expect(summary.monotonic == expected.monotonic, "\(metric.name)")
            }
            #expect(metrics.map { Self.summarize($0).points }.reduce(0, +) == entry.count)
        }
    }

    private static func summarize(_ metric: OTLPMetric) -> (type: String, points: Int, temporality: Int?, monotonic: Bool?) {
        switch metric.data {
        case .gauge(let gauge)?: ("gauge", gauge.dataPoints.count, nil, nil)
        case .sum(let sum)?: ("sum", sum.dataPoints.count, sum.aggregationTemporality.rawValue, sum.isMonotonic ? true : nil)
        case .histogram(let histogram)?: ("histogram", histogram.dataPoints.count, histogram.aggregationTemporality.rawValue, nil)
        case .exponentialHistogram(let histogram)?:
            ("exponentialHistogram", histogram.dataPoints.count, histogram.aggregationTemporality.rawValue, nil)
        case .summary(let summary)?: ("summary", summary.dataPoints.count, nil, nil)
        case nil: ("none", 0, nil, nil)
        }
    }
}
