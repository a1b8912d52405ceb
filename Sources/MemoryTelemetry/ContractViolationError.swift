/// A domain event that does not conform to the pinned xtrlv2 contract: an unknown reason code,
/// a transition `run_states.v1` does not allow, a missing or malformed field. Thrown in debug
/// builds; release builds record it as a warning instead.
public struct ContractViolationError: Error, Sendable, CustomStringConvertible {
    /// The contract's schema id, e.g. `xtrlv2/state_transition.v1`.
    public let schema: String
    /// One line per violation, with the field it concerns.
    public let violations: [String]

    public var description: String { "\(schema): " + violations.joined(separator: "; ") }
}
