import Logging
import ServiceLifecycle

/// Runs swift-otel's tracing services (tracer → batch processor → OTLP exporter) in the
/// background. Shutdown stops them in that order, so every span that has ended is exported
/// before the exporter closes.
final class ExportService: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    init(_ service: some Service) {
        var logger = Logger(label: "MemoryTelemetry")
        logger.logLevel = .warning
        let group = ServiceGroup(services: [service], logger: logger)
        self.group = group
        task = Task.detached { try? await group.run() }
    }

    func shutdown() async {
        await group.triggerGracefulShutdown()
        await task.value
    }
}
