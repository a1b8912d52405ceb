import Contracts
import DuckDB
import Dispatch
import Hummingbird
import MemoryService
import MemoryStore
import NIOCore

/// Legal holds while the daemon runs (the CLI's `retention hold` needs the file to itself):
/// `GET /v1/holds`, `PUT /v1/holds/{run_id}` (optional `{"reason": …}`), `DELETE
/// /v1/holds/{run_id}`. Admin scope when tokens are configured; changes are audited.
struct HoldRoutes: Sendable {
    private struct Lane: @unchecked Sendable {
        let connection: Connection
        let queue = DispatchQueue(label: "memoryd.holds")
        func run<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
            try await withCheckedThrowingContinuation { continuation in
                queue.async { continuation.resume(with: Result { try body(connection) }) }
            }
        }
    }

    private let lane: Lane
    let audit: AuditLog?
    let maxBodyBytes: Int

    init(store: Store, audit: AuditLog?, maxBodyBytes: Int) throws {
        lane = Lane(connection: try store.connect())
        self.audit = audit
        self.maxBodyBytes = maxBodyBytes
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("v1/holds") { _, _ in
            do {
                let holds = try await lane.run { try LegalHolds.list(on: $0) }
                return RESTRoutes.response(.ok, ["holds": .array(holds.map { hold in
                    ["run_id": .string(hold.runID), "reason": hold.reason.map(JSONValue.string) ?? .null,
                     "held_by": .string(hold.heldBy), "held_at": .string(TimestampFormat.iso8601(micros: hold.heldAt))]
                })])
            } catch {
                return RESTRoutes.error(.internalServerError, code: "failed", message: "\(error)")
            }
        }
        router.put("v1/holds/:run_id") { request, context in
            let runID = try context.parameters.require("run_id")
            var reason: String?
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxBodyBytes)
            } catch {
                return RESTRoutes.error(.contentTooLarge, code: "too_large", message: "the body is larger than \(maxBodyBytes) bytes")
            }
            if body.readableBytes > 0 {
                guard case .object(let object)? = try? JSONValue(parsing: body.readableBytesView),
                      object.keys.allSatisfy({ $0 == "reason" }), object["reason"].map({ $0.stringValue != nil }) ?? true else {
                    return RESTRoutes.error(.badRequest, code: "invalid_arguments", message: #"the body is {"reason": "<text>"} or empty"#)
                }
                reason = object["reason"]?.stringValue
            }
            let actor = Caller(surface: .rest).actor
            let given = reason
            return await change("retention hold", runID: runID, status: .ok) { connection in
                try LegalHolds.hold(runID: runID, reason: given, by: actor, on: connection)
                return true
            }
        }
        router.delete("v1/holds/:run_id") { _, context in
            let runID = try context.parameters.require("run_id")
            return await change("retention release", runID: runID, status: .ok) { try LegalHolds.release(runID: runID, on: $0) }
        }
    }

    /// Applies a hold change, audits it, and answers; false from `body` is 404.
    private func change(_ operation: String, runID: String, status: HTTPResponse.Status,
                        _ body: @escaping @Sendable (Connection) throws -> Bool) async -> Response {
        let caller = Caller(surface: .rest)
        do {
            let changed = try await lane.run(body)
            try await audit?.append(AuditEntry(
                actor: caller.actor, surface: caller.surface.rawValue, operation: operation, target: "run:\(runID)",
                argumentsDigest: AuditDigest.sha256Hex(runID), outcome: changed ? "ok" : "not_found",
                rowCounts: ["holds": changed ? 1 : 0]))
            guard changed else {
                return RESTRoutes.error(.notFound, code: "not_found", message: "run \(runID) is not under legal hold")
            }
            return RESTRoutes.response(status, ["run_id": .string(runID), "held": .bool(operation == "retention hold")])
        } catch {
            return RESTRoutes.error(.internalServerError, code: "failed", message: "\(operation) failed: \(error)")
        }
    }
}
