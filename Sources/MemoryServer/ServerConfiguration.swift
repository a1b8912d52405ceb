/// Network settings of `memoryd serve`. Every value can come from `memoryd.toml`
/// (`[server]`), a `MEMORYD_*` environment variable, or a flag, in rising precedence.
public struct ServerConfiguration: Sendable, Equatable {
    /// Address both listeners bind to. `bind`, `MEMORYD_BIND`, `--bind`; default `127.0.0.1`.
    public var bind: String
    /// OTLP/HTTP port. `otlp_port`, `MEMORYD_OTLP_PORT`, `--otlp-port`; default 4318; 0 picks a free port.
    public var otlpPort: Int
    /// API port (events, MCP, A2A, REST, health). `api_port`, `MEMORYD_API_PORT`, `--api-port`;
    /// default 8787; 0 picks a free port.
    public var apiPort: Int
    /// Largest request body accepted, measured after decompression, so a gzip bomb is cut off
    /// once it inflates past it. `max_body_bytes`, `MEMORYD_MAX_BODY_BYTES`; default 20 MiB.
    public var maxBodyBytes: Int
    /// Browser origins (`scheme://host[:port]`) allowed to use `/mcp` besides loopback ones,
    /// which are always allowed; requests without `Origin` (non-browser clients) always pass.
    /// `allowed_origins` (comma-separated), `MEMORYD_ALLOWED_ORIGINS`; default none.
    public var allowedOrigins: [String]

    public init(bind: String = "127.0.0.1", otlpPort: Int = 4318, apiPort: Int = 8787, maxBodyBytes: Int = 20 << 20,
                allowedOrigins: [String] = []) {
        self.bind = bind
        self.otlpPort = otlpPort
        self.apiPort = apiPort
        self.maxBodyBytes = maxBodyBytes
        self.allowedOrigins = allowedOrigins
    }
}
