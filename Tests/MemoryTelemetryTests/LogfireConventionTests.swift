@testable import MemoryTelemetry
import Testing
import Tracing

/// Spans read in the Logfire UI and in memoryd as the Python SDK's do.
@Suite struct LogfireConventionTests {
    @Test func runStageAndLogAttributes() async throws {
        let capture = try await capture { telemetry in
            try await telemetry.withRun(Run(id: "run-logfire", agent: "planner")) { _ in
                try await telemetry.withStage("plan", attributes: ["plan.step_count": 4]) { _ in
                    telemetry.info("plan ready with {n_steps} steps", ["n_steps": 4, "plan": .json(["steps": ["read", "act"]])],
                                   tags: ["planning"])
                }
            }
        }
        let run = try capture.span(named: "run {dome.run.id}")
        #expect(run.string("logfire.msg_template") == "run {dome.run.id}")
        #expect(run.string("logfire.msg") == "run run-logfire")
        #expect(run.string("logfire.span_type") == "span")
        #expect(run.string("gen_ai.operation.name") == "invoke_agent")
        #expect(run["logfire.level_num"] == nil, "Logfire leaves the level off plain spans")

        let stage = try capture.span(named: "stage {dome.stage}")
        #expect(stage.string("logfire.msg") == "stage plan")
        #expect(stage.string("logfire.span_type") == "span")
        #expect(stage.string("dome.stage") == "plan")
        #expect(stage.int("dome.stage.index") == 0)
        #expect(stage.int("plan.step_count") == 4)
        #expect(stage.string("logfire.json_schema")
                == #"{"type":"object","properties":{"dome.stage":{},"dome.stage.index":{},"plan.step_count":{}}}"#)
        #expect(stage.durationNanos > 0)

        let log = try capture.span(named: "plan ready with {n_steps} steps")
        #expect(log.string("logfire.msg_template") == "plan ready with {n_steps} steps")
        #expect(log.string("logfire.msg") == "plan ready with 4 steps")
        #expect(log.string("logfire.span_type") == "log")
        #expect(log.int("logfire.level_num") == 9)
        #expect(log.strings("logfire.tags") == ["planning"])
        #expect(log.int("n_steps") == 4)
        #expect(log.string("plan") == #"{"steps":["read","act"]}"#)
        #expect(log.string("logfire.json_schema") == #"{"type":"object","properties":{"n_steps":{},"plan":{"type":"object"}}}"#)
        #expect(log.durationNanos == 0, "a log is a span that ends where it starts")
        #expect(log.parentSpanID == stage.spanID)
        #expect(run.resourceString("service.name") == "telemetry-tests")
    }

    /// Each key is sent once: the run's correlation wins over an argument of the same name, and
    /// Logfire's own fields over arguments that borrow their names; a code location given by
    /// the caller is kept.
    @Test func eachKeyOnceWithTheRightValue() async throws {
        let capture = try await capture { telemetry in
            try await telemetry.withRun(Run(id: "run-wins", agent: "planner")) { _ in
                telemetry.info("clash", ["dome.run.id": "run-impostor", "dome.agent": "impostor", "logfire.span_type": "span",
                                         "code.function": "caller-given", "plain": 1])
            }
        }
        for span in capture.spans {
            let keys = span.span.attributes.map(\.key)
            #expect(keys.count == Set(keys).count, "\(span.name): \(keys.sorted())")
        }
        let log = try capture.span(named: "clash")
        #expect(log.string("dome.run.id") == "run-wins")
        #expect(log.string("dome.agent") == "planner")
        #expect(log.string("logfire.span_type") == "log")
        #expect(log.string("code.function") == "caller-given")
        #expect(log["code.lineno"] == nil, "the caller's code location is not mixed with this one")
        #expect(log.int("plain") == 1)
    }

    @Test func levels() async throws {
        let capture = try await capture { telemetry in
            telemetry.debug("d")
            telemetry.info("i")
            telemetry.warn("w")
            telemetry.error("e")
            telemetry.log(.warn, "explicit {n}", ["n": 1])
        }
        #expect(try capture.span(named: "d").int("logfire.level_num") == 5)
        #expect(try capture.span(named: "i").int("logfire.level_num") == 9)
        #expect(try capture.span(named: "w").int("logfire.level_num") == 13)
        #expect(try capture.span(named: "e").int("logfire.level_num") == 17)
        #expect(try capture.span(named: "explicit {n}").string("logfire.msg") == "explicit 1")
    }

    @Test func messageFormatting() {
        let cases: [(String, SpanAttributes, String)] = [
            ("plain", [:], "plain"),
            ("{a} and {b}", ["a": 1, "b": "two"], "1 and two"),
            ("{a!r} {a:>8} {a=}", ["a": "x"], "x x x"),
            ("{{literal}} {a}", ["a": true], "{literal} true"),
            ("missing {nope}", [:], "missing {nope}"),
            ("list {xs}", ["xs": .stringArray(["a", "b"])], "list [a, b]"),
            ("json {j}", ["j": .json(["k": 1])], #"json {"k":1}"#),
            ("dotted {dome.stage}", ["dome.stage": "plan"], "dotted plan"),
            ("unbalanced { brace", [:], "unbalanced { brace"),
        ]
        for (template, arguments, expected) in cases {
            #expect(Logfire.format(template, with: arguments) == expected, "\(template)")
        }
    }
}
