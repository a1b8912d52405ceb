import Synchronization

/// A configured regular expression, compiled once.
struct CompiledPattern: @unchecked Sendable {
    // `Regex` is a value type whose lazily compiled program is initialised thread-safely; it is
    // only ever read after `init`.
    let name: String
    let regex: Regex<AnyRegexOutput>
    /// A literal every match starts with, when one could be read off the pattern.
    let prefilter: [UInt8]?
}

/// Collects what one redaction call found, before paths are materialised (only when something
/// was actually redacted: the common case allocates nothing).
struct Sink {
    struct Pending {
        var rel: String
        var rule: RuleRef
        var kind: RedactionKind
    }

    var records: [Pending] = []
    /// Original values found under sensitive keys (for locating them in a message when the
    /// template cannot be aligned). Never reported.
    var secrets: [String] = []
    /// The first key rule that fired (at the top or nested), if any.
    var keyRule: RuleRef?

    mutating func merge(_ other: Sink, prefix: String) {
        for var r in other.records {
            r.rel = prefix + r.rel
            records.append(r)
        }
        secrets.append(contentsOf: other.secrets)
        if keyRule == nil { keyRule = other.keyRule }
    }
}

/// The compiled configuration and all matching logic. Immutable, shared by `Redactor` copies.
final class Engine: Sendable {
    let keyMask: UInt64
    let detectorMask: UInt64
    /// Allowed keys, lowercased, bucketed by UTF-8 length (index = length).
    let allowedByLength: [[[UInt8]]]
    let customKeys: [CompiledPattern]
    let customValues: [CompiledPattern]
    let keyCache = KeyVerdictCache()
    let keyWords = PairFilter.keyWords
    let detectorStarts = PairFilter.detectors
    let fused = PairFilter.fused
    let fusedDetectorBits = PairFilter.fused.groupBits[0]

    static let maxStringDepth = 4 // JSON inside a string inside JSON inside a string …
    static let maxJSONNesting = 128

    init(_ c: RedactionConfiguration) throws(RedactionConfigurationError) {
        let customKeys = try Engine.compile(c.extraKeyPatterns, list: .extraKeyPatterns, caseInsensitive: true)
        let customValues = try Engine.compile(c.extraValuePatterns, list: .extraValuePatterns, caseInsensitive: false)
        var known = Set(KeyRule.allCases.map(\.name))
        known.formUnion(ValueDetector.allCases.map(\.name))
        known.formUnion(customKeys.map(\.name))
        known.formUnion(customValues.map(\.name))
        for name in c.disabledRules.sorted() where !known.contains(name) {
            throw .unknownRule(name: name, known: known.sorted())
        }
        let off = c.disabledRules
        keyMask = KeyRule.allCases.reduce(0) { off.contains($1.name) ? $0 : $0 | $1.bit }
        detectorMask = ValueDetector.allCases.reduce(0) { off.contains($1.name) ? $0 : $0 | $1.bit }
        self.customKeys = customKeys.filter { !off.contains($0.name) }
        self.customValues = customValues.filter { !off.contains($0.name) }
        var buckets: [[[UInt8]]] = []
        for key in c.allowedKeys {
            let lowered = key.utf8.map { ASCII.lower($0) }
            while buckets.count <= lowered.count { buckets.append([]) }
            buckets[lowered.count].append(lowered)
        }
        allowedByLength = buckets
    }

    static func compile(
        _ patterns: [RedactionConfiguration.Pattern], list: RedactionConfigurationError.List, caseInsensitive: Bool
    ) throws(RedactionConfigurationError) -> [CompiledPattern] {
        var out: [CompiledPattern] = []
        var names: Set<String> = []
        for (index, p) in patterns.enumerated() {
            guard !p.name.isEmpty, p.name.utf8.allSatisfy({
                ASCII.isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
            }) else { throw .invalidName(list: list, index: index, name: p.name) }
            guard names.insert(p.name).inserted else { throw .duplicateName(list: list, index: index, name: p.name) }
            var regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex(p.regex)
            } catch {
                throw .invalidRegex(list: list, index: index, name: p.name, reason: String(describing: error))
            }
            if caseInsensitive { regex = regex.ignoresCase() }
            if (try? regex.firstMatch(in: "")) != nil
                || "aA0_ -.:=\"'".matches(of: regex).contains(where: { $0.range.isEmpty }) {
                throw .matchesEmptyString(list: list, index: index, name: p.name)
            }
            out.append(CompiledPattern(name: p.name, regex: regex, prefilter: caseInsensitive ? nil : literalPrefix(p.regex)))
        }
        return out
    }

    /// The literal every match of `pattern` must start with (≥ 3 bytes), if it is evident: the
    /// leading run of plain or escaped-punctuation characters, not followed by an optional
    /// quantifier, in a pattern with no alternation.
    static func literalPrefix(_ pattern: String) -> [UInt8]? {
        let b = Array(pattern.utf8)
        if b.contains(UInt8(ascii: "|")) { return nil }
        var out: [UInt8] = []
        var i = 0
        let plainPunct = Array("_-:/@#%=,;&~!<>'\"` ".utf8)
        let escapable = Array(".-_/:@#%=[](){}*+?|^$\\ ".utf8)
        while i < b.count {
            var lit: UInt8
            var next: Int
            if ASCII.isAlnum(b[i]) || plainPunct.contains(b[i]) {
                lit = b[i]; next = i + 1
            } else if b[i] == UInt8(ascii: "\\"), i + 1 < b.count, escapable.contains(b[i + 1]) {
                lit = b[i + 1]; next = i + 2
            } else {
                break
            }
            if next < b.count {
                let q = b[next]
                if q == UInt8(ascii: "*") || q == UInt8(ascii: "?") || q == UInt8(ascii: "{") { break }
                if q == UInt8(ascii: "+") { out.append(lit); break }
            }
            out.append(lit)
            i = next
        }
        return out.count >= 3 ? out : nil
    }

    // MARK: - Names

    func name(_ r: RuleRef) -> String {
        switch r {
        case let .key(k): k.name
        case let .detector(d): d.name
        case let .customKey(i): customKeys[i].name
        case let .customValue(i): customValues[i].name
        }
    }

    // MARK: - Keys

    /// Whether `key` is on the allow-list (case-insensitive, whole key).
    @inline(__always)
    func isAllowed(_ key: Bytes) -> Bool {
        let n = key.count
        guard n < allowedByLength.count else { return false }
        let bucket = allowedByLength[n]
        if bucket.isEmpty { return false }
        outer: for cand in bucket {
            var i = 0
            while i < n {
                if ASCII.lower(key[i]) != cand[i] { continue outer }
                i += 1
            }
            return true
        }
        return false
    }

    /// The key rule matching `key`, ignoring the allow-list.
    @inline(__always)
    func keyRuleIgnoringAllowList(_ key: Bytes) -> RuleRef? {
        if let r = KeyScanner.firstMatch(key, enabled: keyMask, keyWords) { return .key(r) }
        if customKeys.isEmpty { return nil }
        return customKeyRule(key)
    }

    /// The key rule matching `key`, or nil when none does or the key is allowed.
    @inline(__always)
    func keyRule(_ key: Bytes) -> RuleRef? {
        guard let r = keyRuleIgnoringAllowList(key) else { return nil }
        return isAllowed(key) ? nil : r
    }

    func customKeyRule(_ key: Bytes) -> RuleRef? {
        let s = String(decoding: key, as: UTF8.self)
        if let cached = keyCache.get(s) { return cached < 0 ? nil : .customKey(Int(cached)) }
        var found: Int32 = -1
        for (i, p) in customKeys.enumerated() where (try? p.regex.firstMatch(in: s)) != nil {
            found = Int32(i)
            break
        }
        keyCache.set(s, found)
        return found < 0 ? nil : .customKey(Int(found))
    }

    // MARK: - Strings

    @inline(__always)
    static func looksLikeJSON(_ p: Bytes) -> Bool {
        var i = 0
        let n = p.count
        while i < n, ASCII.isSpace(p[i]) { i += 1 }
        guard i < n, p[i] == UInt8(ascii: "{") || p[i] == UInt8(ascii: "[") else { return false }
        var j = n - 1
        while j > i, ASCII.isSpace(p[j]) { j -= 1 }
        return p[j] == UInt8(ascii: "}") || p[j] == UInt8(ascii: "]")
    }

    /// Cheap, allocation-free test run before anything else: false when `redactString` would
    /// certainly find nothing (no detector can start anywhere, not a JSON document, no configured
    /// value patterns). Ordinary short values end here.
    @inline(__always)
    func mayNeedWork(_ p: Bytes) -> Bool {
        let n = p.count
        if !customValues.isEmpty { return true }
        if n < 5 { return false }
        let filter = fused
        let detectorBits = fusedDetectorBits
        var assignmentLike = false // a `:` or `=` that a key=value / "key": value could hang on
        var keyWordLike = false // a key-rule word may start somewhere
        var i = 0
        while true {
            let c = filter.next(p, from: i)
            let m = c.bits
            if m == 0 { break }
            i = c.index
            if m & detectorBits == 0 {
                keyWordLike = true
                i += 1
                continue
            }
            if m & ~detectorBits != 0 { keyWordLike = true }
            let b = p[i]
            if ASCII.isDigit(b) {
                // A card or an SSN has ≥ 9 digits in one run of digits, spaces and dashes.
                var digits = 0
                while i < n {
                    let c = p[i]
                    if ASCII.isDigit(c) {
                        digits += 1
                        if digits >= 9 { return true }
                    } else if c != 0x20, c != UInt8(ascii: "-") {
                        break
                    }
                    i += 1
                }
                continue
            }
            if b == UInt8(ascii: "=") {
                assignmentLike = true
            } else if b == UInt8(ascii: ":") {
                if p[i + 1] == UInt8(ascii: "/"), p[i + 2] == UInt8(ascii: "/") { return true }
                assignmentLike = true
            } else {
                return true
            }
            i += 1
        }
        // Assignments in text and keys in a JSON document need a key-rule word in the text.
        guard assignmentLike || Engine.looksLikeJSON(p) else { return false }
        if !customKeys.isEmpty { return true }
        return keyWordLike && KeyScanner.mayHaveSensitiveKey(p, enabled: keyMask, keyWords)
    }

    /// Redacts one string value: structurally when it is a JSON document (key rules at any depth
    /// when `rulesActive`, detectors on every string leaf), otherwise with the value detectors.
    /// Returns the new bytes, or nil when nothing changed.
    func redactString(_ p: Bytes, rulesActive: Bool, depth: Int, forceJSON: Bool = false, sink: inout Sink) -> [UInt8]? {
        let n = p.count
        if n < 5, customValues.isEmpty { return nil }
        if isPlaceholder(p) { return nil }
        // In a JSON text with no key-rule word anywhere, no `key=value` can fire either.
        var assignments = rulesActive
        if depth < Engine.maxStringDepth, n >= 2, forceJSON || Engine.looksLikeJSON(p) {
            // Walk the document only when a key rule could fire inside (a key-rule word occurs
            // anywhere in the text, or a key is \u-escaped) or configured patterns need its leaves.
            let mayHaveKey = rulesActive
                && (!customKeys.isEmpty || KeyScanner.mayHaveSensitiveKey(p, enabled: keyMask, keyWords))
            if forceJSON || mayHaveKey || !customValues.isEmpty {
                var w = JSONWalker(p: p, engine: self, depth: depth)
                var sub = Sink()
                if w.run(rulesActive: rulesActive, sink: &sub) {
                    sink.merge(sub, prefix: "")
                    return w.edits.isEmpty ? nil : splice(p, w.edits)
                }
                // Not JSON after all: treat it as text.
            }
            assignments = mayHaveKey
        }
        var hits: [Hit] = []
        scan(p, assignments: assignments, hits: &hits)
        var out: [UInt8]? = nil
        if !hits.isEmpty {
            var edits: [Edit] = []
            edits.reserveCapacity(hits.count)
            for h in hits {
                let ruleName = name(h.rule)
                edits.append(Edit(start: h.start, end: h.end, replacement: placeholderBytes(ruleName)))
                sink.records.append(.init(rel: "", rule: h.rule, kind: h.kind))
            }
            out = splice(p, edits)
        }
        if !customValues.isEmpty {
            if let o = out {
                if let r = o.withUnsafeBufferPointer({ applyCustomValues($0, sink: &sink) }) { out = r }
            } else if let r = applyCustomValues(p, sink: &sink) {
                out = r
            }
        }
        return out
    }

    func applyCustomValues(_ p: Bytes, sink: inout Sink) -> [UInt8]? {
        var current: String? = nil
        for (index, pattern) in customValues.enumerated() {
            if let pre = pattern.prefilter {
                let present: Bool
                if let c = current {
                    present = withUTF8Bytes(c) { b in
                        pre.withUnsafeBufferPointer { b.firstIndex(of: $0, from: 0, to: b.count) != nil }
                    }
                } else {
                    present = pre.withUnsafeBufferPointer { p.firstIndex(of: $0, from: 0, to: p.count) != nil }
                }
                if !present { continue }
            }
            let s = current ?? String(decoding: p, as: UTF8.self)
            let ranges = s.matches(of: pattern.regex).map(\.range).filter { !$0.isEmpty }
            if ranges.isEmpty { continue }
            var result = ""
            var cursor = s.startIndex
            let replacement = Redactor.placeholder(for: pattern.name)
            for r in ranges where r.lowerBound >= cursor {
                result += s[cursor ..< r.lowerBound]
                result += replacement
                cursor = r.upperBound
                sink.records.append(.init(rel: "", rule: .customValue(index), kind: .value))
            }
            result += s[cursor...]
            current = result
        }
        return current.map { Array($0.utf8) }
    }

    // MARK: - The detector pass

    /// One left-to-right pass trying the shape matchers at the bytes that can start a shape.
    /// Hits come out sorted and non-overlapping.
    func scan(_ p: Bytes, assignments: Bool, hits: inout [Hit]) {
        let m = detectorMask
        @inline(__always) func on(_ d: ValueDetector) -> Bool { m & d.bit != 0 }
        let assignments = assignments && on(.assignment)
        let cards = on(.creditCard), ssns = on(.ssn)
        let filter = detectorStarts
        var i = 0
        while true {
            let c = filter.next(p, from: i)
            if c.bits == 0 { break }
            i = c.index
            // A shape starting at `i` that ends at `end` (matchers return -1 for no match).
            @inline(__always) func shape(_ d: ValueDetector, _ matcher: (Bytes, Int) -> Int) -> Hit? {
                guard on(d) else { return nil }
                let end = matcher(p, i)
                return end >= 0 ? Hit(start: i, end: end, rule: .detector(d), kind: .value) : nil
            }
            var hit: Hit? = nil
            switch p[i] {
            case UInt8(ascii: "A"):
                hit = shape(.awsAccessKey, Shapes.awsAccessKey) ?? shape(.googleAPIKey, Shapes.googleAPIKey)
            case UInt8(ascii: "e"):
                hit = shape(.jwt, Shapes.jwt)
            case UInt8(ascii: "B"), UInt8(ascii: "b"):
                // `Bearer <token>`: only the token goes, named `jwt` when it is one.
                if on(.bearer) || on(.jwt), let t = Shapes.bearer(p, i) {
                    let j = on(.jwt) ? Shapes.jwt(p, t.start) : -1
                    if j >= 0 {
                        hit = Hit(start: t.start, end: Swift.max(j, t.end), rule: .detector(.jwt), kind: .value)
                    } else if on(.bearer) {
                        hit = Hit(start: t.start, end: t.end, rule: .detector(.bearer), kind: .value)
                    }
                }
            case UInt8(ascii: "g"):
                hit = shape(.githubToken, Shapes.github)
            case UInt8(ascii: "x"):
                hit = shape(.slackToken, Shapes.slack)
            case UInt8(ascii: "s"):
                hit = shape(.llmAPIKey, Shapes.llmAPIKey) ?? shape(.stripeKey, Shapes.stripe)
            case UInt8(ascii: "r"):
                hit = shape(.stripeKey, Shapes.stripe)
            case UInt8(ascii: "p"):
                hit = shape(.logfireToken, Shapes.logfireToken)
            case UInt8(ascii: "-"):
                hit = shape(.privateKey, Shapes.pem)
            case UInt8(ascii: "0") ... UInt8(ascii: "9"):
                if cards || ssns {
                    // Digit runs are consumed whole, matched or not.
                    let r = Shapes.digitRun(p, i, cards: cards, ssns: ssns)
                    if let d = r.hit { hits.append(Hit(start: i, end: r.end, rule: .detector(d), kind: .value)) }
                    i = Swift.max(r.end, i + 1)
                    continue
                }
            case UInt8(ascii: ":"):
                if on(.urlPassword), let r = Shapes.urlPassword(p, i) {
                    hit = Hit(start: r.start, end: r.end, rule: .detector(.urlPassword), kind: .value)
                } else if assignments {
                    hit = assignment(p, i, bare: false)
                }
            case UInt8(ascii: "="):
                if assignments { hit = assignment(p, i, bare: true) }
            default:
                break
            }
            if let h = hit {
                hits.append(h)
                i = h.end // hits of assignments and bearer tokens start after `i`, never before
            } else {
                i += 1
            }
        }
    }

    /// `key=value` / `key = "value"` (bare identifier) or `"key": "value"` / `'key'='value'`
    /// (quoted key) in text, where the key trips a key rule. Only the value is replaced, named
    /// after the key rule.
    private func assignment(_ p: Bytes, _ i: Int, bare: Bool) -> Hit? {
        let key: (start: Int, end: Int)
        var allowBare = false
        if let q = Shapes.quotedAssignmentKey(p, i) {
            key = q
        } else if bare, let k = Shapes.bareAssignmentKey(p, i) {
            key = (k.start, k.end)
            allowBare = !k.spaced
        } else {
            return nil
        }
        guard let rule = keyRule(Bytes(rebasing: p[key.start ..< key.end])),
              let v = Shapes.assignmentValue(p, i, allowBare: allowBare) else { return nil }
        return Hit(start: v.start, end: v.end, rule: rule, kind: .value)
    }
}

/// Memo of custom key-pattern verdicts (keys repeat endlessly; regexes are slow). Bounded.
final class KeyVerdictCache: Sendable {
    private let state = Mutex<[String: Int32]>([:])
    static let capacity = 8192

    func get(_ key: String) -> Int32? { state.withLock { $0[key] } }

    func set(_ key: String, _ value: Int32) {
        state.withLock {
            if $0.count >= KeyVerdictCache.capacity { $0.removeAll(keepingCapacity: true) }
            $0[key] = value
        }
    }
}
