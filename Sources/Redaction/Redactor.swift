/// Redacts secrets from telemetry before it is stored or exported.
///
/// Three kinds of rule, each named, each reported as a `Redaction` (path + rule, never the value):
///
/// * **key rules** (Logfire's scrubbing patterns and a few more, see `builtinKeyRuleNames`) fire on
///   KEYS, case-insensitively, anywhere in the key: on attribute keys, on keys inside JSON-string
///   values at any depth (`plan = "{\"db\": {\"password\": \"x\"}}"`), and on the key of a
///   `key=value` / `"key": "value"` pair inside text. The whole value under the key is replaced by
///   `[REDACTED:<rule>]`.
/// * **value detectors** (see `builtinValueDetectorNames`) fire on secret SHAPES inside any string,
///   whatever its key: AWS key ids, PEM private keys, JWTs, bearer tokens, GitHub/Slack/Stripe/
///   Google/`sk-…`/Logfire tokens, Luhn-valid card numbers, SSNs, URL passwords. Only the match is
///   replaced. Words are not shapes: `"secret-egress"` or `"password reset requested"` survive.
/// * **message templates**: the part of a formatted message produced by a placeholder whose field
///   is sensitive is replaced too (`redactMessage`).
///
/// Every function returns `nil` when the input is unchanged, which is the common case and costs
/// no allocation. `path` arguments are autoclosures: build them with string concatenation at the
/// call site; they are only evaluated when something was redacted.
///
/// `Redactor` is a cheap value (one reference to an immutable engine), `Sendable`, and safe to use
/// from any number of threads at once.
///
/// Walking OTLP (the module has no OTLP dependency): per attribute list, call
/// `redactAttribute(key:value:path:into:sensitiveFields:)` for string values; for other values
/// under a key where `isSensitiveKey` fires, replace the value with `placeholder(for:)` and record
/// a `.key` redaction; walk array elements with `redactValue` (path `key[i]`) and kvlist members
/// as attributes (path `key.member`); do `logfire.msg` last, with `redactMessage` and the
/// `logfire.msg_template` and collected fields. Free text without a key (span names, status
/// messages, log bodies) goes through `redactValue`. `redactAttributes` does all of this for
/// `RedactableAttribute` lists. Paths are relative to the record: `attributes.<key>…`,
/// `events[i].attributes.<key>`, `body`, `name`; keys are used verbatim (they may contain dots).
public struct Redactor: Sendable {
    let engine: Engine

    /// Compiles the configuration. Throws when a pattern is not a valid regex, matches the empty
    /// string, or has a bad/duplicate name, or when `disabledRules` names an unknown rule; the
    /// error names the list, index and name of the pattern (not the regex text).
    public init(configuration: RedactionConfiguration = .init()) throws(RedactionConfigurationError) {
        engine = try Engine(configuration)
    }

    /// `[REDACTED:<rule>]`
    public static func placeholder(for rule: String) -> String { "[REDACTED:\(rule)]" }

    /// The built-in key rules, in priority order (Logfire's defaults first).
    public static let builtinKeyRuleNames: [String] = KeyRule.allCases.map(\.name)
    /// The built-in value detectors.
    public static let builtinValueDetectorNames: [String] = ValueDetector.allCases.map(\.name)

    // MARK: - Keys

    /// The name of the key rule `key` trips, or nil (also nil for allowed keys).
    public func isSensitiveKey(_ key: String) -> String? {
        withUTF8Bytes(key) { k in engine.keyRule(k).map { engine.name($0) } }
    }

    /// Whether `key` is on the allow-list.
    public func isAllowedKey(_ key: String) -> Bool {
        withUTF8Bytes(key) { engine.isAllowed($0) }
    }

    // MARK: - Strings

    /// Redacts one string value that has no key of its own (an array element, a log body, …) or
    /// whose key was already checked: value detectors everywhere in it and, when it is a JSON
    /// document, key rules on the keys inside it (the result stays valid JSON).
    public func redactValue(_ value: String, path: @autoclosure () -> String, into redactions: inout [Redaction]) -> String? {
        guard withUTF8Bytes(value, { engine.mayNeedWork($0) }) else { return nil }
        var sink = Sink()
        let out = withUTF8Bytes(value) { engine.redactString($0, rulesActive: true, depth: 0, sink: &sink) }
        flush(sink, path: path, into: &redactions)
        return out.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Like `redactValue`, but always treats `json` as a JSON document (no prefilter): key rules on
    /// every key at any depth, detectors on every string leaf. Formatting is kept byte for byte
    /// outside the replaced values. Text that is not JSON gets the detectors only.
    public func redactJSONString(_ json: String, path: @autoclosure () -> String, into redactions: inout [Redaction]) -> String? {
        var sink = Sink()
        let out = withUTF8Bytes(json) { engine.redactString($0, rulesActive: true, depth: 0, forceJSON: true, sink: &sink) }
        flush(sink, path: path, into: &redactions)
        return out.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Redacts one string attribute: when `key` trips a key rule the whole value becomes
    /// `[REDACTED:<rule>]`; otherwise as `redactValue` (a key on the allow-list exempts the keys
    /// nested in its value from key rules, not from detectors).
    public func redactAttribute(
        key: String, value: String, path: @autoclosure () -> String, into redactions: inout [Redaction]
    ) -> String? {
        // Fast path: a key no rule matches and a value no detector can start in.
        if withUTF8Bytes(key, { engine.keyRuleIgnoringAllowList($0) }) == nil,
           !withUTF8Bytes(value, { engine.mayNeedWork($0) }) { return nil }
        var fields: [SensitiveField] = []
        return redactAttribute(key: key, value: value, path: path(), into: &redactions, sensitiveFields: &fields)
    }

    /// As `redactAttribute(key:value:path:into:)`, and appends a `SensitiveField` when a key rule
    /// fired on `key` or on a key inside the value, for `redactMessage` to use afterwards.
    public func redactAttribute(
        key: String, value: String, path: @autoclosure () -> String,
        into redactions: inout [Redaction], sensitiveFields: inout [SensitiveField]
    ) -> String? {
        let keyRule = withUTF8Bytes(key) { engine.keyRuleIgnoringAllowList($0) }
        if keyRule == nil, !withUTF8Bytes(value, { engine.mayNeedWork($0) }) { return nil }
        var sink = Sink()
        let out: [UInt8]? = withUTF8Bytes(key) { k in
            let allowed = engine.isAllowed(k)
            if !allowed, let rule = keyRule {
                sink.keyRule = rule
                let skip = withUTF8Bytes(value) { isPlaceholder($0) }
                if skip { return nil }
                sink.records.append(.init(rel: "", rule: rule, kind: .key))
                if !value.isEmpty { sink.secrets.append(value) }
                return placeholderBytes(engine.name(rule))
            }
            return withUTF8Bytes(value) { engine.redactString($0, rulesActive: !allowed, depth: 0, sink: &sink) }
        }
        flush(sink, path: path, into: &redactions)
        if let rule = sink.keyRule {
            sensitiveFields.append(SensitiveField(name: key, rule: engine.name(rule), values: sink.secrets))
        }
        return out.map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: - Screening raw bytes

    // For callers that walk raw input (the OTLP wire decoder): when every screen says no, the
    // functions above would return nil, so the input can be used as it is without a String.

    /// Whether `key` trips a key rule (the allow-list aside).
    public func mayRedact(key: UnsafeRawBufferPointer) -> Bool {
        engine.keyRuleIgnoringAllowList(Bytes(key)) != nil
    }

    /// Whether `redactValue` or `redactAttribute` (under a key that trips no rule) could
    /// change `value`.
    public func mayRedact(value: UnsafeRawBufferPointer) -> Bool {
        engine.mayNeedWork(Bytes(value))
    }

    /// Whether a placeholder of `template` names a sensitive field (so `redactMessage` could
    /// change a message formatted from it even where no detector fires).
    public func mayRedact(template: UnsafeRawBufferPointer) -> Bool {
        MessageTemplate.anyField(Bytes(template)) { name in isSensitiveField(name, []) }
    }

    // MARK: - Messages

    /// Redacts a formatted message (Logfire's `logfire.msg`, a log body, an exception message).
    ///
    /// With a `template` (Logfire's `logfire.msg_template`, which is also the span name), the
    /// template's literal text is aligned with the message to find the text each `{field}`
    /// produced; a field is sensitive when its name trips a key rule or it is in
    /// `sensitiveFields` (from `redactAttribute(…sensitiveFields:)`), and its text is replaced by
    /// `[REDACTED:<rule>]` (kind `.message`). When the alignment is ambiguous the widest possible
    /// span is redacted. When the template does not align with the message, the known values of
    /// the sensitive fields are replaced wherever they occur; a sensitive field without a known
    /// value then redacts everything after the template's leading literal text.
    ///
    /// The value detectors then run on the whole message, as on any value.
    public func redactMessage(
        _ message: String, template: String?, sensitiveFields: [SensitiveField] = [],
        path: @autoclosure () -> String, into redactions: inout [Redaction]
    ) -> String? {
        // Fast path: no field of the template is sensitive, and no detector can start.
        let templateMatters = template.map { t in
            withUTF8Bytes(t) { tb in
                MessageTemplate.anyField(tb) { name in isSensitiveField(name, sensitiveFields) }
            }
        } ?? false
        if !templateMatters, !withUTF8Bytes(message, { engine.mayNeedWork($0) }) { return nil }
        var sink = Sink()
        var templated: [UInt8]? = nil
        var messageRules: [String] = []
        if templateMatters, let template {
            templated = withUTF8Bytes(message) { m in
                withUTF8Bytes(template) { t in applyTemplate(m, t, sensitiveFields, &messageRules) }
            }
        }
        let detected: [UInt8]?
        if let t = templated {
            detected = t.withUnsafeBufferPointer { engine.redactString($0, rulesActive: true, depth: 0, sink: &sink) }
        } else {
            detected = withUTF8Bytes(message) { engine.redactString($0, rulesActive: true, depth: 0, sink: &sink) }
        }
        if !messageRules.isEmpty || !sink.records.isEmpty {
            let base = path()
            for rule in messageRules {
                redactions.append(Redaction(path: base, rule: rule, kind: .message))
            }
            for r in sink.records {
                redactions.append(Redaction(path: base + r.rel, rule: engine.name(r.rule), kind: r.kind))
            }
        }
        guard let out = detected ?? templated else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// `fieldRule(name) != nil`, on bytes and without allocating.
    private func isSensitiveField(_ name: Bytes, _ fields: [SensitiveField]) -> Bool {
        if engine.keyRule(name) != nil { return true }
        var rootEnd = 0
        while rootEnd < name.count, name[rootEnd] != UInt8(ascii: "."), name[rootEnd] != UInt8(ascii: "[") { rootEnd += 1 }
        let root = Bytes(rebasing: name[0 ..< rootEnd])
        if rootEnd < name.count, engine.keyRule(root) != nil { return true }
        for f in fields {
            let same = withUTF8Bytes(f.name) { fb in
                (fb.count == name.count && fb.elementsEqual(name)) || (fb.count == root.count && fb.elementsEqual(root))
            }
            if same { return true }
        }
        return false
    }

    private func fieldRule(_ name: String, _ fields: [SensitiveField]) -> String? {
        if let f = fields.first(where: { $0.name == name }) { return f.rule }
        if let r = isSensitiveKey(name) { return r }
        // `{user.password}` / `{creds[0]}`: the root name counts too.
        let root = name.prefix { $0 != "." && $0 != "[" }
        if root.count < name.count {
            let rootName = String(root)
            if let f = fields.first(where: { $0.name == rootName }) { return f.rule }
            if let r = isSensitiveKey(rootName) { return r }
        }
        return nil
    }

    private func applyTemplate(_ m: Bytes, _ t: Bytes, _ fields: [SensitiveField], _ records: inout [String]) -> [UInt8]? {
        guard let tpl = MessageTemplate(t), !tpl.groups.isEmpty else { return nil }
        // The rule of each group (the first sensitive field in it), if any.
        var groupRules: [String?] = []
        var anySensitive = false
        for g in tpl.groups {
            var rule: String? = nil
            for name in g {
                if let r = fieldRule(name, fields) { rule = r; break }
            }
            groupRules.append(rule)
            if rule != nil { anySensitive = true }
        }
        guard anySensitive else { return nil }
        var edits: [Edit] = []
        var rules: [String] = []
        if let spans = tpl.spans(in: m) {
            var k = 0
            while k < spans.count {
                guard let rule = groupRules[k], !spans[k].isEmpty else { k += 1; continue }
                var span = spans[k]
                // Widest spans of neighbouring sensitive groups may overlap: merge them.
                var j = k + 1
                while j < spans.count, groupRules[j] != nil, spans[j].lowerBound <= span.upperBound {
                    span = span.lowerBound ..< Swift.max(span.upperBound, spans[j].upperBound)
                    j += 1
                }
                if let last = edits.last, span.lowerBound < last.end {
                    edits[edits.count - 1].end = Swift.max(last.end, span.upperBound)
                } else if !isPlaceholder(Bytes(rebasing: m[span])) {
                    edits.append(Edit(start: span.lowerBound, end: span.upperBound, replacement: placeholderBytes(rule)))
                    rules.append(rule)
                }
                k = j
            }
        } else {
            // The template does not describe this message: find the known values instead.
            var found: [(edit: Edit, rule: String)] = []
            var needles: [(bytes: [UInt8], rule: String)] = []
            var unlocatable: String? = nil
            for (g, rule) in zip(tpl.groups, groupRules) {
                guard let rule else { continue }
                var located = false
                for name in g {
                    let root = String(name.prefix { $0 != "." && $0 != "[" })
                    for f in fields where f.name == name || f.name == root {
                        for v in f.values where v.utf8.count >= 2 {
                            needles.append((Array(v.utf8), rule))
                            located = true
                        }
                    }
                }
                if !located, unlocatable == nil { unlocatable = rule }
            }
            // Longest first, so a value containing another one is replaced whole.
            needles.sort { $0.bytes.count > $1.bytes.count }
            for (needle, rule) in needles {
                var from = 0
                while let s = needle.withUnsafeBufferPointer({ m.firstIndex(of: $0, from: from, to: m.count) }) {
                    let e = s + needle.count
                    if !found.contains(where: { $0.edit.start < e && s < $0.edit.end }) {
                        found.append((Edit(start: s, end: e, replacement: placeholderBytes(rule)), rule))
                    }
                    from = e
                }
            }
            if let rule = unlocatable {
                // A sensitive field whose text cannot be located: everything after the template's
                // leading literal goes (all of the message when even that does not match).
                let lead = tpl.literals[0]
                var start = 0
                if lead.count <= m.count, lead.withUnsafeBufferPointer({ l in (0 ..< l.count).allSatisfy { m[$0] == l[$0] } }) {
                    start = lead.count
                }
                found.removeAll { $0.edit.end > start }
                if start < m.count {
                    found.append((Edit(start: start, end: m.count, replacement: placeholderBytes(rule)), rule))
                }
            }
            found.sort { $0.edit.start < $1.edit.start }
            edits = found.map(\.edit)
            rules = found.map(\.rule)
        }
        guard !edits.isEmpty else { return nil }
        records.append(contentsOf: rules)
        return splice(m, edits)
    }

    // MARK: - Helpers

    func flush(_ sink: Sink, path: () -> String, into redactions: inout [Redaction]) {
        guard !sink.records.isEmpty else { return }
        let base = path()
        for r in sink.records {
            redactions.append(Redaction(path: base + r.rel, rule: engine.name(r.rule), kind: r.kind))
        }
    }
}
