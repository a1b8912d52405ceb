import Logging
import ServiceLifecycle

/// Background upkeep of the memory store inside `serve`: derives the run tables and keeps the
/// search index fresh as data arrives (every `searchInterval`) and purges expired facts (every
/// `purgeInterval`). It runs
/// on the service's write lane, never on the ingest writer, so ingest does not wait for it.
public struct MemoryUpkeep: Service {
    let service: MemoryService
    let searchInterval: Duration
    let purgeInterval: Duration

    /// Defaults: search index every second, expired facts every minute.
    public init(service: MemoryService, searchInterval: Duration = .seconds(1), purgeInterval: Duration = .seconds(60)) {
        self.service = service
        self.searchInterval = searchInterval
        self.purgeInterval = purgeInterval
    }

    public func run() async throws {
        var sincePurge = Duration.zero
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let derived = try await service.refreshDerivedTables()
                if derived.runs > 0 {
                    service.logger.debug("run tables derived", metadata: [
                        "runs": "\(derived.runs)", "transitions": "\(derived.transitions)"])
                }
                let result = try await service.refreshSearchIndex()
                if result.added > 0 || result.rebuilt {
                    service.logger.debug("search index refreshed", metadata: [
                        "added": "\(result.added)", "rebuilt": "\(result.rebuilt)"])
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
