extension TelemetryConfiguration {
    /// Where spans are exported, over OTLP/HTTP with protobuf bodies. `destination` is the one
    /// the `OTEL_EXPORTER_OTLP_*` variables adjust; `additionalDestinations` receive the same
    /// spans (memoryd and Logfire at once, say).
    public struct Destination: Sendable, Hashable {
        enum Kind: Sendable, Hashable {
            case otlp(baseURL: String, headers: [String: String])
            /// The token is read from `LOGFIRE_TOKEN` when nil.
            case logfire(token: String?, baseURL: String?)
            case none
        }

        let kind: Kind

        /// A memoryd's OTLP listener (`memoryd serve --otlp-port`).
        public static func memoryd(_ baseURL: String = "http://127.0.0.1:4318") -> Destination {
            Destination(kind: .otlp(baseURL: baseURL, headers: [:]))
        }

        /// Any OTLP/HTTP receiver: a collector, Jaeger, Honeycomb, … `baseURL` is the part before
        /// `/v1/traces`; `headers` go on every request (API keys).
        public static func otlp(_ baseURL: String, headers: [String: String] = [:]) -> Destination {
            Destination(kind: .otlp(baseURL: baseURL, headers: headers))
        }

        /// Pydantic Logfire's OTLP endpoint, with the project's write token in `Authorization`.
        /// The token comes from `LOGFIRE_TOKEN` when not given; the region's endpoint from the
        /// token (`pylf_v1_eu_…` → `https://logfire-eu.pydantic.dev`) unless `baseURL` is set.
        public static func logfire(token: String? = nil, baseURL: String? = nil) -> Destination {
            Destination(kind: .logfire(token: token, baseURL: baseURL))
        }

        /// No export: for runs that only want the console (unless an endpoint variable names one).
        public static let none = Destination(kind: .none)

        /// Logfire's endpoint for a write token: the region named in `pylf_v<n>_<region>_…`, US
        /// when the token names none (as the Python SDK does).
        static func logfireBaseURL(forToken token: String) -> String {
            let parts = token.split(separator: "_")
            if parts.count >= 4, parts[0] == "pylf", parts[1].hasPrefix("v"), parts[2] == "eu" {
                return "https://logfire-eu.pydantic.dev"
            }
            return "https://logfire-us.pydantic.dev"
        }
    }
}
