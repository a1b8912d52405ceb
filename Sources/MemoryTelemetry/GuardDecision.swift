/// A guardrail's verdict on one proposed action, as `xtrlv2/guard_outcome.v1` spells it.
public enum GuardDecision: String, Sendable, Hashable, CaseIterable {
    case allow, warn, deny
}
