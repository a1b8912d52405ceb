import DuckDB

// Column order follows the tables in Migrations.coreTables exactly.
extension TelemetryWriter {
    func append(_ span: SpanRow, to a: Appender, receivedAt: Int64) throws {
        try a.append(span.traceID)
        try a.append(span.spanID)
        try a.append(span.parentSpanID)
        try a.append(span.traceState)
        try a.append(span.name)
        try a.append(span.spanKind)
        try a.appendTimestamp(micros: span.startNano / 1000)
        try a.appendTimestamp(micros: span.endNano / 1000)
        try a.append(span.startNano)
        try a.append(span.endNano)
        try a.append(max(0, span.endNano - span.startNano))
        try a.append(span.statusCode)
        try a.append(span.statusMessage)
        try a.append(span.spanType)
        try a.append(span.message)
        try a.append(span.level)
        if let tags = span.tags { try a.append(list: tags) } else { try a.appendNull() }
        try a.append(span.isException)
        try a.append(span.exceptionType)
        try a.append(span.exceptionMessage)
        try a.append(span.exceptionStacktrace)
        try append(span.resource, to: a)
        try a.append(span.attributes)
        try a.append(span.events)
        try a.append(span.links)
        try append(span.correlation, runID: span.correlation.runID ?? runs.run(for: span.traceID), to: a)
        try a.append(span.flags)
        try a.append(span.droppedAttributes)
        try a.append(span.droppedEvents)
        try a.append(span.droppedLinks)
        try a.appendTimestamp(micros: receivedAt)
        try a.endRow()
    }

    func append(_ log: LogRow, to a: Appender, receivedAt: Int64) throws {
        try a.append(log.key)
        try a.appendTimestamp(micros: log.timeNano != 0 ? log.timeNano / 1000 : receivedAt)
        try a.append(log.recordedTimeNano)
        try a.append(log.observedTimeNano)
        try a.append(log.severityNumber)
        try a.append(log.severityText)
        try a.append(log.level)
        try a.append(log.message)
        try a.append(log.body)
        try a.append(log.eventName)
        try a.append(log.traceID)
        try a.append(log.spanID)
        try a.append(log.flags)
        try append(log.resource, to: a)
        try a.append(log.attributes)
        try append(log.correlation, runID: log.correlation.runID ?? log.traceID.flatMap { runs.run(for: $0) }, to: a)
        try a.appendTimestamp(micros: receivedAt)
        try a.endRow()
    }

    func append(_ point: MetricPointRow, to a: Appender, receivedAt: Int64) throws {
        try a.append(point.key)
        try a.append(point.name)
        try a.append(point.description)
        try a.append(point.unit)
        try a.append(point.type)
        try a.append(point.temporality)
        try a.append(point.isMonotonic)
        try a.appendTimestamp(micros: point.startNano != 0 ? point.startNano / 1000 : nil)
        try a.appendTimestamp(micros: point.timeNano / 1000)
        try a.append(point.startNano)
        try a.append(point.timeNano)
        try a.append(point.value)
        try a.append(point.intValue)
        try a.append(point.count)
        try a.append(point.sum)
        try a.append(point.min)
        try a.append(point.max)
        try a.append(point.buckets)
        try a.append(point.exemplars)
        try a.append(point.flags)
        try a.append(point.resource.serviceName)
        try a.append(point.resource.scopeName)
        try a.append(point.resource.scopeVersion)
        try a.append(point.resource.resourceID)
        try a.append(point.attributes)
        try a.append(point.runID)
        try a.appendTimestamp(micros: receivedAt)
        try a.endRow()
    }

    func appendResource(_ r: ResourceInfo, to a: Appender, receivedAt: Int64) throws {
        try a.append(r.resourceID)
        try a.append(r.serviceName)
        try a.append(r.serviceVersion)
        try a.append(r.attributes)
        try a.appendTimestamp(micros: receivedAt)
        try a.endRow()
    }

    private func append(_ r: ResourceInfo, to a: Appender) throws {
        try a.append(r.serviceName)
        try a.append(r.serviceVersion)
        try a.append(r.scopeName)
        try a.append(r.scopeVersion)
        try a.append(r.resourceID)
    }

    /// `runID`: the row's own, else its trace's.
    private func append(_ c: CorrelationColumns, runID: String?, to a: Appender) throws {
        try a.append(runID)
        try a.append(c.packetID)
        try a.append(c.milestone)
        try a.append(c.agent)
        try a.append(c.attempt)
        try a.append(c.stage)
        try a.append(c.stageIndex)
    }
}
