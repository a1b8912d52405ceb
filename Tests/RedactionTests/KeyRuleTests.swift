import Foundation
import Redaction
import Testing

/// Key rules: Logfire's `DEFAULT_PATTERNS` semantics on keys, at any depth, inside JSON strings.
@Suite struct KeyRuleTests {
    /// (key, rule or nil). The expectations follow Logfire's regexes exactly, e.g.
    /// `auth(?!ors?\b)` lets `author`/`authors`/`Author.name` through but matches `authority`
    /// and `author_id` (`_` is a word character, so `\b` does not hold after `author`).
    static let keys: [(String, String?)] = [
        ("password", "password"), ("PASSWORD", "password"), ("db_password", "password"), ("user.Password", "password"),
        ("passwd", "passwd"), ("MYSQL_PWD", "mysql_pwd"), ("secret", "secret"), ("client_secret", "secret"),
        ("AWS_SECRET_ACCESS_KEY", "secret"), ("auth", "auth"), ("Authorization", "auth"),
        ("http.request.header.authorization", "auth"), ("oauth_state", "auth"), ("authority", "auth"),
        ("author_id", "auth"), ("authorsList", "auth"), ("author", nil), ("authors", nil), ("Author.name", nil),
        ("book.authors", nil), ("credential", "credential"), ("aws_credentials", "credential"),
        ("private_key", "private_key"), ("privatekey", "private_key"), ("private-key", "private_key"),
        ("private key", "private_key"), ("Private.Key", "private_key"), ("api_key", "api_key"), ("apikey", "api_key"),
        ("x-api-key", "api_key"), ("api key", "api_key"), ("API.KEY", "api_key"), ("openaiApiKey", "api_key"),
        ("session", "session"), ("session_id", "session"), ("cookie", "cookie"), ("Set-Cookie", "cookie"),
        ("social security number", "social_security"), ("social_security", "social_security"),
        ("credit_card", "credit_card"), ("creditcard", "credit_card"), ("credit-card-number", "credit_card"),
        ("logfire_token", "logfire_token"), ("LOGFIRE-TOKEN", "logfire_token"),
        ("csrf", "csrf"), ("csrf_token", "csrf"), ("X-CSRF-Token", "csrf"), ("X-XSRF-TOKEN", "xsrf"),
        ("jwt", "jwt"), ("id.jwt", "jwt"), ("user_ssn", "ssn"), ("SSN", "ssn"),
        // memoryd additions
        ("access_token", "access_token"), ("refresh-token", "refresh_token"), ("api_token", "api_token"),
        ("x-amz-security-token", "security_token"), ("bearer", "bearer"), ("gpg_passphrase", "passphrase"),
        ("pwd", "pwd"), ("db.pwd", "pwd"),
        // Not sensitive (acronyms need boundaries; no bare `token` rule).
        ("jwtoken", nil), ("classname", nil), ("assessment", nil), ("pwdx", nil), ("cwd", nil),
        ("tokens.total", nil), ("gen_ai.usage.input_tokens", nil), ("llm.token_count.prompt", nil),
        ("primary_key", nil), ("sort_key", nil), ("keyboard", nil), ("capital", nil), ("guard_id", nil),
        ("service.name", nil), ("code.filepath", nil), ("run.id", nil), ("reason", nil), ("note", nil),
        // Allowed by default.
        ("logfire.json_schema", nil), ("session.id", nil), ("agent_session_id", nil), ("logfire.scrubbed", nil),
    ]

    @Test func keyRulesMatchLogfire() {
        for (key, rule) in Self.keys {
            #expect(Redactor.standard.isSensitiveKey(key) == rule, "\(key)")
        }
    }

    @Test func sensitiveKeyRedactsTheWholeValue() {
        let (out, records) = redactedAttribute("password", "hunter2")
        #expect(out == "[REDACTED:password]")
        #expect(records == [Redaction(path: "attributes.password", rule: "password", kind: .key)])
        #expect(redactedAttribute("api_key", Secrets.fixtureAPIKey).0 == "[REDACTED:api_key]")
        #expect(redactedAttribute("author", "Ann").1.isEmpty)
        #expect(redactedAttribute("guard_id", "secret-egress").1.isEmpty)
        #expect(redactedAttribute("reason", "password reset requested").1.isEmpty)
    }

    @Test func jsonStringValueIsRedactedInsideAndStaysValid() throws {
        let plan = #"{"db": {"password": "x", "host": "db.internal", "port": 5432}, "steps": [{"api_key": "k1"}, {"name": "n", "author": "Ann"}], "Token": {"private_key": {"n": 1}, "ok": true}}"#
        let (out, records) = redactedAttribute("plan", plan)
        #expect(isValidJSON(out))
        #expect(out == #"{"db": {"password": "[REDACTED:password]", "host": "db.internal", "port": 5432}, "steps": [{"api_key": "[REDACTED:api_key]"}, {"name": "n", "author": "Ann"}], "Token": {"private_key": "[REDACTED:private_key]", "ok": true}}"#)
        #expect(records == [
            Redaction(path: "attributes.plan.db.password", rule: "password", kind: .key),
            Redaction(path: "attributes.plan.steps[0].api_key", rule: "api_key", kind: .key),
            Redaction(path: "attributes.plan.Token.private_key", rule: "private_key", kind: .key),
        ])
    }

    @Test func jsonFormattingIsKept() throws {
        let pretty = "{\n  \"user\" : \"ann\",\n  \"secret\" : 12345,\n  \"list\" : [ 1, 2.5e3, null ],\n  \"flag\": false\n}"
        let (out, _) = redactedValue(pretty)
        #expect(out == "{\n  \"user\" : \"ann\",\n  \"secret\" : \"[REDACTED:secret]\",\n  \"list\" : [ 1, 2.5e3, null ],\n  \"flag\": false\n}")
        // Booleans and null under a sensitive key carry no secret and are kept.
        #expect(redactedValue(#"{"has_password": true, "password": null}"#).1.isEmpty)
        // Escaped keys and values are decoded for matching and re-encoded on output.
        let escaped = #"{"pass\u0077ord": "a\"b", "note": "line\nwith AKIAIOSFODNN7EXAMPLE \u00e9"}"#
        let (o2, r2) = redactedValue(escaped)
        #expect(isValidJSON(o2))
        let obj = try #require(jsonObject(o2) as? [String: String])
        #expect(obj["password"] == "[REDACTED:password]")
        #expect(obj["note"] == "line\nwith [REDACTED:aws_access_key] é")
        #expect(r2.map(\.path) == ["attributes.v.password", "attributes.v.note"])
    }

    @Test func detectorsRunOnJSONLeaves() throws {
        let doc = #"{"headers": {"Authorization": "Bearer abc123def456ghi789", "X-Request-Id": "r-1"}, "pem": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----", "ids": ["AKIAIOSFODNN7EXAMPLE", "doc-2"]}"#
        let (out, records) = redactedValue(doc)
        #expect(isValidJSON(out))
        let obj = try #require(jsonObject(out) as? [String: Any])
        #expect((obj["headers"] as? [String: String])?["Authorization"] == "[REDACTED:auth]")
        #expect((obj["headers"] as? [String: String])?["X-Request-Id"] == "r-1")
        #expect(obj["pem"] as? String == "[REDACTED:private_key]")
        #expect(obj["ids"] as? [String] == ["[REDACTED:aws_access_key]", "doc-2"])
        #expect(records.map(\.path) == ["attributes.v.headers.Authorization", "attributes.v.pem", "attributes.v.ids[0]"])
    }

    @Test func jsonInsideJSONString() throws {
        let inner = #"{"password": "hunter2", "x": 1}"#
        let outer = "{\"payload\": \(String(decoding: try JSONSerialization.data(withJSONObject: inner, options: .fragmentsAllowed), as: UTF8.self))}"
        let (out, records) = redactedValue(outer)
        #expect(isValidJSON(out))
        #expect(!out.contains("hunter2"))
        #expect(records == [Redaction(path: "attributes.v.payload.password", rule: "password", kind: .key)])
    }

    @Test func allowedKeyExemptsItsSubtreeFromKeyRulesButNotDetectors() {
        let schema = #"{"type":"object","properties":{"tool":{},"password":{},"api_key":{},"note":{"default":"AKIAIOSFODNN7EXAMPLE"}}}"#
        let (out, records) = redactedAttribute("logfire.json_schema", schema)
        #expect(out == #"{"type":"object","properties":{"tool":{},"password":{},"api_key":{},"note":{"default":"[REDACTED:aws_access_key]"}}}"#)
        #expect(records.map(\.rule) == ["aws_access_key"])
    }

    @Test func invalidJSONFallsBackToText() {
        let broken = #"{"password": "hunter2", "x": }"#
        let (out, records) = redactedValue(broken)
        #expect(out == #"{"password": "[REDACTED:password]", "x": }"#)
        #expect(records.map(\.rule) == ["password"])
    }

    @Test func genericWalker() {
        let value: RedactableValue = .object([
            .init("db", .object([.init("password", .int(1234)), .init("host", .string("h"))])),
            .init("tokens", .array([.string("doc-1"), .string(Secrets.githubClassic)])),
            .init("api_keys", .array([.string("a"), .string("b")])),
            .init("has_secret", .bool(true)),
        ])
        var records: [Redaction] = []
        var fields: [SensitiveField] = []
        let out = Redactor.standard.redact(value, key: "cfg", path: "attributes.cfg", into: &records, sensitiveFields: &fields)
        #expect(out == .object([
            .init("db", .object([.init("password", .string("[REDACTED:password]")), .init("host", .string("h"))])),
            .init("tokens", .array([.string("doc-1"), .string("[REDACTED:github_token]")])),
            .init("api_keys", .string("[REDACTED:api_key]")),
            .init("has_secret", .bool(true)),
        ]))
        #expect(records == [
            Redaction(path: "attributes.cfg.db.password", rule: "password", kind: .key),
            Redaction(path: "attributes.cfg.tokens[1]", rule: "github_token", kind: .value),
            Redaction(path: "attributes.cfg.api_keys", rule: "api_key", kind: .key),
        ])
        #expect(fields == [SensitiveField(name: "cfg", rule: "password", values: ["1234"])])
    }
}
