/// Remembers which run each recent trace belongs to, so spans exported without
/// `dome.run.id` inherit it without a lookup per span, and which traces have stored spans
/// still waiting for their run id (the span carrying it, usually the root, ends last and so
/// arrives last). Bounded: it forgets everything when full, and the store answers again.
final class TraceRunCache {
    /// Stored spans of a trace that lack a run id: the start-time range they cover.
    struct Orphans {
        var trace: String
        var run: String
        var earliestStart: Int64
        var latestStart: Int64
    }

    private var runByTrace: [String: String] = [:]
    private var orphans: [String: (Int64, Int64)] = [:]
    private var pendingOrphans: [String: (Int64, Int64)] = [:]
    private var adopted: [Orphans] = []
    private let capacity: Int
    /// How far back spans of a trace that began before this process may lie.
    private let lookBehindNano: Int64 = 86_400 * 1_000_000_000

    init(capacity: Int = 100_000) { self.capacity = capacity }

    /// Records `trace`'s run. Stored spans of the trace without a run id are adopted when
    /// this cache saw them, or when they may predate it (`storedBefore` is then the time
    /// this process started).
    func learn(trace: String, run: String, start: Int64, storedBefore: Int64? = nil) {
        if runByTrace.count >= capacity { runByTrace.removeAll(keepingCapacity: true) }
        guard runByTrace.updateValue(run, forKey: trace) == nil else { return }
        if let range = orphans.removeValue(forKey: trace) {
            adopted.append(Orphans(trace: trace, run: run, earliestStart: range.0, latestStart: range.1))
        } else if let storedBefore, start < storedBefore {
            adopted.append(Orphans(trace: trace, run: run, earliestStart: start - lookBehindNano, latestStart: storedBefore))
        }
    }

    func isKnown(_ trace: String) -> Bool { runByTrace[trace] != nil || orphans[trace] != nil }

    func run(for trace: String) -> String? { runByTrace[trace] }

    func markOrphan(_ trace: String, start: Int64) {
        let range = pendingOrphans[trace] ?? orphans[trace] ?? (start, start)
        pendingOrphans[trace] = (min(range.0, start), max(range.1, start))
    }

    /// Traces whose stored orphans can now get their run id (consumed).
    func adoptedOrphans() -> [Orphans] {
        defer { adopted.removeAll() }
        return adopted
    }

    /// Orphans count only once their rows are committed.
    func commitPending() {
        if orphans.count + pendingOrphans.count > capacity { orphans.removeAll() }
        orphans.merge(pendingOrphans) { old, new in (min(old.0, new.0), max(old.1, new.1)) }
        pendingOrphans.removeAll()
    }
}
