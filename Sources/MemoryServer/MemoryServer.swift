import Hummingbird
import Logging
import MemoryIngest
import MemoryService
import MemoryStore
import Redaction
import NIOCore
import ServiceLifecycle

/// The daemon's services: the ingest writer, the memory upkeep and the two HTTP listeners.
/// Run them in one `ServiceGroup` in this order: shutdown goes in reverse, so readiness turns
/// off first, the listeners stop next (in-flight requests finish) and the writer last (it
/// drains the queue and commits).
public struct MemoryServer: Sendable {
    public let pipeline: IngestPipeline
    public let memory: MemoryService
    public let readiness = Readiness()
    private let store: Store
    private let metrics = ServerMetrics()
    private let events: EnvelopeEndpoint
    private let configuration: ServerConfiguration
    private let redactor: Redactor?
    private let logger: Logger
    private let auth: AuthConfiguration
    private let holds: HoldRoutes
    private let limiter = RateLimiter()

    /// `redactor` scrubs every request before it is stored (nil: stored as received); `audit`
    /// records every memory call (nil: none); `auth` lists the bearer tokens (none: open).
    public init(store: Store, configuration: ServerConfiguration, ingest: IngestPipeline.Configuration = .init(),
                memory: MemoryService.Configuration = .init(), redactor: Redactor?, audit: AuditLog? = nil,
                auth: AuthConfiguration = .init(), logger: Logger) throws {
        self.configuration = configuration
        self.auth = auth
        holds = try HoldRoutes(store: store, audit: audit, maxBodyBytes: configuration.maxBodyBytes)
        self.store = store
        self.redactor = redactor
        self.logger = logger
        let pipeline = IngestPipeline(store: store, configuration: ingest, logger: logger)
        self.pipeline = pipeline
        events = try EnvelopeEndpoint(store: store, redactor: redactor)
        self.memory = try MemoryService(store: store, configuration: memory, redactor: redactor, ingestStatus: {
            let status = pipeline.status
            return .init(queuedBatches: status.queuedBatches, queuedRows: status.queuedRows,
                         committedBatches: status.committedBatches, oldestQueuedAge: status.oldestQueuedAge)
        }, observer: metrics.observer, audit: audit, logger: logger)
    }

    /// The services to run; `onListening(otlpPort, apiPort)` is called once both are bound.
    public func services(onListening: @escaping @Sendable (_ otlp: Int, _ api: Int) -> Void) -> [any Service] {
        let otlpRouter = Router()
        // First, so it covers every route added after it.
        otlpRouter.add(middleware: AuthMiddleware(configuration: auth, listener: .otlp, limiter: limiter))
        OTLPRoutes(receiver: OTLPReceiver(pipeline: pipeline, redactor: redactor), maxBodyBytes: configuration.maxBodyBytes)
            .register(on: otlpRouter)
        let apiRouter = Router()
        apiRouter.add(middleware: AuthMiddleware(configuration: auth, listener: .api, limiter: limiter))
        APIRoutes(pipeline: pipeline, readiness: readiness, metrics: { [metrics, pipeline, store] in
            metrics.render(pipeline: pipeline, store: store)
        }).register(on: apiRouter)
        RESTRoutes(service: memory, maxBodyBytes: configuration.maxBodyBytes).register(on: apiRouter)
        holds.register(on: apiRouter)
        EventsRoutes(endpoint: events, maxBodyBytes: configuration.maxBodyBytes).register(on: apiRouter)
        A2ARoutes(service: memory, configuration: configuration, logger: logger).register(on: apiRouter)
        MCPRoutes(service: memory, configuration: configuration, authenticated: auth.isEnabled, logger: logger).register(on: apiRouter)

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
        let upkeep = MemoryUpkeep(service: memory, ingestedRows: { [pipeline] in pipeline.status.committedRows })
        return [pipeline, upkeep, otlp, api, ShutdownWatcher(readiness: readiness)]
    }
}
