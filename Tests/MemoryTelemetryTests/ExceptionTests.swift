import MemoryTelemetry
import Testing

/// A stage whose body throws is marked failed with the exception, and the error goes on up.
@Suite struct ExceptionTests {
    struct ToolTimeout: Error, CustomStringConvertible {
        var description: String { "tool timed out after 20 ms" }
    }

    @Test func failingStageRecordsTheExceptionAndRethrows() async throws {
        let capture = try await capture { telemetry in
            await #expect(throws: ToolTimeout.self) {
                try await telemetry.withRun(Run(id: "run-failing")) { _ in
                    try await telemetry.withStage("plan") { _ in }
                    try await telemetry.withStage("act") { _ in throw ToolTimeout() }
                }
            }
        }
        let stages = capture.spans(named: "stage {dome.stage}")
        let plan = try #require(stages.first { $0.string("dome.stage") == "plan" })
        let act = try #require(stages.first { $0.string("dome.stage") == "act" })
        #expect(!plan.isError)
        #expect(plan.events.isEmpty)

        #expect(act.isError)
        #expect(act.statusMessage == "ToolTimeout: tool timed out after 20 ms")
        #expect(act.int("logfire.level_num") == 17)
        let event = try #require(act.events.first)
        #expect(act.events.count == 1)
        #expect(event.name == "exception")
        #expect(event.string("exception.type") == "ToolTimeout")
        #expect(event.string("exception.message") == "tool timed out after 20 ms")
        #expect(event.string("exception.stacktrace")?.isEmpty == false)
        if case .boolValue(let escaped) = event.attributes.first(where: { $0.key == "exception.escaped" })?.value.value {
            #expect(escaped)
        } else {
            Issue.record("no exception.escaped")
        }

        let run = try capture.span(named: "run {dome.run.id}")
        #expect(run.isError, "the error left the run too")
        #expect(run.events.first?.string("exception.type") == "ToolTimeout")
    }

    @Test func errorLogCarriesTheErrorItReports() async throws {
        let capture = try await capture { telemetry in
            telemetry.error("tool {tool} failed, will not retry", ["tool": "http.post"], error: ToolTimeout())
        }
        let log = try capture.span(named: "tool {tool} failed, will not retry")
        #expect(log.string("logfire.msg") == "tool http.post failed, will not retry")
        #expect(log.int("logfire.level_num") == 17)
        #expect(log.isError)
        let event = try #require(log.events.first)
        #expect(event.string("exception.type") == "ToolTimeout")
        if case .boolValue(let escaped) = event.attributes.first(where: { $0.key == "exception.escaped" })?.value.value {
            #expect(!escaped, "logged, not thrown")
        }
    }
}
