import MCP

/// The trace a tool call belongs to, when the client propagated one: W3C `traceparent` in the
/// request's `_meta` (how MCP carries trace context over any transport) or, over HTTP, in the
/// request headers.
enum TraceParent {
    static func traceID(of params: CallTool.Parameters, http: HTTPRequest?) -> String? {
        if let header = params._meta?["traceparent"]?.stringValue { return traceID(header) }
        return http?.header("traceparent").flatMap(traceID)
    }

    /// The trace id of `00-<32 hex>-<16 hex>-<2 hex>`; an all-zero id is invalid per the spec.
    static func traceID(_ header: String) -> String? {
        let parts = header.split(separator: "-")
        guard parts.count == 4, parts[1].count == 32, parts[1].allSatisfy(\.isHexDigit),
              parts[1].contains(where: { $0 != "0" }) else { return nil }
        return parts[1].lowercased()
    }
}
