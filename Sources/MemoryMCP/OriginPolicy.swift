import Foundation
import MCP

/// Which browser origins may talk to `/mcp`: the spec makes servers validate `Origin` against
/// DNS rebinding (a foreign page whose name now resolves to 127.0.0.1 posting to the daemon).
/// Requests without `Origin` (every non-browser client) pass; loopback origins
/// (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`, any port, http or https) pass; others
/// only when listed. The `Host` header is not checked, so a reverse proxy in front keeps working.
struct OriginPolicy: HTTPRequestValidator {
    /// Listed origins, normalized (lowercased, no trailing slash).
    let allowed: Set<String>

    init(allowedOrigins: [String]) {
        allowed = Set(allowedOrigins.map(Self.normalized))
    }

    func validate(_ request: HTTPRequest, context: HTTPValidationContext) -> HTTPResponse? {
        guard let origin = request.header(HTTPHeaderName.origin) else { return nil }
        if Self.isLoopback(origin: origin) || allowed.contains(Self.normalized(origin)) { return nil }
        return .error(statusCode: 403, .invalidRequest("Forbidden: Origin \(origin) is not allowed"),
                      sessionID: context.sessionID)
    }

    static func normalized(_ origin: String) -> String {
        var text = origin.trimmingCharacters(in: .whitespaces).lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    static func isLoopback(origin: String) -> Bool {
        guard let components = URLComponents(string: normalized(origin)),
              components.scheme == "http" || components.scheme == "https",
              var host = components.host, !host.isEmpty else { return false }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
