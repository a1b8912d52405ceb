/// Which W3C headers are injected and extracted (`OTEL_PROPAGATORS`).
struct Propagation: Sendable, Hashable {
    var traceContext = true
    var baggage = true
}
