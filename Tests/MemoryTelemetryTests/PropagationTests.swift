import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import MemoryTelemetry
import Testing
import Tracing

/// The run crosses process boundaries in W3C `traceparent` and `baggage` headers.
@Suite struct PropagationTests {
    let run = Run(id: "run-hop", packetID: "pkt 9/ü", milestone: "LM-01", agent: "planner", attempt: 3)

    /// Two `Telemetry` instances that share nothing but HTTP headers, as two processes would:
    /// the callee's span joins the caller's trace, under the caller's span, with its run.
    @Test func baggageRoundTripOverARealHTTPHop() async throws {
        let receiver = CaptureReceiver()
        try await LocalHTTPServer.with(receiver.router) { [run] otlpPort in
            let caller = try Telemetry(TelemetryConfiguration(serviceName: "caller", destination: .memoryd("http://127.0.0.1:\(otlpPort)")))
            let callee = try Telemetry(TelemetryConfiguration(serviceName: "callee", destination: .memoryd("http://127.0.0.1:\(otlpPort)")))
            let router = Router()
            router.get("/hop") { request, _ -> HTTPResponse.Status in
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                try await callee.withExtractedContext(from: headers) {
                    try await callee.withStage("serve", index: 7) { _ in callee.info("handled {path}", ["path": "/hop"]) }
                }
                return .ok
            }
            try await LocalHTTPServer.with(router) { hopPort in
                try await caller.withRun(run) { _ in
                    try await caller.withStage("call") { _ in
                        var headers: [String: String] = [:]
                        caller.inject(into: &headers)
                        #expect(headers["traceparent"] != nil)
                        #expect(headers["baggage"]?.contains("dome.run.id=run-hop") == true)
                        var fields = HTTPFields()
                        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
                        let status = try await TestClient.withClient(host: "127.0.0.1", port: hopPort) { [fields] client in
                            try await client.execute(TestClient.Request("/hop", method: .get, headers: fields)).status
                        }
                        #expect(status == .ok)
                    }
                }
            }
            await caller.shutdown()
            await callee.shutdown()
        }

        let capture = Capture(spans: receiver.spans, bodies: receiver.bodies)
        let stages = capture.spans(named: "stage {dome.stage}")
        let call = try #require(stages.first { $0.string("dome.stage") == "call" })
        let serve = try #require(stages.first { $0.string("dome.stage") == "serve" })
        #expect(serve.traceID == call.traceID)
        #expect(serve.parentSpanID == call.spanID)
        #expect(serve.resourceString("service.name") == "callee")
        #expect(serve.int("dome.stage.index") == 7)
        let handled = try capture.span(named: "handled {path}")
        for span in [serve, handled] {
            #expect(span.string("dome.run.id") == "run-hop")
            #expect(span.string("dome.packet.id") == "pkt 9/ü")
            #expect(span.string("dome.milestone") == "LM-01")
            #expect(span.string("dome.agent") == "planner")
            #expect(span.int("dome.attempt") == 3)
        }
    }

    @Test func foreignBaggageIsPassedOn() throws {
        let telemetry = try Telemetry(TelemetryConfiguration(destination: .none))
        let context = telemetry.extract(from: [
            "Traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "Baggage": "vendor=v%2C1;prop=x, dome.run.id=run-remote,dome.attempt=2",
        ])
        var headers: [String: String] = [:]
        telemetry.inject(into: &headers, context: context)
        #expect(headers["traceparent"]?.hasPrefix("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-") == true)
        let baggage = Baggage(header: try #require(headers["baggage"]))
        #expect(baggage["vendor"] == "v,1")
        #expect(baggage["dome.run.id"] == "run-remote")
        #expect(baggage["dome.attempt"] == "2")
    }

    @Test func baggageCodec() {
        let encoded = Baggage.percentEncoded("a b,c;d\\e%f=g/ü")
        #expect(encoded == "a%20b%2Cc%3Bd%5Ce%25f=g/%C3%BC")
        #expect(Baggage.percentDecoded(Substring(encoded)) == "a b,c;d\\e%f=g/ü")
        #expect(Baggage.percentDecoded("bad%zz") == nil)

        let parsed = Baggage(header: " k1 = v1 ;p=1 , bad key=x, =novalue, k2=%F0%9F%9A%80,k3")
        #expect(parsed.entries.map(\.key) == ["k1", "k2"])
        #expect(parsed["k2"] == "🚀")

        var big = Baggage()
        for i in 0 ..< 300 { big["k\(i)"] = String(repeating: "x", count: 40) }
        #expect(big.header.utf8.count <= Baggage.maxHeaderBytes)
        #expect(Baggage(header: big.header).entries.count <= Baggage.maxEntries)
    }
}
