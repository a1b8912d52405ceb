/// The `[alerts]` section of `memoryd.toml`: the rules and how they are evaluated and delivered.
/// Durations are seconds.
public struct AlertsConfiguration: Sendable, Equatable {
    /// `alerts.interval`: time between evaluations; default 15 s.
    public var interval: Double = 15
    /// `alerts.max_attempts`: delivery attempts per webhook before the delivery is dead; default 10.
    public var maxAttempts = 10
    /// `alerts.backoff_initial`: wait after the first failed attempt, doubled after each; default 1 s.
    public var backoffInitial: Double = 1
    /// `alerts.backoff_max`: the longest wait between attempts; default 300 s.
    public var backoffMax: Double = 300
    /// `alerts.delivery_timeout`: one POST's time budget; default 10 s.
    public var deliveryTimeout: Double = 10
    /// `[[alerts.rules]]`, validated, in file order.
    public var rules: [AlertRule] = []

    public init() {}

    public func rule(named name: String) -> AlertRule? { rules.first { $0.name == name } }
}
