import Contracts
import Foundation
@testable import MemoryOps
import MemoryStore
import Testing

/// Webhook delivery through the outbox against a real HTTP receiver that is down, fails, is
/// slow and recovers: every alert arrives, signed, in order per rule.
@Suite struct DeliveryTests {
    static let secret = "s3cret-for-tests"

    private func configuration(_ rules: [AlertRule], maxAttempts: Int = 1000, deliveryTimeout: Double = 0.5) -> AlertsConfiguration {
        var c = AlertsConfiguration()
        c.rules = rules
        c.maxAttempts = maxAttempts
        c.backoffInitial = 0.05
        c.backoffMax = 0.2
        c.deliveryTimeout = deliveryTimeout
        return c
    }

    /// Runs outbox passes until no delivery is pending (or fails after `timeout`).
    private func drain(_ outbox: WebhookOutbox, _ f: OpsFixture, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while try f.rows("SELECT count(*) FROM alert_outbox WHERE status = 'pending'")[0][0].int64 ?? 0 > 0 {
            guard ContinuousClock.now < deadline else { throw TestError("outbox not drained: \(try f.rows("SELECT * FROM alert_outbox"))") }
            try await outbox.deliverDue()
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func downFailingSlowThenRecoveredReceiverGetsEverythingInOrder() async throws {
        let f = try OpsFixture(now: date("2026-02-15T09:11:00Z"))
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        let receiver = try WebhookReceiver(failures: 2, slow: 1)
        let perRun = try rule("pii", .guardDeny, window: 600, groupBy: .run, codes: ["GUARD.PII.LEAK"],
                              webhooks: [receiver.url], secret: Self.secret)
        let lane = try f.lane()
        let config = configuration([perRun])
        let engine = try AlertEngine(configuration: config, service: f.service, lane: lane, clock: { f.clock.current }, logger: f.logger)
        let outbox = WebhookOutbox(configuration: config, lane: lane, logger: f.logger)
        #expect(try await engine.evaluate().fired.count == 2)
        f.clock.current = date("2026-02-15T10:00:00Z")
        #expect(try await engine.evaluate().resolved.count == 2)

        // Down: nothing listens; attempts fail and are rescheduled, nothing is lost.
        #expect(try await outbox.deliverDue() == 0)
        let afterDown = try f.rows("SELECT attempts, last_error FROM alert_outbox WHERE attempts > 0")
        #expect(afterDown.count == 1, "only the lane's head is attempted")
        #expect(afterDown.first?[1].string?.isEmpty == false)

        try await receiver.start()
        defer { Task { await receiver.stop() } }
        try await drain(outbox, f)

        let order = try f.rows("SELECT alert_id, state FROM alert_outbox ORDER BY delivery_id").map { "\($0[0].string ?? "")|\($0[1].string ?? "")" }
        #expect(receiver.firstArrivals.map { "\($0.alertID)|\($0.state)" } == order)
        #expect(order.count == 4)
        // The 500s and the timed-out slow answer were retried: more requests than alerts.
        #expect(receiver.requests.count >= 4 + 3)
        for request in receiver.requests {
            #expect(request.signature == WebhookReceiver.signature(request.rawBody, secret: Self.secret))
            #expect(request.idempotencyKey == "\(request.alertID):\(request.state)")
            try Schemas.expectValid(request.body, "opctrl/alert_webhook.v1")
            #expect(request.body["runbook"] == "runbooks/pii-leak.md")
        }
        let statuses = try f.rows("SELECT status, count(*) FROM alert_outbox GROUP BY 1")
        #expect(statuses.count == 1 && statuses[0][0].string == "delivered" && statuses[0][1].int64 == 4)
    }

    @Test func deadLetterAfterMaxAttemptsThenTheLaneMovesOn() async throws {
        let f = try OpsFixture(now: date("2026-02-15T09:11:00Z"))
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        let receiver = try WebhookReceiver(failures: 3)
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let perRun = try rule("pii", .guardDeny, window: 600, groupBy: .run, codes: ["GUARD.PII.LEAK"], webhooks: [receiver.url])
        let lane = try f.lane()
        // The receiver never stalls here: the timeout is only a hang guard, so that no attempt on a
        // loaded machine ends in a timeout rather than the receiver's 500.
        let config = configuration([perRun], maxAttempts: 3, deliveryTimeout: 30)
        let engine = try AlertEngine(configuration: config, service: f.service, lane: lane, clock: { f.clock.current }, logger: f.logger)
        let outbox = WebhookOutbox(configuration: config, lane: lane, logger: f.logger)
        try await engine.evaluate()
        try await drain(outbox, f)
        let rows = try f.rows("SELECT status, attempts, last_error FROM alert_outbox ORDER BY delivery_id")
        #expect(rows.map { $0[0].string } == ["dead", "delivered"])
        #expect(rows[0][1].int64 == 3 && rows[0][2].string == "HTTP 500", "\(rows)")
        // No signature without a secret.
        #expect(receiver.requests.allSatisfy { $0.signature == nil })
        let health = try await f.service.call("memory_health", arguments: [:], caller: .init(surface: .cli))
        #expect(health["alerts"]?["outbox"]?["dead"] == 1 && health["alerts"]?["outbox"]?["delivered"] == 1)
    }

    /// A receiver may answer its 2xx with any body (an echo, an HTML page): the status decides.
    @Test func largeAnswerBodyStillCountsAsDelivered() async throws {
        let f = try OpsFixture(now: date("2026-02-15T09:11:00Z"))
        defer { f.remove() }
        try await f.ingestFixture("clean.jsonl")
        let receiver = try WebhookReceiver(answerBytes: 1 << 20)
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let perRun = try rule("pii", .guardDeny, window: 600, groupBy: .run, codes: ["GUARD.PII.LEAK"], webhooks: [receiver.url])
        let lane = try f.lane()
        // A hang guard only: the receiver answers at once.
        let config = configuration([perRun], maxAttempts: 3, deliveryTimeout: 30)
        let engine = try AlertEngine(configuration: config, service: f.service, lane: lane, clock: { f.clock.current }, logger: f.logger)
        let outbox = WebhookOutbox(configuration: config, lane: lane, logger: f.logger)
        #expect(try await engine.evaluate().fired.count == 2)
        try await drain(outbox, f)
        let rows = try f.rows("SELECT status, attempts, last_error FROM alert_outbox ORDER BY delivery_id")
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0[0].string == "delivered" && $0[1].int64 == 1 }, "\(rows)")
        #expect(receiver.requests.count == 2)
    }

    @Test func backoffDoublesWithJitterUpToTheCap() throws {
        var c = AlertsConfiguration()
        c.backoffInitial = 1
        c.backoffMax = 10
        let f = try OpsFixture()
        defer { f.remove() }
        let outbox = WebhookOutbox(configuration: c, lane: try f.lane(), logger: f.logger)
        for (attempt, full) in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 10.0), (40, 10.0)] {
            let waits = (0..<50).map { _ in outbox.backoff(afterAttempt: attempt) }
            #expect(waits.allSatisfy { $0 >= full / 2 && $0 <= full }, "attempt \(attempt): \(waits)")
            #expect(Set(waits).count > 1, "jitter")
        }
    }
}
