import Foundation
import Logging
import MemoryService
import MemoryStore
import ServiceLifecycle

/// The alert engine and the webhook outbox as `serve` runs them, on one connection of their
/// own (the ops tables' only writer, so the engine's and the sender's writes never conflict).
public struct OpsServices: Sendable {
    public let engine: AlertEngine
    public let outbox: WebhookOutbox

    public init(configuration: AlertsConfiguration, service: MemoryService, store: Store,
                clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger) throws {
        let lane = try ConnectionPool(store: store, size: 1, label: "ops")
        engine = try AlertEngine(configuration: configuration, service: service, lane: lane, clock: clock, logger: logger)
        outbox = WebhookOutbox(configuration: configuration, lane: lane, logger: logger)
    }

    public var services: [any Service] { [engine, outbox] }

    /// Start-up check of what the configuration parser cannot see: every `sql` rule's query
    /// must be one read-only statement without parameters that prepares on this schema.
    public func validate() async throws(AlertRuleError) {
        try await engine.validateQueries()
    }
}
