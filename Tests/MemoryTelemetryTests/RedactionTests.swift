import MemoryTelemetry
import Testing
import Tracing

/// Secrets planted in attributes and formatted messages are not in a single byte that left the
/// process; the rules are memoryd's own (the shared `Redaction` module).
@Suite struct RedactionTests {
    @Test func plantedSecretsNeverLeaveTheProcess() async throws {
        let capture = try await capture { telemetry in
            try await telemetry.withRun(Run(id: "run-secrets")) { _ in
                telemetry.info("login as {user} using password {password}", ["user": "svc-dome", "password": "hunter2"])
                telemetry.info("deploy with {config}", ["config": .json(["db": ["password": "p4ss-in-json"]])])
                telemetry.info("note: {note}", ["note": "found key AKIAIOSFODNN7EXAMPLE in ~/.aws/config"])
                try await telemetry.withStage("act", attributes: ["api_key": "sk-live-51Hx9aBcDeFgHiJk"]) { span in
                    span.attributes["session"] = "s3ss10n-t0k3n"
                    span.setStatus(SpanStatus(code: .ok, message: nil))
                }
                try await telemetry.withSpan("card {n}", ["credit_card": 4111_1111_1111_1111]) { _ in }
            }
        }
        for secret in ["hunter2", "p4ss-in-json", "AKIAIOSFODNN7EXAMPLE", "sk-live-51Hx9aBcDeFgHiJk", "s3ss10n-t0k3n", "4111111111111111"] {
            #expect(!capture.sent(secret), "\(secret) was exported")
        }

        let login = try capture.span(named: "login as {user} using password {password}")
        #expect(login.string("logfire.msg") == "login as svc-dome using password [REDACTED:password]")
        #expect(login.string("password") == "[REDACTED:password]")
        #expect(login.string("user") == "svc-dome")

        let config = try capture.span(named: "deploy with {config}")
        #expect(config.string("config") == #"{"db":{"password":"[REDACTED:password]"}}"#)
        #expect(config.string("logfire.msg")?.contains("p4ss") == false)

        let note = try capture.span(named: "note: {note}")
        #expect(note.string("note") == "found key [REDACTED:aws_access_key] in ~/.aws/config")

        let stage = try capture.span(named: "stage {dome.stage}")
        #expect(stage.string("api_key") == "[REDACTED:api_key]")
        #expect(stage.string("session") == "[REDACTED:session]")

        let card = try capture.span(named: "card {n}")
        #expect(card.string("credit_card") == "[REDACTED:credit_card]")
    }

    @Test func spanNamesAndEventsAreRedactedToo() async throws {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
        let capture = try await capture { telemetry in
            let span = telemetry.tracer.startSpan("GET /callback?token=\(jwt)")
            span.addEvent(SpanEvent(name: "retry", attributes: ["authorization": "Bearer abcdef0123456789abcdef"]))
            span.setStatus(SpanStatus(code: .error, message: "rejected \(jwt)"))
            span.end()
        }
        #expect(!capture.sent(jwt))
        #expect(!capture.sent("abcdef0123456789abcdef"))
        #expect(capture.spans.count == 1)
    }
}
