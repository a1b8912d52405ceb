import Contracts
import Dispatch
import Foundation
import Hummingbird
import MemoryIngest
import MemoryStore
import NIOCore
import Redaction

/// `POST /v1/events` on the API port: watcher envelopes as NDJSON, checked and stored exactly as
/// `memoryd ingest` does (same contracts, redaction, dedupe by source and id, rejects kept in
/// `ingest_rejects`). The answer counts what happened to the lines; 200 even when some were
/// rejected, as OTLP's partial success.
struct EventsRoutes: Sendable {
    let endpoint: EnvelopeEndpoint
    let maxBodyBytes: Int

    static let mediaTypes: Set<String> = ["application/x-ndjson", "application/jsonl", "application/json", "text/plain"]

    func register(on router: Router<BasicRequestContext>) {
        router.post("v1/events") { request, _ in
            if let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased(),
               !Self.mediaTypes.contains(type) {
                return RESTRoutes.error(.unsupportedMediaType, code: "unsupported_media_type",
                                        message: "send envelopes as application/x-ndjson, got \(type)")
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxBodyBytes)
            } catch {
                return RESTRoutes.error(.contentTooLarge, code: "too_large", message: "the body is larger than \(maxBodyBytes) bytes")
            }
            do {
                let summary = try await endpoint.ingest(Data(body.readableBytesView))
                return RESTRoutes.response(.ok, [
                    "lines": .integer(Int64(summary.lines)), "stored": .integer(Int64(summary.stored)),
                    "duplicates": .integer(Int64(summary.duplicates)), "rejected": .integer(Int64(summary.rejected)),
                    "unknown_topics": .integer(Int64(summary.unknownTopics)),
                ])
            } catch {
                return RESTRoutes.error(.internalServerError, code: "failed", message: "events were not stored: \(error)")
            }
        }
    }
}

/// The daemon's envelope ingestor: one at a time, on its own thread (DuckDB calls block).
final class EnvelopeEndpoint: @unchecked Sendable {
    // Only touched on `queue`.
    private let ingestor: EnvelopeIngestor
    private let queue = DispatchQueue(label: "memoryd.events")

    init(store: Store, redactor: Redactor?) throws {
        ingestor = try EnvelopeIngestor(store: store, contracts: ContractRegistry.pinned(), redactor: redactor)
    }

    func ingest(_ body: Data) async throws -> EnvelopeIngestor.Summary {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                var remaining: Data? = body
                continuation.resume(with: Result {
                    try self.ingestor.ingestStream(named: "http") {
                        defer { remaining = nil }
                        return remaining
                    }
                })
            }
        }
    }
}
