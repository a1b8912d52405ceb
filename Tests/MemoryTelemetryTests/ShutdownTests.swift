import MemoryTelemetry
import Testing
import Tracing

@Suite struct ShutdownTests {
    /// With a batch interval no test waits for, only shutdown can have sent the spans.
    @Test func shutdownExportsEverySpanThatEnded() async throws {
        let capture = try await capture({ $0.batchInterval = .seconds(600) }) { telemetry in
            for i in 0 ..< 1500 { telemetry.info("span {i}", ["i": i]) }
        }
        #expect(capture.spans.count == 1500)
        #expect(Set(capture.spans.compactMap { $0.int("i") }).count == 1500)
    }

    /// `bootstrap` installs the tracer for the whole process: a library that only knows
    /// swift-distributed-tracing exports through it, outside any run. (Once per process: the
    /// only test that bootstraps.)
    @Test func bootstrapInstallsTheTracerForTheProcess() async throws {
        let receiver = CaptureReceiver()
        try await LocalHTTPServer.with(receiver.router) { port in
            let telemetry = try Telemetry.bootstrap(TelemetryConfiguration(destination: .memoryd("http://127.0.0.1:\(port)")))
            InstrumentationSystem.tracer.withSpan("library span, password=hunter2") { _ in }
            await telemetry.shutdown()
        }
        #expect(receiver.spans.map(\.name) == ["library span, password=[REDACTED:password]"])
    }
}
