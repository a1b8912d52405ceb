import Foundation
import OTLP
import SwiftProtobuf
import Synchronization

/// Several clients POSTing distinct trace batches (the 01 capture under fresh trace ids) as
/// fast as a server takes them, recording which were acknowledged. Once `threshold` exports
/// are acknowledged, `trigger` runs once (a signal to the server) while requests are in flight.
final class LoadGenerator: Sendable {
    struct Outcome: Sendable {
        var traceID: String
        /// nil: no HTTP response (connection refused or reset).
        var status: Int?
        var retryAfter: String?
    }

    private struct State {
        var outcomes: [Outcome] = []
        var acknowledged = 0
        var triggered = false
    }

    private let state = Mutex(State())
    let port: Int
    let clients: Int
    let threshold: Int
    let maxRequestsPerClient: Int

    init(port: Int, clients: Int = 4, threshold: Int = 24, maxRequestsPerClient: Int = 400) {
        self.port = port
        self.clients = clients
        self.threshold = threshold
        self.maxRequestsPerClient = maxRequestsPerClient
    }

    var outcomes: [Outcome] { state.withLock { $0.outcomes } }
    var acknowledgedTraceIDs: Set<String> { Set(outcomes.filter { $0.status == 200 }.map(\.traceID)) }
    var attemptedTraceIDs: Set<String> { Set(outcomes.map(\.traceID)) }

    /// Runs the clients until each sees the server go away (or has sent its maximum).
    func run(trigger: @escaping @Sendable () -> Void) async throws {
        let template = try SpanBatches.template()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<clients {
                group.addTask { try await self.client(template: template, trigger: trigger) }
            }
            try await group.waitForAll()
        }
    }

    private func client(template: OTLPTraceRequest, trigger: @escaping @Sendable () -> Void) async throws {
        for _ in 0..<maxRequestsPerClient {
            let traceID = SpanBatches.randomTraceID()
            let body: [UInt8] = try SpanBatches.batch(from: template, traceID: traceID).serializedBytes()
            var outcome = Outcome(traceID: traceID)
            do {
                let response = try await HTTP.post(port: port, signal: "traces", contentType: "application/x-protobuf",
                                                   body: body)
                outcome.status = response.status
                outcome.retryAfter = response.headers[.retryAfter]
            } catch {
                outcome.status = nil
            }
            let fire: Bool = state.withLock { state in
                state.outcomes.append(outcome)
                if outcome.status == 200 { state.acknowledged += 1 }
                guard !state.triggered, state.acknowledged >= threshold else { return false }
                state.triggered = true
                return true
            }
            if fire { trigger() }
            // The server is gone or going: this client is done.
            if outcome.status != 200 { return }
        }
    }
}
