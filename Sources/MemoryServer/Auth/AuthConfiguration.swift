import Foundation
import MemoryService

/// Bearer tokens for the HTTP surfaces (`[[auth.tokens]]` in `memoryd.toml`). Only each
/// token's SHA-256 is configured (`memoryd token hash` prints it), so the file holds no secret.
/// With no token configured every HTTP caller is `local` with every scope, which `serve`
/// allows on a loopback address only.
public struct AuthConfiguration: Sendable, Equatable {
    public struct Token: Sendable, Equatable {
        /// `id`: the actor the audit log records for the token's calls.
        public var id: String
        /// `sha256`: lowercase hex SHA-256 of the token's text.
        public var sha256: String
        /// `scopes`: `ingest`, `read`, `write`, `admin`.
        public var scopes: Set<AccessScope>
        /// `rate_per_second`: requests per second sustained; nil (default): no limit.
        public var ratePerSecond: Double?
        /// `burst`: requests allowed at once above the rate; default: one second's worth (at least 1).
        public var burst: Int?

        public init(id: String, sha256: String, scopes: Set<AccessScope>, ratePerSecond: Double? = nil, burst: Int? = nil) {
            self.id = id
            self.sha256 = sha256
            self.scopes = scopes
            self.ratePerSecond = ratePerSecond
            self.burst = burst
        }

        /// Why `id` cannot name a token, nil when it can: ASCII letters, digits, `.`, `_`, `-`,
        /// `@`, and not `local`. The id travels as `<id>;<scopes>` to MCP sessions and is
        /// written into TOML by `memoryd token new`, so `;`, `,`, quotes and spaces are out.
        public static func idProblem(_ id: String) -> String? {
            if id.isEmpty { return "the id is empty" }
            if id == "local" { return "the id must be other than local (the CLI's and stdio's actor)" }
            guard id.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-@".unicodeScalars.contains($0)) }) else {
                return "the id \(id) may hold only ASCII letters, digits, '.', '_', '-' and '@'"
            }
            return nil
        }
    }

    public var tokens: [Token]

    public init(tokens: [Token] = []) {
        self.tokens = tokens
    }

    /// True when requests must carry a token.
    public var isEnabled: Bool { !tokens.isEmpty }

    /// True for addresses only this machine reaches (`127.0.0.0/8`, `::1`, `localhost`).
    public static func isLoopback(_ address: String) -> Bool {
        let host = address.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
