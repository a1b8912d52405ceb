import Redaction
import Testing

@Suite struct ConfigurationTests {
    @Test func extraKeyPatternsAreCaseInsensitive() throws {
        let r = try Redactor(configuration: .init(extraKeyPatterns: [.init(name: "tenant_key", regex: #"tenant[._-]?key"#)]))
        #expect(r.isSensitiveKey("X-Tenant-Key") == "tenant_key")
        #expect(r.isSensitiveKey("tenant") == nil)
        #expect(redactedAttribute("TENANT_KEY", "t-123", r) == ("[REDACTED:tenant_key]", [
            Redaction(path: "attributes.TENANT_KEY", rule: "tenant_key", kind: .key),
        ]))
        // Inside JSON strings and in `key=value` text too.
        #expect(redactedValue(#"{"org": {"tenantKey": "t-1"}}"#, r).0 == #"{"org": {"tenantKey": "[REDACTED:tenant_key]"}}"#)
        #expect(redactedValue("GET /x?tenant_key=t-1", r).0 == "GET /x?tenant_key=[REDACTED:tenant_key]")
        // Built-ins still apply.
        #expect(r.isSensitiveKey("password") == "password")
    }

    @Test func extraValuePatterns() throws {
        let r = try Redactor(configuration: .init(extraValuePatterns: [
            .init(name: "acme_token", regex: #"acme_[0-9a-f]{8}\b"#),
            .init(name: "employee_id", regex: #"(?i)\bemp-\d{6}\b"#),
        ]))
        let (out, records) = redactedValue("token acme_0badc0de for EMP-123456 and acme_nothex1", r)
        #expect(out == "token [REDACTED:acme_token] for [REDACTED:employee_id] and acme_nothex1")
        #expect(records.map(\.rule) == ["acme_token", "employee_id"])
        // In JSON, leaves are matched and the document stays valid.
        let json = #"{"a": "acme_0badc0de", "b": ["x", "emp-000001"]}"#
        let (o2, r2) = redactedValue(json, r)
        #expect(o2 == #"{"a": "[REDACTED:acme_token]", "b": ["x", "[REDACTED:employee_id]"]}"#)
        #expect(r2.map(\.path) == ["attributes.v.a", "attributes.v.b[1]"])
        // Short values are still checked when value patterns exist.
        let r3 = try Redactor(configuration: .init(extraValuePatterns: [.init(name: "pin", regex: #"^\d{4}$"#)]))
        #expect(redactedValue("1234", r3).0 == "[REDACTED:pin]")
    }

    @Test func allowList() throws {
        let r = try Redactor(configuration: .init(allowedKeys: RedactionConfiguration.defaultAllowedKeys.union(["session_id", "Auth_Method"])))
        #expect(r.isSensitiveKey("session_id") == nil)
        #expect(r.isSensitiveKey("SESSION_ID") == nil)
        #expect(r.isSensitiveKey("auth_method") == nil)
        #expect(r.isSensitiveKey("session_token") == "session")
        #expect(redactedAttribute("session_id", "s-42", r).1.isEmpty)
        // Detectors still run on allowed keys' values.
        #expect(redactedAttribute("session_id", Secrets.jwt, r).0 == "[REDACTED:jwt]")
        // Nested allowed keys, and their subtree.
        #expect(redactedValue(#"{"session_id": {"password": "x"}, "password": "y"}"#, r).0
            == #"{"session_id": {"password": "x"}, "password": "[REDACTED:password]"}"#)
        // An empty allow-list turns Logfire's safe keys back into ordinary keys.
        let strict = try Redactor(configuration: .init(allowedKeys: []))
        #expect(strict.isSensitiveKey("session.id") == "session")
    }

    @Test func disabledRules() throws {
        let r = try Redactor(configuration: .init(disabledRules: ["session", "credit_card", "assignment"]))
        #expect(r.isSensitiveKey("session_id") == nil)
        #expect(r.isSensitiveKey("credit_card") == nil)
        #expect(r.isSensitiveKey("password") == "password")
        // One name switches off the key rule and the detector of the same name.
        #expect(redactedValue("card 4111 1111 1111 1111", r).1.isEmpty)
        #expect(redactedValue("url?password=x1", r).1.isEmpty)
        #expect(redactedValue(Secrets.aws, r).0 == "[REDACTED:aws_access_key]")
        let noAWS = try Redactor(configuration: .init(disabledRules: ["aws_access_key"]))
        #expect(redactedValue(Secrets.aws, noAWS).1.isEmpty)
        // Custom patterns can be switched off by name too.
        let custom = try Redactor(configuration: .init(
            extraValuePatterns: [.init(name: "acme", regex: "acme_[0-9]+")], disabledRules: ["acme"]))
        #expect(redactedValue("acme_123", custom).1.isEmpty)
    }

    @Test func badRegexNamesThePattern() {
        let config = RedactionConfiguration(extraValuePatterns: [
            .init(name: "ok", regex: "ok_[0-9]+"),
            .init(name: "broken_one", regex: "hunter2_(unclosed"),
        ])
        let error = #expect(throws: RedactionConfigurationError.self) {
            try Redactor(configuration: config)
        }
        guard let error, case let .invalidRegex(list, index, name, _) = error else {
            Issue.record("expected invalidRegex, got \(String(describing: error))")
            return
        }
        #expect(list == .extraValuePatterns && index == 1 && name == "broken_one" && error.patternIndex == 1)
        #expect(error.description.hasPrefix("extra value patterns #1 'broken_one': not a valid regular expression"))
        // The pattern text itself is never echoed (it may contain a literal secret).
        #expect(!error.description.contains("hunter2"), "\(error.description)")
        #expect(throws: RedactionConfigurationError.self) {
            try Redactor(configuration: .init(extraKeyPatterns: [.init(name: "k", regex: "[a-")]))
        }
    }

    @Test func otherConfigurationErrors() {
        func error(_ c: RedactionConfiguration) -> RedactionConfigurationError? {
            do { _ = try Redactor(configuration: c); return nil } catch { return error }
        }
        #expect(error(.init(extraValuePatterns: [.init(name: "digits", regex: "[0-9]*")]))
            == .matchesEmptyString(list: .extraValuePatterns, index: 0, name: "digits"))
        #expect(error(.init(extraKeyPatterns: [.init(name: "edge", regex: #"\b"#)]))
            == .matchesEmptyString(list: .extraKeyPatterns, index: 0, name: "edge"))
        #expect(error(.init(extraKeyPatterns: [.init(name: "bad name]", regex: "x")]))
            == .invalidName(list: .extraKeyPatterns, index: 0, name: "bad name]"))
        #expect(error(.init(extraValuePatterns: [.init(name: "a", regex: "x1"), .init(name: "a", regex: "x2")]))
            == .duplicateName(list: .extraValuePatterns, index: 1, name: "a"))
        guard case let .unknownRule(name, known)? = error(.init(disabledRules: ["pasword"])) else {
            Issue.record("expected unknownRule")
            return
        }
        #expect(name == "pasword")
        #expect(known.contains("password") && known.contains("aws_access_key"))
    }

    @Test func ruleCatalogue() {
        #expect(Array(Redactor.builtinKeyRuleNames.prefix(17)) == [
            "password", "passwd", "mysql_pwd", "secret", "auth", "credential", "private_key", "api_key", "session",
            "cookie", "social_security", "credit_card", "logfire_token", "csrf", "xsrf", "jwt", "ssn",
        ])
        #expect(Set(Redactor.builtinValueDetectorNames).isSuperset(of: [
            "aws_access_key", "private_key", "jwt", "bearer", "github_token", "slack_token", "llm_api_key",
            "logfire_token", "credit_card", "ssn",
        ]))
        #expect(Redactor.placeholder(for: "api_key") == "[REDACTED:api_key]")
    }
}
