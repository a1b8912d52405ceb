// OTLP/JSON walk for metrics.proto and metrics_service.proto (conventions in
// JSONReader+Common.swift).

extension JSONReader {
    mutating func metricsRequest() throws(Failure) -> OTLPMetricsRequest {
        var request = OTLPMetricsRequest()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "resourceMetrics", "resource_metrics":
                request.resourceMetrics = try reader.readList { reader throws(Failure) in try reader.resourceMetrics() }
            default: try reader.skipValue()
            }
        }
        return request
    }

    private mutating func resourceMetrics() throws(Failure) -> OTLPResourceMetrics {
        var resourceMetrics = OTLPResourceMetrics()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "resource": resourceMetrics.resource = try reader.resource()
            case "scopeMetrics", "scope_metrics":
                resourceMetrics.scopeMetrics = try reader.readList { reader throws(Failure) in try reader.scopeMetrics() }
            case "schemaUrl", "schema_url": resourceMetrics.schemaURL = try reader.readString()
            default: try reader.skipValue()
            }
        }
        return resourceMetrics
    }

    private mutating func scopeMetrics() throws(Failure) -> OTLPScopeMetrics {
        var scopeMetrics = OTLPScopeMetrics()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "scope": scopeMetrics.scope = try reader.scope()
            case "metrics": scopeMetrics.metrics = try reader.readList { reader throws(Failure) in try reader.metric() }
            case "schemaUrl", "schema_url": scopeMetrics.schemaURL = try reader.readString()
            default: try reader.skipValue()
            }
        }
        return scopeMetrics
    }

    private mutating func metric() throws(Failure) -> OTLPMetric {
        var metric = OTLPMetric()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "name": metric.name = try reader.readString()
            case "description": metric.description_p = try reader.readString()
            case "unit": metric.unit = try reader.readString()
            case "gauge": metric.gauge = try reader.gauge()
            case "sum": metric.sum = try reader.sum()
            case "histogram": metric.histogram = try reader.histogram()
            case "exponentialHistogram", "exponential_histogram": metric.exponentialHistogram = try reader.exponentialHistogram()
            case "summary": metric.summary = try reader.summary()
            case "metadata": metric.metadata = try reader.keyValues()
            default: try reader.skipValue()
            }
        }
        return metric
    }

    private mutating func gauge() throws(Failure) -> OTLPGauge {
        var gauge = OTLPGauge()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "dataPoints", "data_points": gauge.dataPoints = try reader.readList { reader throws(Failure) in try reader.numberDataPoint() }
            default: try reader.skipValue()
            }
        }
        return gauge
    }

    private mutating func sum() throws(Failure) -> OTLPSum {
        var sum = OTLPSum()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "dataPoints", "data_points": sum.dataPoints = try reader.readList { reader throws(Failure) in try reader.numberDataPoint() }
            case "aggregationTemporality", "aggregation_temporality": sum.aggregationTemporality = try reader.readEnum(names: temporalityNames)
            case "isMonotonic", "is_monotonic": sum.isMonotonic = try reader.readBool()
            default: try reader.skipValue()
            }
        }
        return sum
    }

    private mutating func histogram() throws(Failure) -> OTLPHistogram {
        var histogram = OTLPHistogram()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "dataPoints", "data_points":
                histogram.dataPoints = try reader.readList { reader throws(Failure) in try reader.histogramDataPoint() }
            case "aggregationTemporality", "aggregation_temporality":
                histogram.aggregationTemporality = try reader.readEnum(names: temporalityNames)
            default: try reader.skipValue()
            }
        }
        return histogram
    }

    private mutating func exponentialHistogram() throws(Failure) -> OTLPExponentialHistogram {
        var histogram = OTLPExponentialHistogram()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "dataPoints", "data_points":
                histogram.dataPoints = try reader.readList { reader throws(Failure) in try reader.exponentialHistogramDataPoint() }
            case "aggregationTemporality", "aggregation_temporality":
                histogram.aggregationTemporality = try reader.readEnum(names: temporalityNames)
            default: try reader.skipValue()
            }
        }
        return histogram
    }

    private mutating func summary() throws(Failure) -> OTLPSummary {
        var summary = OTLPSummary()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "dataPoints", "data_points":
                summary.dataPoints = try reader.readList { reader throws(Failure) in try reader.summaryDataPoint() }
            default: try reader.skipValue()
            }
        }
        return summary
    }

    private mutating func numberDataPoint() throws(Failure) -> OTLPNumberDataPoint {
        var point = OTLPNumberDataPoint()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "attributes": point.attributes = try reader.keyValues()
            case "startTimeUnixNano", "start_time_unix_nano": point.startTimeUnixNano = try reader.readUInt64()
            case "timeUnixNano", "time_unix_nano": point.timeUnixNano = try reader.readUInt64()
            case "asDouble", "as_double": point.asDouble = try reader.readDouble()
            case "asInt", "as_int": point.asInt = try reader.readInt64()
            case "exemplars": point.exemplars = try reader.exemplars()
            case "flags": point.flags = try reader.readUInt32()
            default: try reader.skipValue()
            }
        }
        return point
    }

    private mutating func histogramDataPoint() throws(Failure) -> OTLPHistogramDataPoint {
        var point = OTLPHistogramDataPoint()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "attributes": point.attributes = try reader.keyValues()
            case "startTimeUnixNano", "start_time_unix_nano": point.startTimeUnixNano = try reader.readUInt64()
            case "timeUnixNano", "time_unix_nano": point.timeUnixNano = try reader.readUInt64()
            case "count": point.count = try reader.readUInt64()
            case "sum": point.sum = try reader.readDouble()
            case "bucketCounts", "bucket_counts": point.bucketCounts = try reader.readList { reader throws(Failure) in try reader.readUInt64() }
            case "explicitBounds", "explicit_bounds": point.explicitBounds = try reader.readList { reader throws(Failure) in try reader.readDouble() }
            case "exemplars": point.exemplars = try reader.exemplars()
            case "flags": point.flags = try reader.readUInt32()
            case "min": point.min = try reader.readDouble()
            case "max": point.max = try reader.readDouble()
            default: try reader.skipValue()
            }
        }
        return point
    }

    private mutating func exponentialHistogramDataPoint() throws(Failure) -> OTLPExponentialHistogramDataPoint {
        var point = OTLPExponentialHistogramDataPoint()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "attributes": point.attributes = try reader.keyValues()
            case "startTimeUnixNano", "start_time_unix_nano": point.startTimeUnixNano = try reader.readUInt64()
            case "timeUnixNano", "time_unix_nano": point.timeUnixNano = try reader.readUInt64()
            case "count": point.count = try reader.readUInt64()
            case "sum": point.sum = try reader.readDouble()
            case "scale": point.scale = try reader.readInt32()
            case "zeroCount", "zero_count": point.zeroCount = try reader.readUInt64()
            case "positive": point.positive = try reader.buckets()
            case "negative": point.negative = try reader.buckets()
            case "flags": point.flags = try reader.readUInt32()
            case "exemplars": point.exemplars = try reader.exemplars()
            case "min": point.min = try reader.readDouble()
            case "max": point.max = try reader.readDouble()
            case "zeroThreshold", "zero_threshold": point.zeroThreshold = try reader.readDouble()
            default: try reader.skipValue()
            }
        }
        return point
    }

    private mutating func buckets() throws(Failure) -> OTLPExponentialHistogramBuckets {
        var buckets = OTLPExponentialHistogramBuckets()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "offset": buckets.offset = try reader.readInt32()
            case "bucketCounts", "bucket_counts": buckets.bucketCounts = try reader.readList { reader throws(Failure) in try reader.readUInt64() }
            default: try reader.skipValue()
            }
        }
        return buckets
    }

    private mutating func summaryDataPoint() throws(Failure) -> OTLPSummaryDataPoint {
        var point = OTLPSummaryDataPoint()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "attributes": point.attributes = try reader.keyValues()
            case "startTimeUnixNano", "start_time_unix_nano": point.startTimeUnixNano = try reader.readUInt64()
            case "timeUnixNano", "time_unix_nano": point.timeUnixNano = try reader.readUInt64()
            case "count": point.count = try reader.readUInt64()
            case "sum": point.sum = try reader.readDouble()
            case "quantileValues", "quantile_values":
                point.quantileValues = try reader.readList { reader throws(Failure) in try reader.valueAtQuantile() }
            case "flags": point.flags = try reader.readUInt32()
            default: try reader.skipValue()
            }
        }
        return point
    }

    private mutating func valueAtQuantile() throws(Failure) -> OTLPValueAtQuantile {
        var quantile = OTLPValueAtQuantile()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "quantile": quantile.quantile = try reader.readDouble()
            case "value": quantile.value = try reader.readDouble()
            default: try reader.skipValue()
            }
        }
        return quantile
    }

    private mutating func exemplars() throws(Failure) -> [OTLPExemplar] {
        try readList { reader throws(Failure) in try reader.exemplar() }
    }

    private mutating func exemplar() throws(Failure) -> OTLPExemplar {
        var exemplar = OTLPExemplar()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "filteredAttributes", "filtered_attributes": exemplar.filteredAttributes = try reader.keyValues()
            case "timeUnixNano", "time_unix_nano": exemplar.timeUnixNano = try reader.readUInt64()
            case "asDouble", "as_double": exemplar.asDouble = try reader.readDouble()
            case "asInt", "as_int": exemplar.asInt = try reader.readInt64()
            case "spanId", "span_id": exemplar.spanID = try reader.readID(length: 8)
            case "traceId", "trace_id": exemplar.traceID = try reader.readID(length: 16)
            default: try reader.skipValue()
            }
        }
        return exemplar
    }
}

private let temporalityNames: [String: Int] = [
    "AGGREGATION_TEMPORALITY_UNSPECIFIED": 0,
    "AGGREGATION_TEMPORALITY_DELTA": 1,
    "AGGREGATION_TEMPORALITY_CUMULATIVE": 2,
]
