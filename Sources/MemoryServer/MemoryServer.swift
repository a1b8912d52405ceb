import Hummingbird
import Logging
import MemoryIngest
import MemoryStore
import Redaction
import NIOCore
import ServiceLifecycle

/// The daemon's services: the ingest writer and the two HTTP listeners. Run them in one
/// `ServiceGroup` in this order: shutdown goes in reverse, so readiness turns off first, the
/// listeners stop next (in-flight requests finish) and the writer last (it drains the queue
/// and commits).
public struct MemoryServer: Sendable {
    public let pipeline: IngestPipeline
    public let readiness = Readiness()
    private let configuration: ServerConfiguration
    private let redactor: Redactor?
    private let logger: Logger

    /// `redactor` scrubs every request before it is stored (nil: stored as received).
    public init(store: Store, configuration: ServerConfiguration, ingest: IngestPipeline.Configuration = .init(),
                redactor: Redactor?, logger: Logger) {
        self.configuration = configuration
        self.redactor = redactor
        self.logger = logger
        pipeline = IngestPipeline(store: store, configuration: ingest, logger: logger)
    }

    /// The services to run; `onListening(otlpPort, apiPort)` is called once both are bound.
    public func services(onListening: @escaping @Sendable (_ otlp: Int, _ api: Int) -> Void) -> [any Service] {
        let otlpRouter = Router()
        OTLPRoutes(receiver: OTLPReceiver(pipeline: pipeline, redactor: redactor), maxBodyBytes: configuration.maxBodyBytes)
            .register(on: otlpRouter)
        let apiRouter = Router()
        APIRoutes(pipeline: pipeline, readiness: readiness).register(on: apiRouter)

        let bound: @Sendable (Bool, any Channel) async -> Void = { [readiness] isOTLP, channel in
            if let both = readiness.listenerStarted(port: channel.localAddress?.port ?? 0, isOTLP: isOTLP) {
                onListening(both.otlp, both.api)
            }
        }
        let otlp = Application(
            router: otlpRouter,
            configuration: .init(address: .hostname(configuration.bind, port: configuration.otlpPort),
                                 serverName: "memoryd"),
            onServerRunning: { await bound(true, $0) },
            logger: logger)
        let api = Application(
            router: apiRouter,
            configuration: .init(address: .hostname(configuration.bind, port: configuration.apiPort),
                                 serverName: "memoryd"),
            onServerRunning: { await bound(false, $0) },
            logger: logger)
        return [pipeline, otlp, api, ShutdownWatcher(readiness: readiness)]
    }
}
