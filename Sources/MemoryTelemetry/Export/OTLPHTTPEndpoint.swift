import AsyncHTTPClient
import CompressNIO
import Logging
import NIOCore

/// One place spans are sent: an OTLP/HTTP traces URL with its headers (API keys, Logfire's
/// token) and whether bodies are gzipped.
struct OTLPHTTPEndpoint: Sendable, Hashable {
    /// The full traces URL (`…/v1/traces`).
    var url: String
    var headers: [String: String]
    var gzip: Bool

    /// POSTs one encoded request; whether the endpoint answered (any status). A failure is
    /// logged, not retried: the batch is dropped, as OpenTelemetry's exporters do, so a dead
    /// backend cannot hold spans without bound.
    func send(_ body: [UInt8], client: HTTPClient, timeout: Duration, logger: Logger) async -> Bool {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: name, value: value) }
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/x-protobuf")
        var buffer = ByteBuffer(bytes: body)
        if gzip {
            do {
                buffer = try buffer.compress(with: .gzip())
                request.headers.replaceOrAdd(name: "Content-Encoding", value: "gzip")
            } catch {
                logger.warning("MemoryTelemetry: gzip failed, sending uncompressed", metadata: ["error": "\(error)"])
            }
        }
        request.body = .bytes(buffer)
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(nanoseconds))
            let answer = try await response.body.collect(upTo: 1 << 20)
            guard (200 ..< 300).contains(response.status.code) else {
                logger.warning("MemoryTelemetry: export rejected", metadata: [
                    "url": "\(url)", "status": "\(response.status.code)",
                    "body": "\(String(buffer: answer).prefix(300))",
                ])
                return true
            }
            return true
        } catch {
            logger.warning("MemoryTelemetry: export failed", metadata: ["url": "\(url)", "error": "\(error)"])
            return false
        }
    }
}
