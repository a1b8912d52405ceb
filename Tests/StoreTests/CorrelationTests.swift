import MemoryStore
import OTLP
import Testing

/// The run-level correlation columns, from `dome.*` attributes with common aliases as fallback.
@Suite struct CorrelationTests {
    private func correlation(_ attributes: [OTLPKeyValue], resource: [OTLPKeyValue] = []) throws -> CorrelationColumns {
        try #require(spanBatch([makeSpan(attributes: attributes)], resource: resource).spans.first).correlation
    }

    @Test func domeAttributesFillEveryColumn() throws {
        let c = try correlation([
            kv("dome.run.id", "run-1"), kv("dome.packet.id", "pkt-2"), kv("dome.milestone", "m3"),
            kv("dome.agent", "planner"), kv("dome.attempt", Int64(4)), kv("dome.stage", "build"), kv("dome.stage.index", Int64(5)),
        ])
        #expect(c.runID == "run-1")
        #expect(c.packetID == "pkt-2")
        #expect(c.milestone == "m3")
        #expect(c.agent == "planner")
        #expect(c.attempt == 4)
        #expect(c.stage == "build")
        #expect(c.stageIndex == 5)
    }

    @Test func nothingGivenLeavesEveryColumnEmpty() throws {
        let c = try correlation([kv("unrelated", "x")])
        #expect(c.runID == nil && c.packetID == nil && c.milestone == nil && c.agent == nil)
        #expect(c.attempt == nil && c.stage == nil && c.stageIndex == nil)
    }

    @Test func domeWinsOverPlainNamesInEitherOrder() throws {
        let plainFirst = try correlation([
            kv("run.id", "plain-run"), kv("packet.id", "plain-packet"), kv("agent", "plain-agent"), kv("stage", "plain-stage"),
            kv("dome.run.id", "dome-run"), kv("dome.packet.id", "dome-packet"), kv("dome.agent", "dome-agent"), kv("dome.stage", "dome-stage"),
        ])
        let domeFirst = try correlation([
            kv("dome.run.id", "dome-run"), kv("dome.packet.id", "dome-packet"), kv("dome.agent", "dome-agent"), kv("dome.stage", "dome-stage"),
            kv("run_id", "plain-run"), kv("packet_id", "plain-packet"), kv("gen_ai.agent.name", "plain-agent"), kv("stage", "plain-stage"),
        ])
        for c in [plainFirst, domeFirst] {
            #expect(c.runID == "dome-run")
            #expect(c.packetID == "dome-packet")
            #expect(c.agent == "dome-agent")
            #expect(c.stage == "dome-stage")
        }
    }

    @Test func plainNamesFillWhenDomeIsAbsent() throws {
        let dotted = try correlation([kv("run.id", "r"), kv("packet.id", "p"), kv("gen_ai.agent.name", "a"), kv("stage", "s")])
        #expect(dotted.runID == "r" && dotted.packetID == "p" && dotted.agent == "a" && dotted.stage == "s")
        let underscored = try correlation([kv("run_id", "r2"), kv("packet_id", "p2"), kv("agent", "a2")])
        #expect(underscored.runID == "r2" && underscored.packetID == "p2" && underscored.agent == "a2")
    }

    @Test func resourceDomeAttributesAreTheFallback() throws {
        let resource = [kv("service.name", "svc"), kv("dome.run.id", "resource-run"), kv("dome.agent", "resource-agent"),
                        kv("dome.milestone", "resource-m"), kv("dome.attempt", Int64(2)), kv("dome.stage.index", Int64(1))]
        let inherited = try correlation([], resource: resource)
        #expect(inherited.runID == "resource-run")
        #expect(inherited.agent == "resource-agent")
        #expect(inherited.milestone == "resource-m")
        #expect(inherited.attempt == 2)
        #expect(inherited.stageIndex == 1)
        let overridden = try correlation([kv("dome.run.id", "span-run"), kv("dome.attempt", Int64(3))], resource: resource)
        #expect(overridden.runID == "span-run")
        #expect(overridden.attempt == 3)
        #expect(overridden.agent == "resource-agent")
    }

    @Test func scalarsOfOtherTypesAreAccepted() throws {
        let c = try correlation([kv("dome.run.id", Int64(12345)), kv("dome.attempt", "7"), kv("dome.stage.index", 2.0)])
        #expect(c.runID == "12345")
        #expect(c.attempt == 7)
        #expect(c.stageIndex == 2)
        let fractional = try correlation([kv("dome.attempt", 2.5), kv("dome.stage.index", "two")])
        #expect(fractional.attempt == nil)
        #expect(fractional.stageIndex == nil)
    }

    @Test func logsAndMetricsCarryCorrelationToo() throws {
        let log = try #require(OTLPMaterializer.rows(from: logsRequest([makeLog(attributes: [kv("dome.run.id", "log-run"), kv("dome.stage", "s")])],
                                                                       resource: [kv("dome.agent", "res-agent")])).logs.first)
        #expect(log.correlation.runID == "log-run")
        #expect(log.correlation.stage == "s")
        #expect(log.correlation.agent == "res-agent")

        var metric = OTLPMetric()
        metric.name = "m"
        var point = OTLPNumberDataPoint()
        point.timeUnixNano = 1
        point.asDouble = 1
        metric.gauge.dataPoints = [point]
        let fromResource = OTLPMaterializer.rows(from: metricsRequest([metric], resource: [kv("dome.run.id", "res-run")]))
        #expect(fromResource.points.first?.runID == "res-run")
        point.attributes = [kv("dome.run.id", "point-run")]
        metric.gauge.dataPoints = [point]
        let fromPoint = OTLPMaterializer.rows(from: metricsRequest([metric], resource: [kv("dome.run.id", "res-run")]))
        #expect(fromPoint.points.first?.runID == "point-run")
    }
}
