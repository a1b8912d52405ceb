/// Parent-based trace-id-ratio sampling: a root span is kept when its trace id's low 64 bits
/// fall under `ratio` × 2^64 (so every process decides the same for a trace); a child follows
/// its parent, local or remote.
struct Sampler: Sendable {
    private let keepsAll: Bool
    private let threshold: UInt64

    init(ratio: Double) {
        keepsAll = ratio >= 1
        let scaled = max(0, ratio) * 0x1p64
        threshold = scaled < 0x1p64 ? UInt64(scaled) : .max
    }

    func keeps(_ traceID: TraceID) -> Bool {
        keepsAll || traceID.low < threshold
    }
}
