import Redaction
import Testing

/// Every secret shape is caught wherever it sits in a value, under a neutral key, with the rule
/// named in the replacement and in the record, and the record never carries the secret.
@Suite struct ValueDetectorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let secret: String
        let rule: String
        var testDescription: String { rule }
    }

    static let corpus: [Case] = [
        Case(secret: Secrets.aws, rule: "aws_access_key"),
        Case(secret: Secrets.awsSession, rule: "aws_access_key"),
        Case(secret: Secrets.pemRSA, rule: "private_key"),
        Case(secret: Secrets.pemPKCS8, rule: "private_key"),
        Case(secret: Secrets.pemOpenSSH, rule: "private_key"),
        Case(secret: Secrets.pemEncrypted, rule: "private_key"),
        Case(secret: Secrets.jwt, rule: "jwt"),
        Case(secret: Secrets.githubClassic, rule: "github_token"),
        Case(secret: Secrets.githubOAuth, rule: "github_token"),
        Case(secret: Secrets.githubApp, rule: "github_token"),
        Case(secret: Secrets.githubUser, rule: "github_token"),
        Case(secret: Secrets.githubRefresh, rule: "github_token"),
        Case(secret: Secrets.githubPAT, rule: "github_token"),
        Case(secret: Secrets.slackBot, rule: "slack_token"),
        Case(secret: Secrets.slackUser, rule: "slack_token"),
        Case(secret: Secrets.slackApp, rule: "slack_token"),
        Case(secret: Secrets.slackRefresh, rule: "slack_token"),
        Case(secret: Secrets.slackSession, rule: "slack_token"),
        Case(secret: Secrets.openAI, rule: "llm_api_key"),
        Case(secret: Secrets.anthropic, rule: "llm_api_key"),
        Case(secret: Secrets.fixtureAPIKey, rule: "llm_api_key"),
        Case(secret: Secrets.stripe, rule: "stripe_key"),
        Case(secret: Secrets.google, rule: "google_api_key"),
        Case(secret: Secrets.logfire, rule: "logfire_token"),
        Case(secret: "4111 1111 1111 1111", rule: "credit_card"),
        Case(secret: "4111-1111-1111-1111", rule: "credit_card"),
        Case(secret: "4111111111111111", rule: "credit_card"),
        Case(secret: "5555555555554444", rule: "credit_card"),
        Case(secret: "2223003122003222", rule: "credit_card"),
        Case(secret: "378282246310005", rule: "credit_card"),
        Case(secret: "3782 822463 10005", rule: "credit_card"),
        Case(secret: "6011111111111117", rule: "credit_card"),
        Case(secret: "3530111333300000", rule: "credit_card"),
        Case(secret: "30569309025904", rule: "credit_card"),
        Case(secret: "4222222222222", rule: "credit_card"),
        Case(secret: "123-45-6789", rule: "ssn"),
        Case(secret: "078-05-1120", rule: "ssn"),
    ]

    @Test(arguments: corpus)
    func caughtAloneAndInText(_ c: Case) {
        for (text, expected) in [
            (c.secret, "[REDACTED:\(c.rule)]"),
            ("found \(c.secret) in config", "found [REDACTED:\(c.rule)] in config"),
            ("\"\(c.secret)\"", "\"[REDACTED:\(c.rule)]\""),
            ("key=\(c.secret);", "key=[REDACTED:\(c.rule)];"),
        ] {
            let (out, records) = redactedValue(text, path: "attributes.note")
            #expect(out == expected, "\(c.rule): \(text)")
            #expect(records == [Redaction(path: "attributes.note", rule: c.rule, kind: .value)])
            #expect(!records.description.contains(c.secret))
        }
    }

    @Test func bearerKeepsTheSchemeWord() {
        let (out, records) = redactedValue("Authorization: Bearer abc123def456ghi789jkl")
        #expect(out == "Authorization: Bearer [REDACTED:bearer]")
        #expect(records.map(\.rule) == ["bearer"])
        #expect(redactedValue("bearer 0123456789abcdef").0 == "bearer [REDACTED:bearer]")
        // A JWT bearer token is named as a JWT.
        #expect(redactedValue("Bearer " + Secrets.jwt).0 == "Bearer [REDACTED:jwt]")
    }

    @Test func urlPassword() {
        let (out, records) = redactedValue("postgres://admin:s3cr3t-P4ss@db.internal:5432/app?sslmode=require")
        #expect(out == "postgres://admin:[REDACTED:url_password]@db.internal:5432/app?sslmode=require")
        #expect(records.map(\.rule) == ["url_password"])
        #expect(redactedValue("redis://:hunter2@cache:6379/0").0 == "redis://:[REDACTED:url_password]@cache:6379/0")
        // No userinfo, or an @ in the path: untouched.
        #expect(redactedValue("http://memoryd.internal:8080/v1/docs?q=dome").1.isEmpty)
        #expect(redactedValue("https://example.com:443/users/@ann").1.isEmpty)
    }

    @Test func assignmentsInText() {
        #expect(redactedValue("GET /cb?code=1&api_key=abc123&x=1").0 == "GET /cb?code=1&api_key=[REDACTED:api_key]&x=1")
        #expect(redactedValue("Cookie: theme=dark; sessionid=9f8e7d6c").0 == "Cookie: theme=dark; sessionid=[REDACTED:session]")
        #expect(redactedValue("DB_PASSWORD=\"tr0ub4dor&3\" ./run").0 == "DB_PASSWORD=\"[REDACTED:password]\" ./run")
        // Python repr / JSON-ish text that is not a JSON document.
        #expect(redactedValue("plan {'db': {'password': 'x1'}, 'user': 'ann'}").0
            == "plan {'db': {'password': '[REDACTED:password]'}, 'user': 'ann'}")
        #expect(redactedValue("got {\"api_key\": \"k-9\", \"author\": \"Ann\"} back").0
            == "got {\"api_key\": \"[REDACTED:api_key]\", \"author\": \"Ann\"} back")
        // SQL-ish, spaces around `=`: only with a quoted value.
        #expect(redactedValue("WHERE password = 'x' AND user = 'ann'").0 == "WHERE password = '[REDACTED:password]' AND user = 'ann'")
        #expect(redactedValue("set password = reset later").1.isEmpty)
        #expect(redactedValue("if password == 'x' or secret != 'y'").1.isEmpty)
        // Records name the key rule.
        #expect(redactedValue("token?password=pw1").1 == [Redaction(path: "attributes.v", rule: "password", kind: .value)])
        // Non-sensitive keys, `author`, prose, spaces around `=`: untouched.
        for text in ["q=dome&page=2", "author=Ann", "password reset requested", "a password: reset", "x == y",
                     "guard_id = \"secret-egress\"", "{'reason': 'password reset requested'}"] {
            #expect(redactedValue(text).1.isEmpty, "\(text)")
        }
    }

    @Test func pemCutShortIsRedactedToTheEnd() {
        let truncated = "key: -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oW8xVn2Ml"
        #expect(redactedValue(truncated).0 == "key: [REDACTED:private_key]")
        // Public keys and certificates are not secrets.
        let cert = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----"
        #expect(redactedValue(cert).1.isEmpty)
        #expect(redactedValue("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----").1.isEmpty)
    }

    @Test func severalSecretsInOneValue() {
        let text = "aws=\(Secrets.aws) gh \(Secrets.githubClassic) card 4111 1111 1111 1111."
        let (out, records) = redactedValue(text)
        #expect(out == "aws=[REDACTED:aws_access_key] gh [REDACTED:github_token] card [REDACTED:credit_card].")
        #expect(records.map(\.rule) == ["aws_access_key", "github_token", "credit_card"])
    }

    @Test func ssnExclusions() {
        for bad in ["000-12-3456", "666-12-3456", "900-12-3456", "987-65-4321", "123-00-4567", "123-45-0000"] {
            #expect(redactedValue("ssn \(bad)").1.isEmpty, "\(bad)")
        }
        #expect(redactedValue("ssn 123-45-6789.").0 == "ssn [REDACTED:ssn].")
    }

    @Test func redactionIsIdempotent() {
        let text = "k \(Secrets.aws) and Bearer abc123def456ghi789 and \(Secrets.jwt) and api_key=abc123"
        let (once, _) = redactedValue(text)
        var records: [Redaction] = []
        #expect(Redactor.standard.redactValue(once, path: "x", into: &records) == nil)
        #expect(records.isEmpty)
        // Logfire's own placeholders are left alone too.
        #expect(redactedAttribute("password", "[Scrubbed due to 'password']").1.isEmpty)
        #expect(redactedAttribute("password", "[REDACTED:password]").1.isEmpty)
    }
}
