/// What kind of rule produced a `Redaction`.
public enum RedactionKind: String, Sendable, Hashable, Codable {
    /// A key rule fired on an attribute key (or a key inside a JSON-string value): the whole value
    /// under that key was replaced.
    case key
    /// A value detector (a secret shape, a `key=value` assignment, or a configured value pattern)
    /// fired inside a string: only the matching part was replaced.
    case value
    /// The part of a formatted message produced by a template placeholder whose field is
    /// sensitive was replaced (`login as {user} using password {password}`).
    case message
}

/// One redaction, for the audit trail. It NEVER carries the redacted value.
public struct Redaction: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Where the value was: `attributes.password`, `attributes.plan.db.password` (inside a
    /// JSON-string value), `attributes.doc_ids[2]`, `message`, `body.headers.Authorization`, …
    /// The prefix is whatever the caller passed as `path`; the module appends `.key` for object
    /// members and `[i]` for array elements.
    public var path: String
    /// The rule that fired: `password`, `api_key`, `aws_access_key`, `jwt`, `credit_card`, … —
    /// the same name that appears in the replacement `[REDACTED:<rule>]`.
    public var rule: String
    public var kind: RedactionKind

    public init(path: String, rule: String, kind: RedactionKind) {
        self.path = path
        self.rule = rule
        self.kind = kind
    }

    public var description: String { "\(path): \(rule) (\(kind.rawValue))" }
}

/// Redaction settings (maps 1:1 onto the daemon's `[redaction]` config section).
public struct RedactionConfiguration: Sendable, Hashable {
    /// A named regular expression (Swift `Regex` syntax, which accepts the usual PCRE/Python
    /// forms: `\b`, `(?:…)`, `(?!…)`, `(?i)`, classes, …).
    public struct Pattern: Sendable, Hashable {
        /// The rule name: shown in `[REDACTED:<name>]` and in `Redaction.rule`. Letters, digits,
        /// `_`, `-`, `.` only.
        public var name: String
        public var regex: String

        public init(name: String, regex: String) {
            self.name = name
            self.regex = regex
        }
    }

    /// Extra key rules, matched case-insensitively anywhere in a key (like Logfire's
    /// `extra_patterns` applied to keys). A key they match has its whole value redacted.
    public var extraKeyPatterns: [Pattern]
    /// Extra value rules, matched case-sensitively (use `(?i)` to change that) against every
    /// string value and message; each match is replaced by `[REDACTED:<name>]`. When the pattern
    /// starts with a literal of ≥ 3 characters (e.g. `acme_[0-9a-f]{32}`), that literal is used as a
    /// cheap prefilter; otherwise the regex runs on every string, which is slow — start patterns
    /// with a literal.
    public var extraValuePatterns: [Pattern]
    /// Keys never redacted by key rules, compared case-insensitively with the whole key, at any
    /// depth. The exemption covers everything below the key too (a JSON-string value under an
    /// allowed key is not searched for sensitive keys). Value detectors still run on the values:
    /// an AWS key id inside an allowed key is still redacted (switch the detector off by name if
    /// that is not wanted). Defaults to `defaultAllowedKeys`; to extend, use
    /// `RedactionConfiguration.defaultAllowedKeys.union([...])`.
    public var allowedKeys: Set<String>
    /// Rule names switched off: any built-in key rule or value detector name (see
    /// `Redactor.builtinKeyRuleNames` / `builtinValueDetectorNames`) or an extra pattern's name.
    /// A name used by both a key rule and a detector (`jwt`, `credit_card`, `ssn`,
    /// `private_key`, `logfire_token`, `bearer`) switches both off. `assignment` switches off the
    /// `key=value` / `"key": "value"` detection in text.
    public var disabledRules: Set<String>

    /// Logfire's `SAFE_KEYS` whose values would otherwise trip a key rule: the JSON schema lists
    /// field names (`"password": {}`), the scrubbed list names rules, and the session keys are
    /// conversation/trace identifiers rather than credentials (OpenTelemetry `session.id`,
    /// Logfire `agent_session_id`, LangSmith's).
    public static let defaultAllowedKeys: Set<String> = [
        "logfire.json_schema", "logfire.msg_template", "logfire.scrubbed", "logfire.tags",
        "logfire.span_type", "logfire.level_num", "logfire.level_name", "logfire.logger_name",
        "logfire.pending_parent_id", "logfire.sample_rate",
        "agent_session_id", "session.id", "session.previous_id",
        "langsmith.metadata.session_id", "langsmith.trace.session_name",
    ]

    public init(
        extraKeyPatterns: [Pattern] = [],
        extraValuePatterns: [Pattern] = [],
        allowedKeys: Set<String> = RedactionConfiguration.defaultAllowedKeys,
        disabledRules: Set<String> = []
    ) {
        self.extraKeyPatterns = extraKeyPatterns
        self.extraValuePatterns = extraValuePatterns
        self.allowedKeys = allowedKeys
        self.disabledRules = disabledRules
    }
}

/// A configuration the `Redactor` cannot use. `description` names the pattern (list, index and
/// name) but never quotes the regex itself, which may contain a literal secret.
public enum RedactionConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum List: String, Sendable, Hashable {
        case extraKeyPatterns = "extra key patterns"
        case extraValuePatterns = "extra value patterns"
    }

    /// The regex does not compile.
    case invalidRegex(list: List, index: Int, name: String, reason: String)
    /// The regex matches the empty string, so it would fire on every value.
    case matchesEmptyString(list: List, index: Int, name: String)
    /// The name is empty or has characters other than letters, digits, `_`, `-`, `.`.
    case invalidName(list: List, index: Int, name: String)
    /// Two patterns in one list share a name.
    case duplicateName(list: List, index: Int, name: String)
    /// `disabledRules` names a rule that does not exist (probably a typo).
    case unknownRule(name: String, known: [String])

    public var description: String {
        switch self {
        case let .invalidRegex(list, index, name, reason):
            "\(list.rawValue) #\(index) '\(name)': not a valid regular expression: \(reason)"
        case let .matchesEmptyString(list, index, name):
            "\(list.rawValue) #\(index) '\(name)': matches the empty string, so it would fire on every value "
                + "(a `*` meant as `+`?)"
        case let .invalidName(list, index, name):
            "\(list.rawValue) #\(index) '\(name)': a rule name needs letters, digits, '_', '-' or '.' only"
        case let .duplicateName(list, index, name):
            "\(list.rawValue) #\(index) '\(name)': the name is used by an earlier pattern"
        case let .unknownRule(name, known):
            "disabled rule '\(name)' does not exist; rule names: \(known.joined(separator: ", "))"
        }
    }

    /// The index of the offending pattern in its list, when the error is about one.
    public var patternIndex: Int? {
        switch self {
        case let .invalidRegex(_, i, _, _), let .matchesEmptyString(_, i, _), let .invalidName(_, i, _),
             let .duplicateName(_, i, _): i
        case .unknownRule: nil
        }
    }
}
