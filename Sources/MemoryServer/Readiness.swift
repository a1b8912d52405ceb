import Synchronization

/// Ready once both listeners are bound and until shutdown starts; also remembers the ports
/// they got (port 0 in the configuration picks a free one).
public final class Readiness: Sendable {
    private struct State {
        var otlpPort: Int?
        var apiPort: Int?
        var stopping = false
    }

    private let state = Mutex(State())

    public init() {}

    public var isReady: Bool { state.withLock { $0.otlpPort != nil && $0.apiPort != nil && !$0.stopping } }

    /// Records a bound listener; returns both ports once the second one is bound.
    func listenerStarted(port: Int, isOTLP: Bool) -> (otlp: Int, api: Int)? {
        state.withLock { s in
            if isOTLP { s.otlpPort = port } else { s.apiPort = port }
            guard let otlp = s.otlpPort, let api = s.apiPort else { return nil }
            return (otlp, api)
        }
    }

    public func stopping() { state.withLock { $0.stopping = true } }
}
