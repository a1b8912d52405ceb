import Synchronization

/// Spans that have ended, waiting for the exporter: a lock-free stack that emitting threads push
/// onto (one compare-and-swap each, no lock, no allocation) and the exporter takes whole (one
/// exchange) and puts back in end order. At `capacity` queued spans, new ones are dropped and
/// counted, so a dead backend cannot grow memory without bound.
final class EndedSpanQueue: Sendable {
    let capacity: Int
    /// The newest span's address (0: empty); each span holds the address of the one below.
    private let head = Atomic<UInt>(0)
    private let count = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Queues `span`; the number queued with it, or nil when the queue was full and it was dropped.
    func push(_ span: TelemetrySpan) -> Int? {
        let queued = count.add(1, ordering: .relaxed).newValue
        guard queued <= capacity else {
            count.subtract(1, ordering: .relaxed)
            dropped.add(1, ordering: .relaxed)
            return nil
        }
        // The stack holds a +1 reference, given back by `takeAll`.
        let node = UInt(bitPattern: Unmanaged.passRetained(span).toOpaque())
        var current = head.load(ordering: .relaxed)
        while true {
            span.next = current
            let (exchanged, original) = head.compareExchange(
                expected: current, desired: node, successOrdering: .releasing, failureOrdering: .relaxed)
            if exchanged { return queued }
            current = original
        }
    }

    /// Every queued span, oldest first, and how many were dropped since the last call.
    func takeAll() -> (spans: [TelemetrySpan], dropped: Int) {
        var node = head.exchange(0, ordering: .acquiring)
        var spans: [TelemetrySpan] = []
        while let raw = UnsafeRawPointer(bitPattern: node) {
            let span = Unmanaged<TelemetrySpan>.fromOpaque(raw).takeRetainedValue()
            node = span.next
            span.next = 0
            spans.append(span)
        }
        count.subtract(spans.count, ordering: .relaxed)
        spans.reverse()
        return (spans, dropped.exchange(0, ordering: .relaxed))
    }
}
