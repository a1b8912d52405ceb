import ServiceLifecycle

/// Turns `/readyz` to 503 as soon as graceful shutdown begins, so load balancers stop
/// sending before the listeners close.
struct ShutdownWatcher: Service {
    let readiness: Readiness

    func run() async throws {
        try? await gracefulShutdown()
        readiness.stopping()
    }
}
