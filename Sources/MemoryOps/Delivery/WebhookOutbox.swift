import AsyncHTTPClient
import Foundation
import Logging
import MemoryStore
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Delivers `alert_outbox` rows: POSTs each to its webhook, at least once, until a 2xx answer.
///
/// Per rule and URL, deliveries go one at a time in the order they were written (a rule's
/// firing before its resolve, older alerts before newer); lanes run side by side. A failed
/// attempt (connection refused, timeout, non-2xx) is retried after an exponential backoff with
/// jitter; after `maxAttempts` the delivery is dead (kept, with its last error) and the lane
/// moves on. Every outcome is written before the next attempt, so a restart resumes the
/// outbox where it stood: nothing committed there is lost. Receivers dedupe on `alert_id`
/// and `state` (a delivery whose answer was lost is sent again).
public struct WebhookOutbox: Service {
    let configuration: AlertsConfiguration
    let lane: ConnectionPool
    let client: HTTPClient
    let pollInterval: Duration
    let logger: Logger

    public init(configuration: AlertsConfiguration, lane: ConnectionPool, client: HTTPClient = .shared,
                pollInterval: Duration = .milliseconds(250), logger: Logger) {
        self.configuration = configuration
        self.lane = lane
        self.client = client
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await deliverDue()
            } catch {
                logger.warning("alert outbox pass failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { [pollInterval] in try await Task.sleep(for: pollInterval) }
        }
    }

    /// Attempts every lane's due delivery once, lanes in parallel. Returns how many were delivered.
    @discardableResult
    public func deliverDue() async throws -> Int {
        let now = Self.micros(Date())
        let due = try await lane.run { try AlertLedger.dueDeliveries(now: now, on: $0) }
        guard !due.isEmpty else { return 0 }
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            for delivery in due {
                group.addTask { try await attempt(delivery) }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
    }

    private func attempt(_ delivery: AlertDelivery) async throws -> Bool {
        let attempts = delivery.attempts + 1
        guard let rule = configuration.rule(named: delivery.rule) else {
            // Without the rule there is no secret to sign with; say so rather than send unsigned.
            try await lane.run {
                try AlertLedger.markDead(delivery.deliveryID, attempts: delivery.attempts, at: Self.micros(Date()),
                                         error: "rule \(delivery.rule) is no longer configured", on: $0)
            }
            return false
        }
        let failure: String?
        do {
            let status = try await post(delivery, secret: rule.secret)
            failure = (200..<300).contains(status) ? nil : "HTTP \(status)"
        } catch {
            failure = "\(error)"
        }
        let finished = Self.micros(Date())
        if failure == nil {
            try await lane.run { try AlertLedger.markDelivered(delivery.deliveryID, attempts: attempts, at: finished, on: $0) }
            logger.debug("alert delivered", metadata: ["alert_id": "\(delivery.alertID)", "url": "\(delivery.url)"])
            return true
        }
        let error = failure ?? ""
        if attempts >= configuration.maxAttempts {
            try await lane.run { try AlertLedger.markDead(delivery.deliveryID, attempts: attempts, at: finished, error: error, on: $0) }
            logger.error("alert delivery dead", metadata: [
                "alert_id": "\(delivery.alertID)", "url": "\(delivery.url)", "attempts": "\(attempts)", "error": "\(error)"])
        } else {
            let next = finished + Int64(backoff(afterAttempt: attempts) * 1e6)
            try await lane.run { try AlertLedger.markRetry(delivery.deliveryID, attempts: attempts, next: next, error: error, on: $0) }
            logger.info("alert delivery failed; will retry", metadata: [
                "alert_id": "\(delivery.alertID)", "url": "\(delivery.url)", "attempts": "\(attempts)", "error": "\(error)"])
        }
        return false
    }

    /// Seconds to wait after the `attempt`-th failure: the initial backoff doubled per
    /// attempt, capped, then "equal jitter" (half fixed, half random) so receivers that come
    /// back are not hit by every sender at once.
    func backoff(afterAttempt attempt: Int) -> Double {
        let exponential = configuration.backoffInitial * pow(2, Double(min(attempt - 1, 30)))
        let capped = min(configuration.backoffMax, exponential)
        return capped / 2 + Double.random(in: 0...(capped / 2))
    }

    /// POSTs one delivery; the status code, or a thrown connection or timeout error.
    func post(_ delivery: AlertDelivery, secret: String?) async throws -> Int {
        try await Self.post(body: delivery.body, to: delivery.url, idempotencyKey: "\(delivery.alertID):\(delivery.state)", secret: secret,
                            timeout: configuration.deliveryTimeout, client: client)
    }

    /// One signed POST of `body` (shared with `memoryd alerts test`).
    public static func post(body: String, to url: String, idempotencyKey: String, secret: String?, timeout: Double,
                            client: HTTPClient = .shared) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "memoryd-alerts")
        request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        if let secret { request.headers.add(name: WebhookSignature.header, value: WebhookSignature.value(body: body, secret: secret)) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
        // The status is the receiver's answer; its body (any size) is only read and dropped so the
        // connection can be reused, and failing to read it does not undo a delivery.
        let status = Int(response.status.code)
        do {
            for try await _ in response.body {}
        } catch {}
        return status
    }

    static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1e6).rounded()) }
}
