import Foundation
import MemoryServer
import MemoryService
import MemoryStore
import Redaction
import Testing
@testable import memoryd

/// The policy sections of memoryd.toml: redaction rules, retention ages, tokens; every bad
/// value stops start-up naming where it is.
@Suite("policy configuration")
struct PolicyConfigurationTests {
    static func load(_ text: String, environment: [String: String] = [:]) throws -> MemorydConfiguration {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("policy-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("memoryd.toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try MemorydConfiguration.load(file: path, environment: environment)
    }

    static func failure(_ text: String) -> String {
        do {
            _ = try load(text)
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    @Test func defaultsAreTheDocumentedOnes() throws {
        let configuration = try Self.load("")
        let retention = configuration.policy.retention
        #expect(retention.age(of: .spans) == Int64(30 * 86_400))
        #expect(retention.age(of: .logs) == Int64(30 * 86_400))
        #expect(retention.age(of: .metricPoints) == Int64(30 * 86_400))
        #expect(retention.age(of: .events) == Int64(90 * 86_400))
        #expect(retention.age(of: .ingestRejects) == Int64(7 * 86_400))
        #expect(retention.age(of: .auditLog) == nil)
        #expect(configuration.policy.retentionInterval == .seconds(3_600))
        #expect(!configuration.policy.auth.isEnabled)
        #expect(configuration.policy.redaction == RedactionConfiguration())
    }

    @Test func redactionRulesComeFromTheFile() throws {
        let configuration = try Self.load("""
            [redaction]
            allow_keys = ["session_count"]
            disable_rules = ["ssn", "acme_token"]

            [[redaction.key_patterns]]
            name = "internal"
            regex = 'internal_ref'

            [[redaction.value_patterns]]
            name = "acme_token"
            regex = 'acme_[0-9a-f]{8}'
            """)
        let redaction = configuration.policy.redaction
        #expect(redaction.allowedKeys.contains("session_count"))
        #expect(redaction.allowedKeys.isSuperset(of: RedactionConfiguration.defaultAllowedKeys))
        #expect(redaction.disabledRules == ["ssn", "acme_token"])
        #expect(redaction.extraKeyPatterns == [.init(name: "internal", regex: "internal_ref")])
        let redactor = try #require(try configuration.makeRedactor())
        var found: [Redaction] = []
        #expect(redactor.isSensitiveKey("x.internal_ref") == "internal")
        #expect(redactor.redactValue("id acme_0123abcd", path: "v", into: &found) == nil, "acme_token is switched off")
        #expect(redactor.isSensitiveKey("session_count") == nil)

        let on = try #require(try Self.load("""
            [[redaction.value_patterns]]
            name = "acme_token"
            regex = 'acme_[0-9a-f]{8}'
            """).makeRedactor())
        #expect(on.redactValue("id acme_0123abcd", path: "v", into: &found) == "id [REDACTED:acme_token]")
    }

    @Test func aBadRegexNamesItsLine() {
        let message = Self.failure("""
            [redaction]
            disable_rules = []

            [[redaction.value_patterns]]
            name = "ok"
            regex = 'fine_[0-9]+'

            [[redaction.value_patterns]]
            name = "broken"
            regex = 'acme_([0-9'
            """)
        #expect(message.contains("memoryd.toml:10:"), "\(message)")
        #expect(message.contains("broken") && !message.contains("acme_(["), "names the pattern, never quotes it: \(message)")
        let inline = Self.failure("""
            [redaction]
            key_patterns = [
                { name = "a", regex = 'x+' },
                { name = "b", regex = '' },
            ]
            """)
        #expect(inline.contains("memoryd.toml:4:") && inline.contains("empty string"), "\(inline)")
        #expect(Self.failure("[redaction]\ndisable_rules = [\"nope\"]\n") == "loaded", "unknown rules are checked when the redactor is made")
        #expect(throws: ConfigurationError.self) { try Self.load("[redaction]\ndisable_rules = [\"nope\"]\n").makeRedactor() }
    }

    @Test func retentionAgesAndEnvironment() throws {
        let configuration = try Self.load("""
            [retention]
            spans = "12h"
            audit_log = "400d"
            interval = "forever"
            batch_rows = 500
            archive_dir = "/tmp/archive"
            """, environment: ["MEMORYD_RETENTION_LOGS": "45m"])
        let retention = configuration.policy.retention
        #expect(retention.age(of: .spans) == Int64(12 * 3_600))
        #expect(retention.age(of: .logs) == Int64(45 * 60))
        #expect(retention.age(of: .auditLog) == Int64(400 * 86_400))
        #expect(retention.batchRows == 500)
        #expect(retention.archiveDirectory == "/tmp/archive")
        #expect(configuration.policy.retentionInterval == nil)
        #expect(Self.failure("[retention]\nspans = \"-3d\"\n").contains("retention.spans"))
        #expect(Self.failure("[retention]\nspam = \"3d\"\n").contains("unknown key retention.spam"))
    }

    @Test func tokensAreHashesWithScopes() throws {
        let hash = AuditDigest.sha256Hex("secret-token")
        let configuration = try Self.load("""
            [[auth.tokens]]
            id = "planner"
            sha256 = "\(hash.uppercased())"
            scopes = ["ingest", "read"]
            rate_per_second = 20
            burst = 40
            """)
        #expect(configuration.policy.auth.tokens == [
            .init(id: "planner", sha256: hash, scopes: [.ingest, .read], ratePerSecond: 20, burst: 40),
        ])
        #expect(Self.failure("[[auth.tokens]]\nid = \"a\"\nsha256 = \"secret-token\"\nscopes = [\"read\"]\n").contains("64 hex"))
        #expect(Self.failure("[[auth.tokens]]\nid = \"a\"\nsha256 = \"\(hash)\"\nscopes = [\"root\"]\n").contains("unknown scope root"))
        #expect(Self.failure("[[auth.tokens]]\nid = \"local\"\nsha256 = \"\(hash)\"\nscopes = [\"read\"]\n").contains("other than local"))
        #expect(Self.failure("[auth]\ntoken = 1\n").contains("unknown key auth.token"))
    }

    /// The caller header is `<id>;<scopes>`: an id `x;admin,` would read back as actor `x`
    /// with admin scope, so such ids are a start-up error naming the token, as for `token new`.
    @Test func tokenIdsCannotForgeTheCallerHeader() async throws {
        let hash = AuditDigest.sha256Hex("secret-token")
        for id in ["x;admin,", "a,b", "has space", "quote\\\"d", "é"] {
            let message = Self.failure("[[auth.tokens]]\nid = \"\(id)\"\nsha256 = \"\(hash)\"\nscopes = [\"read\"]\n")
            #expect(message.contains("auth.tokens #0") && message.contains("may hold only"), "\(id): \(message)")
        }
        #expect(Self.failure("[[auth.tokens]]\nid = \"ci-bot_2@team.example\"\nsha256 = \"\(hash)\"\nscopes = [\"read\"]\n") == "loaded")
        let new = try await Tools.memoryd(["token", "new", "--id", "x;admin,"])
        #expect(new.status != 0 && new.stderr.contains("may hold only"), "\(new.status) \(new.stderr)")
    }

    @Test func exposureNeedsTokens() throws {
        var configuration = try Self.load("")
        configuration.server.bind = "0.0.0.0"
        #expect(throws: ConfigurationError.self) { try configuration.checkExposure() }
        for loopback in ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"] {
            configuration.server.bind = loopback
            #expect(throws: Never.self) { try configuration.checkExposure() }
        }
        configuration.server.bind = "0.0.0.0"
        configuration.policy.auth.tokens = [.init(id: "a", sha256: AuditDigest.sha256Hex("x"), scopes: [.read])]
        #expect(throws: Never.self) { try configuration.checkExposure() }
    }
}
