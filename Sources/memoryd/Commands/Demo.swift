import ArgumentParser
import Foundation
import MemoryTelemetry
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A simulated planner instrumented with MemoryTelemetry: a few runs (plan → retrieve → act →
/// verify), guard decisions, state transitions, facts and one failing stage, sent to a memoryd,
/// then read back through its memory API.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a simulated, instrumented agent's runs to a memoryd and print each run's summary read back from it.",
        discussion: """
            Run 1 of every three succeeds, run 2 is blocked by a guard and resumes, run 3 fails in its act stage. \
            Start a daemon first (`make run`).
            """)

    @Option(help: "memoryd's OTLP/HTTP base URL.")
    var endpoint = "http://127.0.0.1:4318"

    @Option(help: "memoryd's API base URL.")
    var api = "http://127.0.0.1:8787"

    @Option(help: "How many runs.")
    var runs = 3

    @Flag(help: "Also send the runs to Pydantic Logfire (write token from LOGFIRE_TOKEN), next to memoryd.")
    var logfire = false

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        for (flag, value) in [("--endpoint", endpoint), ("--api", api)] {
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme), url.host != nil else {
                throw ValidationError("\(flag) \(value): expected an http(s) URL")
            }
        }
    }

    func run() async throws {
        let memory = MemoryAPI(baseURL: api)
        let telemetry: Telemetry
        do {
            telemetry = try Telemetry(TelemetryConfiguration(
                serviceName: "dome-planner-demo", serviceVersion: Memoryd.version, destination: .memoryd(endpoint),
                additionalDestinations: logfire ? [.logfire()] : []))
        } catch {
            // A bad OTEL_* variable or a missing LOGFIRE_TOKEN is a configuration error (exit 2).
            throw UsageError("telemetry: \(error)")
        }
        do {
            try await memory.checkReady()
        } catch {
            await telemetry.shutdown()
            throw error
        }
        let planner = Planner(telemetry: telemetry, memory: memory)
        var outcomes: [(run: String, outcome: String)] = []
        do {
            for index in 0 ..< runs {
                outcomes.append(try await planner.run(index))
            }
        } catch {
            await telemetry.shutdown()
            throw error
        }
        // Every span has been acknowledged by memoryd (committed) once this returns.
        await telemetry.shutdown()

        for (runID, outcome) in outcomes {
            let summary = try await memory.call("run_summary", ["run_id": runID])
            print(Self.render(runID: runID, outcome: outcome, summary: summary))
        }
        if let last = outcomes.last {
            print("""

                Read a run back yourself:
                  curl -s -X POST \(api)/v1/tools/run_summary -H 'Content-Type: application/json' -d '{"run_id":"\(last.run)"}'
                """)
        }
    }

    /// A run's summary as a few lines: memoryd's verdict, stages in order with status and
    /// duration, errors (one line per distinct error, with the spans it failed), facts.
    static func render(runID: String, outcome: String, summary: [String: Any]) -> String {
        let stages = summary["stages"] as? [[String: Any]] ?? []
        let errors = summary["errors"] as? [[String: Any]] ?? []
        let facts = summary["facts"] as? [Any] ?? []
        let status = summary["status"] as? String ?? "?"
        let spans = (summary["span_count"] as? NSNumber)?.intValue ?? 0
        let milliseconds = (summary["duration_ms"] as? NSNumber)?.doubleValue ?? 0
        var lines = ["\(runID)  \(outcome); memoryd: \(status), \(spans) spans, \(String(format: "%.0f", milliseconds)) ms"]
        if stages.isEmpty { lines.append("  no stages stored: did the spans reach memoryd's OTLP port?") }
        for stage in stages {
            let index = (stage["index"] as? NSNumber).map { "\($0)" } ?? "?"
            let name = stage["stage"] as? String ?? "?"
            // OpenTelemetry leaves a span's status unset unless it failed.
            let status = (stage["status"] as? String).map { $0 == "unset" ? "ok" : $0 } ?? "?"
            let duration = (stage["duration_ms"] as? NSNumber).map { String(format: "%8.1f ms", $0.doubleValue) } ?? ""
            lines.append("  stage \(index) \(name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(status.padding(toLength: 6, withPad: " ", startingAt: 0)) \(duration)")
        }
        var errorSpans: [(error: String, spans: [String])] = []
        for error in errors {
            let text = (error["exception_type"] as? String).map { $0 + ": " } ?? ""
            let line = text + (error["message"] as? String ?? "")
            let span = error["span_name"] as? String ?? "?"
            if let i = errorSpans.firstIndex(where: { $0.error == line }) {
                errorSpans[i].spans.append(span)
            } else {
                errorSpans.append((line, [span]))
            }
        }
        for (error, spans) in errorSpans { lines.append("  error: \(error) (on \(spans.joined(separator: ", ")))") }
        for fact in facts { lines.append("  fact: \(oneLine(fact))") }
        for (key, label) in [("guard_outcomes", "guard outcomes"), ("transitions", "state transitions")] {
            if let items = summary[key] as? [Any], !items.isEmpty { lines.append("  \(label): \(items.count)") }
        }
        return lines.joined(separator: "\n")
    }

    /// A fact as `namespace/key`, anything else as its JSON.
    private static func oneLine(_ value: Any) -> String {
        if let object = value as? [String: Any], let key = object["key"] as? String {
            return (object["namespace"] as? String).map { $0 + "/" + key } ?? key
        }
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

extension Demo {
    /// A failure of the demo, reported on one line (exit code 1).
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The tool a failing act stage calls.
    struct ToolError: Error, CustomStringConvertible {
        let description: String
    }

    /// memoryd's memory API in its REST form: `POST <api>/v1/tools/<tool>` with the tool's
    /// arguments as a JSON object.
    struct MemoryAPI: Sendable {
        let baseURL: String

        func checkReady() async throws {
            let url = URL(string: baseURL + "/readyz")!
            do {
                let (_, response) = try await URLSession.shared.data(from: url)
                guard (response as? HTTPURLResponse)?.statusCode == 200 else {
                    throw Failure(description: "memoryd at \(baseURL) is not ready (GET /readyz answered \((response as? HTTPURLResponse)?.statusCode ?? 0))")
                }
            } catch let failure as Failure {
                throw failure
            } catch {
                throw Failure(description: "cannot reach memoryd's API at \(baseURL) (start one with `make run`): \(error.localizedDescription)")
            }
        }

        /// The tool's JSON result; a non-2xx answer becomes a one-line failure naming the
        /// status and memoryd's error message.
        func call(_ tool: String, _ arguments: [String: Any]) async throws -> [String: Any] {
            var request = URLRequest(url: URL(string: baseURL + "/v1/tools/" + tool)!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: arguments, options: [.sortedKeys])
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            let body = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            guard (200 ..< 300).contains(status) else {
                let error = body?["error"] as? [String: Any]
                let message = error?["message"] as? String ?? String(decoding: data.prefix(200), as: UTF8.self)
                throw Failure(description: "\(tool) answered HTTP \(status): \(message.isEmpty ? "no body" : message)")
            }
            guard let body else { throw Failure(description: "\(tool) answered HTTP \(status) without a JSON object") }
            return body
        }
    }

    /// The simulated agent. Every third run from the first succeeds, every third from the
    /// second is blocked by a guard and resumes, every third from the third fails in `act`.
    struct Planner: Sendable {
        let telemetry: Telemetry
        let memory: MemoryAPI

        enum Scenario: String {
            case succeeds, blockedByGuard = "blocked by a guard, resumed", failsInAct = "fails in act"
        }

        /// One run; returns its id and outcome. The failing run's error is expected: it is
        /// recorded on its stage and run, and the demo goes on.
        func run(_ index: Int) async throws -> (run: String, outcome: String) {
            let scenario: Scenario = [.succeeds, .blockedByGuard, .failsInAct][index % 3]
            let run = Run(packetID: "pkt-demo-\(index + 1)", milestone: "LM-01", agent: "dome-planner", attempt: 1)
            do {
                try await telemetry.withRun(run, attributes: ["demo.scenario": scenario.rawValue]) { run in
                    try await body(run, scenario)
                }
                return (run.id, scenario == .succeeds ? "succeeded" : "succeeded after a guard block")
            } catch let error as ToolError {
                return (run.id, "failed: \(error)")
            }
        }

        private func body(_ run: Run, _ scenario: Scenario) async throws {
            try telemetry.guardDecision(.allow, guardID: "admission", reasonCode: "GUARD.OK", action: "start run")
            try telemetry.stateTransition(from: "queued", to: "planning", reasonCode: "GUARD.OK")

            let steps = ["read packet", "retrieve context", "call tool", "verify"]
            try await telemetry.withStage("plan") { span in
                telemetry.debug("planning with {model}", ["model": "claude-sonnet-4", "temperature": 0.2])
                try await pause(12)
                span.attributes["plan.step_count"] = steps.count
                telemetry.info("plan ready with {n_steps} steps", ["n_steps": steps.count, "plan": .json(["steps": steps])])
                try await fact(run, "plan", ["steps": steps])
            }
            try telemetry.stateTransition(from: "planning", to: "executing", reasonCode: "STATE.PLAN.READY")

            try await telemetry.withStage("retrieve") { _ in
                // Two sources at once: spans of the task group's children join the run too.
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for (source, delay) in [("memoryd", 15), ("docs", 25)] {
                        group.addTask {
                            try await telemetry.withSpan("retrieve {source}", ["source": source]) { _ in
                                try await pause(delay)
                                return 3
                            }
                        }
                    }
                    let count = try await group.reduce(0, +)
                    telemetry.info("retrieved {n} docs", ["n": count, "doc_ids": .json(["doc-1", "doc-2", "doc-3"])])
                }
            }

            do {
                try await act(run, scenario)
            } catch {
                try telemetry.stateTransition(from: "executing", to: "failed", reasonCode: "STATE.FAILED.ERROR")
                throw error
            }
            try telemetry.stateTransition(from: "executing", to: "verifying", reasonCode: "STATE.EXEC.DONE")

            try await telemetry.withStage("verify") { _ in
                try await telemetry.withSpan("verify {check}", ["check": "row-count"], tags: ["verify"]) { _ in
                    try await pause(6)
                }
                telemetry.info("verification {outcome}", ["outcome": "passed", "score": 0.92])
            }
            try telemetry.stateTransition(from: "verifying", to: "succeeded", reasonCode: "STATE.VERIFY.PASSED")
            try await fact(run, "outcome", ["result": "succeeded"])
        }

        /// The act stage: a guard check (a deny in the blocked scenario), the tool call (which
        /// fails in the failing scenario), its result as a fact.
        private func act(_ run: Run, _ scenario: Scenario) async throws {
            try await telemetry.withStage("act") { _ in
                if scenario == .blockedByGuard {
                    try telemetry.guardDecision(.deny, guardID: "pii-egress", reasonCode: "GUARD.PII.LEAK", action: "http.post",
                                                detail: "payload carries an email address")
                    try telemetry.stateTransition(from: "executing", to: "blocked", reasonCode: "STATE.BLOCKED.GUARD")
                    try await pause(8)
                    telemetry.warn("payload scrubbed, retrying {action}", ["action": "http.post"])
                    try telemetry.stateTransition(from: "blocked", to: "executing", reasonCode: "GUARD.OK")
                }
                try telemetry.guardDecision(.allow, guardID: "pii-egress", reasonCode: "GUARD.OK", action: "http.post")
                // A secret the redaction rules remove before anything is exported.
                telemetry.info("calling tool {tool} with api key {api_key}", ["tool": "http.post", "api_key": "sk-live-demo-4242"])
                try await telemetry.withSpan("tool {tool}", ["tool": "http.post", "attempt": 1]) { _ in
                    try await pause(20)
                    if scenario == .failsInAct {
                        throw ToolError(description: "http.post timed out after 20 ms")
                    }
                }
                try await fact(run, "tool_result", ["tool": "http.post", "status": 200])
            }
        }

        private func fact(_ run: Run, _ key: String, _ value: [String: Any]) async throws {
            _ = try await memory.call("memory_upsert", ["namespace": "demo", "key": "\(run.id)/\(key)", "value": value, "run_id": run.id])
        }

        private func pause(_ milliseconds: Int) async throws {
            try await Task.sleep(for: .milliseconds(milliseconds))
        }
    }
}
