import CompressNIO
import Foundation
import Hummingbird
import MemoryTelemetry
import NIOCore
import OTLP
import Synchronization

/// An OTLP/HTTP traces receiver inside the test process: it keeps every request body exactly as
/// it arrived (gzipped ones decompressed), each request's headers, and the spans decoded.
final class CaptureReceiver: Sendable {
    private let state = Mutex<(bodies: [[UInt8]], spans: [CapturedSpan], headers: [[String: String]])>(([], [], []))

    var bodies: [[UInt8]] { state.withLock { $0.bodies } }
    var spans: [CapturedSpan] { state.withLock { $0.spans } }
    /// Each request's headers, lowercase names.
    var headers: [[String: String]] { state.withLock { $0.headers } }

    var router: Router<BasicRequestContext> {
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            var buffer = try await request.body.collect(upTo: 64 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            if headers["content-encoding"] == "gzip" { buffer = try buffer.decompress(with: .gzip(), maxSize: 64 << 20) }
            let bytes = Array(buffer.readableBytesView)
            let decoded = try OTLPTraceRequest(serializedBytes: bytes)
            let spans = decoded.resourceSpans.flatMap { resourceSpans in
                resourceSpans.scopeSpans.flatMap { scope in
                    scope.spans.map { CapturedSpan(span: $0, resource: resourceSpans.resource.attributes) }
                }
            }
            self.state.withLock {
                $0.bodies.append(bytes)
                $0.spans += spans
                $0.headers.append(headers)
            }
            let response: [UInt8] = try OTLPTraceResponse().serializedBytes()
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"],
                            body: .init(byteBuffer: ByteBuffer(bytes: response)))
        }
        return router
    }
}

/// What one test's telemetry exported.
struct Capture: Sendable {
    let spans: [CapturedSpan]
    let bodies: [[UInt8]]

    func spans(named name: String) -> [CapturedSpan] { spans.filter { $0.name == name } }

    func span(named name: String) throws -> CapturedSpan {
        let found = spans(named: name)
        guard found.count == 1 else { throw TestFailure("\(found.count) spans named \(name): \(spans.map(\.name))") }
        return found[0]
    }

    func span(withMessage message: String) throws -> CapturedSpan {
        guard let span = spans.first(where: { $0.string("logfire.msg") == message }) else {
            throw TestFailure("no span with message \(message): \(spans.compactMap { $0.string("logfire.msg") })")
        }
        return span
    }

    func children(of parent: CapturedSpan) -> [CapturedSpan] {
        spans.filter { $0.parentSpanID == parent.spanID }
    }

    /// Whether `text` occurs anywhere in the bytes that were sent.
    func sent(_ text: String) -> Bool {
        let needle = Array(text.utf8)
        return bodies.contains { body in
            body.withUnsafeBufferPointer { haystack in
                guard haystack.count >= needle.count else { return false }
                return (0 ... haystack.count - needle.count).contains { start in
                    haystack[start] == needle[0] && needle.indices.allSatisfy { haystack[start + $0] == needle[$0] }
                }
            }
        }
    }
}

/// Runs `body` with a `Telemetry` exporting to a capture receiver of its own, shuts it down
/// (which exports everything that ended) and returns what arrived.
func capture(
    _ configure: @Sendable (inout TelemetryConfiguration) -> Void = { _ in },
    _ body: @Sendable (Telemetry) async throws -> Void
) async throws -> Capture {
    let receiver = CaptureReceiver()
    return try await LocalHTTPServer.with(receiver.router) { port in
        var configuration = TelemetryConfiguration(serviceName: "telemetry-tests", destination: .memoryd("http://127.0.0.1:\(port)"))
        configure(&configuration)
        let telemetry = try Telemetry(configuration)
        do {
            try await body(telemetry)
        } catch {
            await telemetry.shutdown()
            throw error
        }
        await telemetry.shutdown()
        return Capture(spans: receiver.spans, bodies: receiver.bodies)
    }
}
