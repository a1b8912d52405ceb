/// Remembers which run each recent trace belongs to, so spans exported without
/// `dome.run.id` inherit it without a lookup per span. Bounded: it forgets everything when
/// full, and the store answers again.
final class TraceRunCache {
    private var runByTrace: [String: String] = [:]
    /// Traces with stored spans but no known run id yet.
    private var orphans: Set<String> = []
    private var pendingOrphans: Set<String> = []
    private var adopted: [(String, String)] = []
    private let capacity: Int

    init(capacity: Int = 100_000) { self.capacity = capacity }

    func learn(trace: String, run: String, stored: Bool = false) {
        if runByTrace.count >= capacity { runByTrace.removeAll(keepingCapacity: true) }
        if runByTrace.updateValue(run, forKey: trace) == nil, orphans.remove(trace) != nil {
            adopted.append((trace, run))
        }
    }

    func isKnown(_ trace: String) -> Bool { runByTrace[trace] != nil || orphans.contains(trace) }

    func run(for trace: String) -> String? { runByTrace[trace] }

    func markOrphan(_ trace: String) { pendingOrphans.insert(trace) }

    /// Traces that were orphans and now have a run id, with that id (consumed).
    func adoptedOrphans() -> [(String, String)] {
        defer { adopted.removeAll() }
        return adopted
    }

    /// Orphans become known only once their rows are committed.
    func commitPending() {
        if orphans.count + pendingOrphans.count > capacity { orphans.removeAll() }
        orphans.formUnion(pendingOrphans)
        pendingOrphans.removeAll()
    }
}
