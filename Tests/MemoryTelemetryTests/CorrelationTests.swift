import MemoryTelemetry
import Testing
import Tracing

/// The run's correlation attributes reach every span started inside it, whatever the task.
@Suite struct CorrelationTests {
    let run = Run(id: "run-correlation", packetID: "pkt-7", milestone: "LM-01", agent: "planner", attempt: 2)

    @Test func everySpanOfTheRunCarriesItsCorrelation() async throws {
        let capture = try await capture { [run] telemetry in
            try await telemetry.withRun(run) { _ in
                try await telemetry.withStage("retrieve") { _ in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for source in ["docs", "facts", "web"] {
                            group.addTask {
                                try await telemetry.withSpan("retrieve {source}", ["source": source]) { _ in
                                    telemetry.info("fetched from {source}", ["source": source])
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                    async let child: Void = telemetry.info("from async let")
                    await child
                    await Task { telemetry.info("from an unstructured task") }.value
                    // A library that knows only swift-distributed-tracing.
                    withSpan("library span") { _ in }
                }
            }
        }
        // run, stage, 3 task-group spans and their 3 logs, async let, Task, library span
        #expect(capture.spans.count == 11)
        for span in capture.spans {
            #expect(span.string("dome.run.id") == "run-correlation", "\(span.name)")
            #expect(span.string("dome.packet.id") == "pkt-7", "\(span.name)")
            #expect(span.string("dome.milestone") == "LM-01", "\(span.name)")
            #expect(span.string("dome.agent") == "planner", "\(span.name)")
            #expect(span.string("gen_ai.agent.name") == "planner", "\(span.name)")
            #expect(span.int("dome.attempt") == 2, "\(span.name)")
        }
        #expect(Set(capture.spans.map(\.traceID)).count == 1, "one trace per run")
    }

    @Test func parentsAndChildren() async throws {
        let capture = try await capture { [run] telemetry in
            try await telemetry.withRun(run) { _ in
                try await telemetry.withStage("retrieve") { _ in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await telemetry.withSpan("retrieve {source}", ["source": "docs"]) { _ in } }
                        try await group.waitForAll()
                    }
                }
                try await telemetry.withStage("act") { _ in telemetry.info("acting") }
            }
        }
        let runSpan = try capture.span(named: "run {dome.run.id}")
        #expect(runSpan.parentSpanID == nil)
        let stages = capture.spans(named: "stage {dome.stage}")
        #expect(stages.map { $0.string("dome.stage") } == ["retrieve", "act"])
        #expect(stages.map { $0.int("dome.stage.index") } == [0, 1])
        #expect(stages.allSatisfy { $0.parentSpanID == runSpan.spanID })
        #expect(try capture.span(named: "retrieve {source}").parentSpanID == stages[0].spanID)
        #expect(try capture.span(named: "acting").parentSpanID == stages[1].spanID)
    }

    @Test func runIDIsGeneratedWhenNotGiven() async throws {
        let ids = (0 ..< 50).map { _ in Run().id }
        #expect(Set(ids).count == 50)
        #expect(ids.allSatisfy { $0.hasPrefix("run-") && $0.count == 16 })
    }

    @Test func currentRunIsVisibleInChildTasks() async throws {
        _ = try await capture { [run] telemetry in
            try await telemetry.withRun(run) { _ in
                #expect(Telemetry.currentRun == run)
                await Task { #expect(Telemetry.currentRun == run) }.value
            }
            #expect(Telemetry.currentRun == nil)
        }
    }
}
