import Logging
import ServiceLifecycle

/// Background upkeep of the memory store inside `serve`: derives the run tables and keeps the
/// search index fresh as data arrives (every `searchInterval`) and purges expired facts (every
/// `purgeInterval`). It runs on the service's write lane, never on the ingest writer, so ingest
/// does not wait for it.
///
/// Indexing competes with ingest for the same cores. While ingest runs a burst (at least
/// `burstRowsPerSecond`), the index is refreshed only every `burstSearchInterval`: acks stay
/// fast, search lags by at most that long, and the backlog is indexed in larger, cheaper passes.
/// The run tables are derived every tick regardless: the ops gate reads them.
public struct MemoryUpkeep: Service {
    let service: MemoryService
    let searchInterval: Duration
    let purgeInterval: Duration
    let burstRowsPerSecond: Double
    let burstSearchInterval: Duration
    /// Rows the ingest writer has committed since start; nil where this process ingests nothing.
    let ingestedRows: (@Sendable () -> Int)?

    /// Defaults: search index every second (every 30 s during bursts of 20,000 rows/s or
    /// more), expired facts every minute.
    public init(service: MemoryService, searchInterval: Duration = .seconds(1), purgeInterval: Duration = .seconds(60),
                burstRowsPerSecond: Double = 20_000, burstSearchInterval: Duration = .seconds(30),
                ingestedRows: (@Sendable () -> Int)? = nil) {
        self.service = service
        self.searchInterval = searchInterval
        self.purgeInterval = purgeInterval
        self.burstRowsPerSecond = burstRowsPerSecond
        self.burstSearchInterval = burstSearchInterval
        self.ingestedRows = ingestedRows
    }

    public func run() async throws {
        let clock = ContinuousClock()
        var sincePurge = Duration.zero
        var lastSearch: ContinuousClock.Instant?
        var rate = IngestRate(rows: ingestedRows?() ?? 0, at: clock.now)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let derived = try await service.refreshDerivedTables()
                if derived.runs > 0 {
                    service.logger.debug("run tables derived", metadata: [
                        "runs": "\(derived.runs)", "transitions": "\(derived.transitions)"])
                }
                let bursting = rate.update(rows: ingestedRows?() ?? 0, at: clock.now) >= burstRowsPerSecond
                if !bursting || lastSearch.map({ clock.now - $0 >= burstSearchInterval }) ?? true {
                    let result = try await service.refreshSearchIndex()
                    lastSearch = clock.now
                    if result.added > 0 || result.rebuilt {
                        service.logger.debug("search index refreshed", metadata: [
                            "added": "\(result.added)", "rebuilt": "\(result.rebuilt)", "burst": "\(bursting)"])
                    }
                }
                if sincePurge >= purgeInterval {
                    sincePurge = .zero
                    let purged = try await service.purgeExpiredFacts()
                    if purged > 0 { service.logger.info("expired facts purged", metadata: ["facts": "\(purged)"]) }
                }
            } catch {
                // A failed pass (e.g. a write conflict) is retried on the next tick; data stays.
                service.logger.warning("memory upkeep failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: searchInterval)
            sincePurge += searchInterval
        }
    }
}

/// Rows per second between two readings of the ingest writer's committed-rows counter.
struct IngestRate {
    private var rows: Int
    private var at: ContinuousClock.Instant

    init(rows: Int, at: ContinuousClock.Instant) {
        self.rows = rows
        self.at = at
    }

    /// The rate since the previous reading, which this one replaces.
    mutating func update(rows now: Int, at instant: ContinuousClock.Instant) -> Double {
        let elapsed = instant - at
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        defer { rows = now; at = instant }
        return seconds > 0 ? Double(now - rows) / seconds : 0
    }
}
