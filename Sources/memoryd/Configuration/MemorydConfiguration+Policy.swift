import Foundation
import MemoryServer
import MemoryService
import MemoryStore
import Redaction
import TOMLKit

/// The policy sections of `memoryd.toml` (issue 6): redaction rules, retention, bearer tokens.
///
/// ```toml
/// [redaction]
/// allow_keys = ["session_count"]          # never redacted by key rules (besides Logfire's safe keys)
/// disable_rules = ["ssn"]                 # built-in or extra rule names
/// [[redaction.key_patterns]]              # extra key rules (case-insensitive, anywhere in a key)
/// name = "internal"
/// regex = 'internal_id'
/// [[redaction.value_patterns]]            # extra value rules (on every string and message)
/// name = "acme_token"
/// regex = 'acme_[0-9a-f]{32}'
///
/// [retention]
/// spans = "30d"                           # also logs, metric_points, events, ingest_rejects, redactions, audit_log
/// interval = "1h"
/// archive_dir = "/var/lib/memoryd/archive"
///
/// [[auth.tokens]]
/// id = "planner"
/// sha256 = "…"                            # memoryd token hash
/// scopes = ["ingest", "read"]
/// rate_per_second = 50                    # optional, with burst
/// ```
struct PolicyConfiguration: Sendable, Equatable {
    /// `[redaction] allow_keys`, `disable_rules`, `[[redaction.key_patterns]]`, `[[redaction.value_patterns]]`.
    var redaction = RedactionConfiguration()
    /// `[retention] <table>` ages (`30d`, `12h`, `forever`; defaults in `RetentionPolicy.Table`),
    /// `batch_rows` (10000), `archive_dir` (none).
    var retention = RetentionPolicy()
    /// `[retention] interval`, `MEMORYD_RETENTION_INTERVAL`: how often `serve` applies retention;
    /// default 1h, `forever` never.
    var retentionInterval: Duration? = .seconds(3_600)
    /// `[[auth.tokens]]`: id, sha256, scopes, rate_per_second, burst.
    var auth = AuthConfiguration()
}

extension MemorydConfiguration {
    /// The `[retention]` keys, settable by file and environment like the others.
    static var policyKeys: [Key] {
        var keys = RetentionPolicy.Table.allCases.map { table in
            Key(path: "retention.\(table.rawValue)", env: "MEMORYD_RETENTION_\(table.rawValue.uppercased())", kind: .age) { c, v in
                if case .string(let s) = v, let age = RetentionPolicy.parseAge(s) { c.policy.retention.maxAge[table] = .some(age) }
            }
        }
        keys.append(Key(path: "retention.interval", env: "MEMORYD_RETENTION_INTERVAL", kind: .age) { c, v in
            if case .string(let s) = v, let age = RetentionPolicy.parseAge(s) { c.policy.retentionInterval = age.map { .seconds($0) } }
        })
        keys.append(Key(path: "retention.batch_rows", env: "MEMORYD_RETENTION_BATCH_ROWS", kind: .positiveInt) { c, v in
            if case .int(let i) = v { c.policy.retention.batchRows = i }
        })
        keys.append(Key(path: "retention.archive_dir", env: "MEMORYD_RETENTION_ARCHIVE_DIR", kind: .string) { c, v in
            if case .string(let s) = v { c.policy.retention.archiveDirectory = s }
        })
        return keys
    }

    /// Parses the structured policy keys (lists, arrays of tables); false for any other key.
    mutating func applyPolicy(path: String, value: any TOMLValueConvertible, file: String) throws -> Bool {
        switch path {
        case "redaction.allow_keys":
            policy.redaction.allowedKeys = RedactionConfiguration.defaultAllowedKeys.union(try Self.strings(value, path, file))
        case "redaction.disable_rules":
            policy.redaction.disabledRules = Set(try Self.strings(value, path, file))
        case "redaction.key_patterns", "redaction.value_patterns":
            let isKey = path.hasSuffix("key_patterns")
            let patterns = try Self.tables(value, path, file).enumerated().map { index, table in
                guard let name = table["name"]?.string, let regex = table["regex"]?.string,
                      Set(table.keys).isSubset(of: ["name", "regex"]) else {
                    throw ConfigurationError("\(file):\(Self.patternLine(path: path, index: index, file: file)): "
                        + "\(path) #\(index) needs exactly a name and a regex (strings)")
                }
                return RedactionConfiguration.Pattern(name: name, regex: regex)
            }
            var check = RedactionConfiguration()
            if isKey { check.extraKeyPatterns = patterns } else { check.extraValuePatterns = patterns }
            do {
                _ = try Redactor(configuration: check)
            } catch {
                let line = Self.patternLine(path: path, index: error.patternIndex ?? 0, file: file)
                throw ConfigurationError("\(file):\(line): \(path): \(error.description)")
            }
            if isKey { policy.redaction.extraKeyPatterns = patterns } else { policy.redaction.extraValuePatterns = patterns }
        case "auth":
            guard let table = value.table else { throw ConfigurationError("\(file): auth must be a section") }
            for key in table.keys where key != "tokens" { throw ConfigurationError("\(file): unknown key auth.\(key)") }
            if let tokens = table["tokens"] { policy.auth.tokens = try Self.tokens(tokens, file: file) }
        default:
            return false
        }
        return true
    }

    /// The redactor the configuration describes; a rule name that does not exist is exit 2.
    func makeRedactor() throws -> Redactor? {
        guard redactionEnabled else { return nil }
        do {
            return try Redactor(configuration: policy.redaction)
        } catch {
            throw ConfigurationError("redaction: \(error.description)")
        }
    }

    /// `serve` refuses to listen beyond loopback without a token to check.
    func checkExposure() throws {
        if !policy.auth.isEnabled && !AuthConfiguration.isLoopback(server.bind) {
            throw ConfigurationError("refusing to serve on \(server.bind) without authentication: add [[auth.tokens]] "
                + "to the config (memoryd token new prints one) or bind 127.0.0.1")
        }
    }

    private static func tokens(_ value: any TOMLValueConvertible, file: String) throws -> [AuthConfiguration.Token] {
        var seen = Set<String>()
        return try tables(value, "auth.tokens", file).enumerated().map { index, table in
            let at = "\(file): auth.tokens #\(index)"
            for key in table.keys where !["id", "sha256", "scopes", "rate_per_second", "burst"].contains(key) {
                throw ConfigurationError("\(at): unknown key \(key)")
            }
            guard let id = table["id"]?.string else { throw ConfigurationError("\(at): id must be a string") }
            if let problem = AuthConfiguration.Token.idProblem(id) { throw ConfigurationError("\(at): \(problem)") }
            guard seen.insert(id).inserted else { throw ConfigurationError("\(at): id \(id) is used twice") }
            guard let hash = table["sha256"]?.string?.lowercased(), hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw ConfigurationError("\(at) (\(id)): sha256 must be 64 hex digits (memoryd token hash prints it)")
            }
            let names = try table["scopes"].map { try strings($0, "auth.tokens.scopes", file) } ?? []
            var scopes = Set<AccessScope>()
            for name in names {
                guard let scope = AccessScope(rawValue: name) else {
                    throw ConfigurationError("\(at) (\(id)): unknown scope \(name); scopes: ingest, read, write, admin")
                }
                scopes.insert(scope)
            }
            guard !scopes.isEmpty else { throw ConfigurationError("\(at) (\(id)): scopes must name at least one scope") }
            var token = AuthConfiguration.Token(id: id, sha256: hash, scopes: scopes)
            if let rate = table["rate_per_second"] {
                guard let r = rate.double ?? rate.int.map(Double.init), r > 0 else {
                    throw ConfigurationError("\(at) (\(id)): rate_per_second must be a number above 0")
                }
                token.ratePerSecond = r
            }
            if let burst = table["burst"] {
                guard let b = burst.int, b > 0 else { throw ConfigurationError("\(at) (\(id)): burst must be an integer above 0") }
                token.burst = b
            }
            return token
        }
    }

    private static func strings(_ value: any TOMLValueConvertible, _ path: String, _ file: String) throws -> [String] {
        guard let array = value.array else { throw ConfigurationError("\(file): \(path) must be a list of strings") }
        return try array.map { element in
            guard let s = element.string else { throw ConfigurationError("\(file): \(path) must be a list of strings") }
            return s
        }
    }

    private static func tables(_ value: any TOMLValueConvertible, _ path: String, _ file: String) throws -> [TOMLTable] {
        guard let array = value.array else { throw ConfigurationError("\(file): \(path) must be an array of tables ([[\(path)]])") }
        return try array.map { element in
            guard let table = element.table else { throw ConfigurationError("\(file): \(path) must be an array of tables ([[\(path)]])") }
            return table
        }
    }

    /// The line of the `index`-th pattern's `regex` in `file`: after its `[[path]]` header, or,
    /// written inline (`value_patterns = [{…}, {…}]`), the index-th line after the key that
    /// mentions `regex`. 1 when the file cannot be read.
    static func patternLine(path: String, index: Int, file: String) -> Int {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return 1 }
        let lines = text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let header = "[[\(path)]]"
        let headers = lines.indices.filter { lines[$0].replacingOccurrences(of: " ", with: "") == header }
        if index < headers.count {
            let start = headers[index]
            var number = start + 1
            while number < lines.count, !lines[number].hasPrefix("[") {
                if lines[number].hasPrefix("regex") { return number + 1 }
                number += 1
            }
            return start + 1
        }
        let key = String(path.split(separator: ".").last ?? "")
        guard let start = lines.firstIndex(where: { $0.hasPrefix(key) }) else { return 1 }
        let mentions = lines.indices.filter { $0 >= start && lines[$0].contains("regex") }
        return (index < mentions.count ? mentions[index] : start) + 1
    }
}
