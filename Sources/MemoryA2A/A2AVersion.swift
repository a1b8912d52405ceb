import Foundation

/// The A2A protocol versions served on the one JSON-RPC endpoint. 1.0 is what a2a-sdk 1.x
/// speaks (PascalCase methods, `ROLE_*`/`TASK_STATE_*` enums, parts without `kind`); 0.3 is
/// the previous release (`message/send`, lowercase enums, `kind` discriminators), kept for
/// clients that have not moved on. The method name tells them apart.
public enum A2AVersion: String, Sendable, CaseIterable {
    case v1_0 = "1.0"
    case v0_3 = "0.3"

    /// Checks the `A2A-Version` header. Absent is fine (the method name decides); a version
    /// compares by major (and by minor for 0.x), as a2a-sdk's own server does.
    static func check(header: String?) throws(A2AError) {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return }
        let parts = header.split(separator: ".", omittingEmptySubsequences: false)
        let major = parts.first.flatMap { Int($0) }
        let minor = parts.count > 1 ? Int(parts[1]) : nil
        switch (major, minor) {
        case (1?, _), (0?, 3?): return
        default: throw .versionNotSupported(header)
        }
    }
}
