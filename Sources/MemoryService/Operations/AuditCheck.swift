/// What the ops gate and the `audit_broken` alert rule learn from the audit chain's
/// verification: intact or not, and which row broke it.
public struct AuditStatus: Sendable, Equatable {
    public var intact: Bool
    /// The audit row (or checkpoint) where verification failed; nil when intact.
    public var ref: String?
    /// One line for people: what failed, or how much was checked.
    public var detail: String

    public init(intact: Bool, ref: String? = nil, detail: String) {
        self.intact = intact
        self.ref = ref
        self.detail = detail
    }
}

/// Verifies the audit chain. The audit log lives in the store (issue 6); this is the seam the
/// gate and the alert engine take it through, so both ask the same verifier.
public typealias AuditCheck = @Sendable () async throws -> AuditStatus
