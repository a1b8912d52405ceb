/// What walking the audit chain found. `intact` is what gates and alerts look at; the rest
/// says where and why it broke.
public struct AuditVerification: Sendable, Equatable, CustomStringConvertible {
    /// Rows checked.
    public var rows: Int
    /// Where the walk started: the newest pruning checkpoint's seq (0 without one).
    public var checkpointSeq: Int64
    /// The newest row's (seq, hash) that verified, or the checkpoint's when no row did.
    public var headSeq: Int64
    public var headHash: String
    /// The first seq that does not verify, and why; nil when the chain is intact.
    public var firstBadSeq: Int64?
    public var problem: String?

    public var intact: Bool { firstBadSeq == nil }

    public var description: String {
        if let firstBadSeq, let problem {
            return "audit chain broken at seq \(firstBadSeq): \(problem)"
        }
        return "audit chain intact: \(rows) rows after checkpoint seq \(checkpointSeq), head seq \(headSeq) \(headHash)"
    }
}
