import Crypto
import Foundation

/// One audited action as its caller describes it, before the log gives it a place in the chain.
/// It never holds the call's arguments, only their digest.
public struct AuditEntry: Sendable, Equatable {
    /// Microseconds since the Unix epoch.
    public var time: Int64
    /// Token id of the caller, or `local` (stdio MCP, the CLI, loopback without tokens).
    public var actor: String
    /// `mcp`, `a2a`, `rest`, `cli`, …
    public var surface: String
    /// The tool or command: `memory_upsert`, `retention apply`, …
    public var operation: String
    /// What the call was about, when it names one thing (`prefs/theme`, a run id, a path).
    public var target: String?
    /// Lowercase hex SHA-256 of the canonical arguments (`AuditDigest.sha256Hex`).
    public var argumentsDigest: String
    /// `ok`, or the error's stable name (`conflict`, `forbidden`, `failed`, …).
    public var outcome: String
    /// Rows returned, written or deleted, by kind (`{"rows": 3}`, `{"facts": 1, "versions": 2}`).
    public var rowCounts: [String: Int]

    public init(time: Int64 = AuditDigest.nowMicros(), actor: String, surface: String, operation: String,
                target: String? = nil, argumentsDigest: String, outcome: String, rowCounts: [String: Int] = [:]) {
        self.time = time
        self.actor = actor
        self.surface = surface
        self.operation = operation
        self.target = target
        self.argumentsDigest = argumentsDigest
        self.outcome = outcome
        self.rowCounts = rowCounts
    }

    /// `rowCounts` as stored: compact JSON with sorted keys, nil when empty.
    var rowCountsText: String? {
        guard !rowCounts.isEmpty else { return nil }
        return "{" + rowCounts.sorted { $0.key < $1.key }.map { "\"\(Self.escaped($0.key))\":\($0.value)" }
            .joined(separator: ",") + "}"
    }

    private static func escaped(_ key: String) -> String {
        var out = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// A stored `audit_log` row, exactly as its columns hold it.
public struct AuditRecord: Sendable, Equatable {
    public var seq: Int64
    public var time: Int64
    public var actor: String
    public var surface: String
    public var operation: String
    public var target: String?
    public var argumentsDigest: String
    public var outcome: String
    public var rowCounts: String?
    public var prevHash: String
    public var hash: String

    /// The hash of the chain before its first row.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Places `entry` after the row whose hash is `prevHash`.
    init(seq: Int64, entry: AuditEntry, prevHash: String) {
        self.seq = seq
        time = entry.time
        actor = entry.actor
        surface = entry.surface
        operation = entry.operation
        target = entry.target
        argumentsDigest = entry.argumentsDigest
        outcome = entry.outcome
        rowCounts = entry.rowCountsText
        self.prevHash = prevHash
        hash = ""
        hash = computedHash
    }

    /// A row as read from the table.
    public init(seq: Int64, time: Int64, actor: String, surface: String, operation: String, target: String?,
         argumentsDigest: String, outcome: String, rowCounts: String?, prevHash: String, hash: String) {
        self.seq = seq
        self.time = time
        self.actor = actor
        self.surface = surface
        self.operation = operation
        self.target = target
        self.argumentsDigest = argumentsDigest
        self.outcome = outcome
        self.rowCounts = rowCounts
        self.prevHash = prevHash
        self.hash = hash
    }

    /// The bytes the hash covers: a version tag, then every column but `hash` in table order,
    /// each as `<byte count>:<UTF-8 bytes>` and a newline (`-` for NULL). Length prefixes make
    /// the encoding unambiguous, so no two different rows encode alike.
    public var canonicalEncoding: [UInt8] {
        var out = Array("memoryd.audit.v1\n".utf8)
        func field(_ text: String?) {
            guard let text else {
                out += Array("-\n".utf8)
                return
            }
            let bytes = Array(text.utf8)
            out += Array("\(bytes.count):".utf8)
            out += bytes
            out.append(0x0A)
        }
        field(String(seq))
        field(String(time))
        field(actor)
        field(surface)
        field(operation)
        field(target)
        field(argumentsDigest)
        field(outcome)
        field(rowCounts)
        field(prevHash)
        return out
    }

    /// SHA-256 of `canonicalEncoding`, lowercase hex.
    public var computedHash: String { AuditDigest.sha256Hex(canonicalEncoding) }
}

/// SHA-256 as the policy code uses it (audit digests and chain, token hashes).
public enum AuditDigest {
    public static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
        SHA256.hash(data: Array(bytes)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    public static func sha256Hex(_ text: String) -> String { sha256Hex(Array(text.utf8)) }

    public static func nowMicros() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
}
