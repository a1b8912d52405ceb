import Logging
import ServiceLifecycle

/// Runs the span exporter in the background, in a service group of its own. Shutdown is
/// graceful: the exporter sends every span that has ended before `shutdown()` returns.
final class ExportService: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    init(_ service: some Service, logger: Logger) {
        let group = ServiceGroup(services: [service], logger: logger)
        self.group = group
        task = Task.detached { try? await group.run() }
    }

    func shutdown() async {
        await group.triggerGracefulShutdown()
        await task.value
    }
}
