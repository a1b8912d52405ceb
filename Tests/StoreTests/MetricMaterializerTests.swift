import Foundation
import MemoryStore
import OTLP
import Testing

@Suite struct MetricMaterializerTests {
    private func metric(_ name: String, _ configure: (inout OTLPMetric) -> Void) -> OTLPMetric {
        var m = OTLPMetric()
        m.name = name
        m.description_p = "about \(name)"
        m.unit = "ms"
        configure(&m)
        return m
    }

    private func numberPoint(time: UInt64 = 2_000, start: UInt64 = 1_000, _ value: OTLPNumberDataPoint.OneOf_Value,
                             attributes: [OTLPKeyValue] = []) -> OTLPNumberDataPoint {
        var p = OTLPNumberDataPoint()
        p.startTimeUnixNano = start
        p.timeUnixNano = time
        p.value = value
        p.attributes = attributes
        return p
    }

    private func points(_ metrics: [OTLPMetric]) -> TelemetryBatch {
        OTLPMaterializer.rows(from: metricsRequest(metrics))
    }

    @Test func gaugeWithDoubleAndIntPoints() throws {
        let batch = points([metric("temp") { $0.gauge.dataPoints = [numberPoint(.asDouble(21.5)), numberPoint(time: 3_000, .asInt(-4))] }])
        #expect(batch.points.count == 2)
        let double = batch.points[0], int = batch.points[1]
        #expect(double.name == "temp" && double.type == "gauge")
        #expect(double.description == "about temp" && double.unit == "ms")
        #expect(double.temporality == nil && double.isMonotonic == nil)
        #expect(double.startNano == 1_000 && double.timeNano == 2_000)
        #expect(double.value == 21.5 && double.intValue == nil)
        #expect(int.value == -4 && int.intValue == -4)
        #expect(double.count == nil && double.sum == nil && double.buckets == nil && double.exemplars == nil)
        #expect(double.resource.serviceName == "svc" && double.resource.scopeName == "meter" && double.resource.scopeVersion == "2")
    }

    @Test func sumCarriesTemporalityAndMonotonicity() throws {
        let batch = points([
            metric("requests") {
                $0.sum.aggregationTemporality = .cumulative
                $0.sum.isMonotonic = true
                $0.sum.dataPoints = [numberPoint(.asInt(10), attributes: [kv("route", "/")])]
            },
            metric("delta") {
                $0.sum.aggregationTemporality = .delta
                $0.sum.isMonotonic = false
                $0.sum.dataPoints = [numberPoint(.asDouble(0.5))]
            },
            metric("unspecified") {
                $0.sum.dataPoints = [numberPoint(.asDouble(1))]
            },
        ])
        #expect(batch.points.map(\.type) == ["sum", "sum", "sum"])
        #expect(batch.points.map(\.temporality) == ["cumulative", "delta", nil])
        #expect(batch.points.map(\.isMonotonic) == [true, false, false])
        #expect(batch.points[0].intValue == 10)
        #expect((json(batch.points[0].attributes) as? [String: String]) == ["route": "/"])
    }

    @Test func histogramColumnsAndBuckets() throws {
        var p = OTLPHistogramDataPoint()
        p.startTimeUnixNano = 1_000
        p.timeUnixNano = 2_000
        p.count = 6
        p.sum = 42.5
        p.min = 0.5
        p.max = 30
        p.explicitBounds = [1, 10]
        p.bucketCounts = [1, 3, 2]
        let batch = points([metric("latency") { $0.histogram.aggregationTemporality = .delta; $0.histogram.dataPoints = [p] }])
        let r = try #require(batch.points.first)
        #expect(r.type == "histogram")
        #expect(r.temporality == "delta")
        #expect(r.isMonotonic == nil)
        #expect(r.count == 6 && r.sum == 42.5 && r.min == 0.5 && r.max == 30)
        #expect(r.value == nil)
        let buckets = try #require(json(r.buckets) as? [String: Any])
        #expect(buckets["explicit_bounds"] as? [Double] == [1, 10])
        #expect(buckets["bucket_counts"] as? [Int] == [1, 3, 2])
    }

    @Test func histogramWithoutOptionalFieldsLeavesThemEmpty() throws {
        var p = OTLPHistogramDataPoint()
        p.timeUnixNano = 2_000
        p.count = 0
        let r = try #require(points([metric("empty") { $0.histogram.dataPoints = [p] }]).points.first)
        #expect(r.sum == nil && r.min == nil && r.max == nil)
        #expect(r.count == 0)
    }

    @Test func exponentialHistogramColumnsAndBuckets() throws {
        var p = OTLPExponentialHistogramDataPoint()
        p.timeUnixNano = 2_000
        p.count = 9
        p.sum = 12
        p.min = 0.1
        p.max = 5
        p.scale = 3
        p.zeroCount = 1
        p.zeroThreshold = 0.001
        p.positive.offset = -2
        p.positive.bucketCounts = [1, 2, 3]
        p.negative.offset = 1
        p.negative.bucketCounts = [2]
        let r = try #require(points([metric("exp") {
            $0.exponentialHistogram.aggregationTemporality = .cumulative
            $0.exponentialHistogram.dataPoints = [p]
        }]).points.first)
        #expect(r.type == "exponential_histogram")
        #expect(r.temporality == "cumulative")
        #expect(r.count == 9 && r.sum == 12 && r.min == 0.1 && r.max == 5)
        let buckets = try #require(json(r.buckets) as? [String: Any], "\(r.buckets ?? "nil")")
        #expect(buckets["scale"] as? Int == 3)
        #expect(buckets["zero_count"] as? Int == 1)
        #expect(buckets["zero_threshold"] as? Double == 0.001)
        let positive = try #require(buckets["positive"] as? [String: Any])
        #expect(positive["offset"] as? Int == -2)
        #expect(positive["bucket_counts"] as? [Int] == [1, 2, 3])
        let negative = try #require(buckets["negative"] as? [String: Any])
        #expect(negative["offset"] as? Int == 1)
        #expect(negative["bucket_counts"] as? [Int] == [2])
    }

    @Test func summaryColumnsAndQuantiles() throws {
        var p = OTLPSummaryDataPoint()
        p.timeUnixNano = 2_000
        p.count = 100
        p.sum = 250
        var median = OTLPValueAtQuantile()
        median.quantile = 0.5
        median.value = 2
        var top = OTLPValueAtQuantile()
        top.quantile = 0.99
        top.value = 9.5
        p.quantileValues = [median, top]
        let r = try #require(points([metric("summary") { $0.summary.dataPoints = [p] }]).points.first)
        #expect(r.type == "summary")
        #expect(r.temporality == nil)
        #expect(r.count == 100 && r.sum == 250)
        #expect(r.min == nil && r.max == nil)
        let buckets = try #require(json(r.buckets) as? [String: Any])
        let quantiles = try #require(buckets["quantile_values"] as? [[String: Double]])
        #expect(quantiles == [["quantile": 0.5, "value": 2], ["quantile": 0.99, "value": 9.5]])
    }

    @Test func exemplarsAreJSON() throws {
        var e = OTLPExemplar()
        e.timeUnixNano = 1_500
        e.asDouble = 3.25
        e.traceID = traceID(1)
        e.spanID = spanID(2)
        e.filteredAttributes = [kv("user", "u1")]
        var p = numberPoint(.asInt(1))
        p.exemplars = [e]
        let r = try #require(points([metric("ex") { $0.gauge.dataPoints = [p] }]).points.first)
        let exemplars = try #require(json(r.exemplars) as? [[String: Any]])
        #expect(exemplars.count == 1)
        #expect(exemplars[0]["value"] as? Double == 3.25)
        #expect(exemplars[0]["trace_id"] as? String == hex(traceID(1)))
        #expect(exemplars[0]["span_id"] as? String == hex(spanID(2)))
        #expect((exemplars[0]["attributes"] as? [String: String]) == ["user": "u1"])
    }

    @Test func metricWithoutDataIsRejected() {
        let batch = points([metric("nothing") { _ in }, metric("ok") { $0.gauge.dataPoints = [numberPoint(.asInt(1))] }])
        #expect(batch.rejected == 1)
        #expect(batch.rejectReasons.first?.contains("nothing") == true)
        #expect(batch.points.map(\.name) == ["ok"])
    }

    @Test func pointWithOutOfRangeTimeIsRejected() {
        let batch = points([metric("late") { $0.gauge.dataPoints = [numberPoint(time: UInt64.max, .asInt(1)), numberPoint(.asInt(2))] }])
        #expect(batch.rejected == 1)
        #expect(batch.rejectReasons.first?.contains("timestamp") == true)
        #expect(batch.points.map(\.intValue) == [2])
    }

    @Test func pointKeysAreStableAndDistinct() {
        let request = metricsRequest([
            metric("a") { $0.gauge.dataPoints = [numberPoint(.asInt(1)), numberPoint(.asInt(2)), numberPoint(time: 9_000, .asInt(1)),
                                                  numberPoint(.asInt(1), attributes: [kv("k", "v")])] },
            metric("b") { $0.gauge.dataPoints = [numberPoint(.asInt(1))] },
            metric("a") { $0.sum.dataPoints = [numberPoint(.asInt(1))] },
        ])
        let first = OTLPMaterializer.rows(from: request).points.map(\.key)
        let second = OTLPMaterializer.rows(from: request).points.map(\.key)
        #expect(first.count == 6)
        #expect(first == second)
        #expect(Set(first).count == first.count)
        #expect(first.allSatisfy { $0.count == 32 })
    }

    @Test func everyMetricTypeIsStoredAndQueryable() throws {
        var histogram = OTLPHistogramDataPoint()
        histogram.startTimeUnixNano = 1_000
        histogram.timeUnixNano = 2_000
        histogram.count = 1
        histogram.bucketCounts = [1]
        var exponential = OTLPExponentialHistogramDataPoint()
        exponential.startTimeUnixNano = 1_000
        exponential.timeUnixNano = 2_000
        exponential.count = 1
        var summary = OTLPSummaryDataPoint()
        summary.startTimeUnixNano = 1_000
        summary.timeUnixNano = 2_000
        summary.count = 1
        let batch = points([
            metric("g") { $0.gauge.dataPoints = [numberPoint(start: 0, .asDouble(1))] },
            metric("s") { $0.sum.dataPoints = [numberPoint(.asInt(2))] },
            metric("h") { $0.histogram.dataPoints = [histogram] },
            metric("e") { $0.exponentialHistogram.dataPoints = [exponential] },
            metric("q") { $0.summary.dataPoints = [summary] },
        ])
        let store = try Store(path: ":memory:")
        let result = try TelemetryWriter(store: store).commit([batch], progress: [:])
        #expect(result.points == 5)
        let rows = try store.rows("""
            SELECT metric_type, start_time IS NULL, json_valid(buckets), count FROM metric_points ORDER BY metric_name
            """)
        #expect(rows == [
            [.text("exponential_histogram"), .bool(false), .bool(true), .int(1)],
            [.text("gauge"), .bool(true), .null, .null],
            [.text("histogram"), .bool(false), .bool(true), .int(1)],
            [.text("summary"), .bool(false), .bool(true), .int(1)],
            [.text("sum"), .bool(false), .null, .null],
        ])
    }
}
