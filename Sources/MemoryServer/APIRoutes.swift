import Foundation
import Hummingbird
import MemoryIngest
import NIOCore

/// Routes on the API port. Liveness and readiness answer from the start, before anything
/// else is wired, so orchestrators can probe a booting daemon.
struct APIRoutes: Sendable {
    let pipeline: IngestPipeline
    let readiness: Readiness
    /// Renders the Prometheus exposition.
    let metrics: @Sendable () -> String

    func register(on router: Router<BasicRequestContext>) {
        router.get("healthz") { _, _ in
            json(.ok, ["status": "ok"])
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics())))
        }
        router.get("readyz") { _, _ in
            readiness.isReady
                ? json(.ok, ["status": "ready"])
                : json(.serviceUnavailable, ["status": "not ready"])
        }
    }
}

/// A JSON response from a string dictionary (the error and status bodies of the API port).
func json(_ status: HTTPResponse.Status, _ object: [String: String]) -> Response {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    return Response(status: status, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
