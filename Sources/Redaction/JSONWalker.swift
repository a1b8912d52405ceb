/// Walks a JSON document in place and produces byte edits, so the output keeps the input's exact
/// formatting (key order, spacing, number spelling) and is valid JSON whenever the input was:
///
/// * a member whose key trips a key rule has its value replaced by the JSON string
///   `"[REDACTED:<rule>]"` (strings, numbers, objects and arrays; `true`/`false`/`null` and
///   values that already are placeholders are left alone);
/// * every other string leaf goes through `Engine.redactString` (detectors; JSON nested inside the
///   string is walked too) and is re-encoded when it changes.
struct JSONWalker {
    let p: Bytes
    let engine: Engine
    let depth: Int
    var i = 0
    var edits: [Edit] = []
    private var segments: [Segment] = []

    enum Segment {
        case key(start: Int, end: Int, escaped: Bool)
        case index(Int)
    }

    enum Kind { case string, number, literal, object, array }

    init(p: Bytes, engine: Engine, depth: Int) {
        self.p = p
        self.engine = engine
        self.depth = depth
    }

    /// False when the bytes are not one JSON document (edits are then meaningless).
    mutating func run(rulesActive: Bool, sink: inout Sink) -> Bool {
        skipWS()
        guard value(active: rulesActive, level: 0, sink: &sink) else { return false }
        skipWS()
        return i == p.count
    }

    // MARK: - Paths

    private func relPath() -> String {
        var s = ""
        for seg in segments {
            switch seg {
            case let .key(a, b, escaped):
                s += "."
                let raw = Bytes(rebasing: p[a ..< b])
                s += escaped ? String(decoding: JSONWalker.unescape(raw), as: UTF8.self) : String(decoding: raw, as: UTF8.self)
            case let .index(k):
                s += "[\(k)]"
            }
        }
        return s
    }

    // MARK: - Grammar

    @inline(__always) private mutating func skipWS() {
        while i < p.count, ASCII.isSpace(p[i]) { i += 1 }
    }

    private mutating func value(active: Bool, level: Int, sink: inout Sink) -> Bool {
        guard i < p.count, level < Engine.maxJSONNesting else { return false }
        switch p[i] {
        case UInt8(ascii: "{"): return object(active: active, level: level, sink: &sink)
        case UInt8(ascii: "["): return array(active: active, level: level, sink: &sink)
        case UInt8(ascii: "\""):
            guard let s = string() else { return false }
            leaf(s, active: active, sink: &sink)
            return true
        default:
            return scalar() != nil
        }
    }

    /// A string leaf that is not under a sensitive key.
    private mutating func leaf(_ s: (start: Int, end: Int, escaped: Bool), active: Bool, sink: inout Sink) {
        let contentRange = (s.start + 1) ..< (s.end - 1)
        if contentRange.count < 5, engine.customValues.isEmpty { return }
        var sub = Sink()
        let out: [UInt8]?
        if s.escaped {
            let decoded = JSONWalker.unescape(Bytes(rebasing: p[contentRange]))
            out = decoded.withUnsafeBufferPointer {
                engine.redactString($0, rulesActive: active, depth: depth + 1, sink: &sub)
            }
        } else {
            out = engine.redactString(Bytes(rebasing: p[contentRange]), rulesActive: active, depth: depth + 1, sink: &sub)
        }
        if let out {
            edits.append(Edit(start: s.start, end: s.end, replacement: jsonStringLiteral(out)))
        }
        if !sub.records.isEmpty || sub.keyRule != nil { sink.merge(sub, prefix: relPath()) }
    }

    private mutating func object(active: Bool, level: Int, sink: inout Sink) -> Bool {
        i += 1
        skipWS()
        if i < p.count, p[i] == UInt8(ascii: "}") { i += 1; return true }
        while true {
            guard i < p.count, p[i] == UInt8(ascii: "\""), let k = string() else { return false }
            skipWS()
            guard i < p.count, p[i] == UInt8(ascii: ":") else { return false }
            i += 1
            skipWS()
            let keyRange = (k.start + 1) ..< (k.end - 1)
            var childActive = active
            var rule: RuleRef? = nil
            if active {
                let verdict = k.escaped
                    ? JSONWalker.unescape(Bytes(rebasing: p[keyRange])).withUnsafeBufferPointer { keyVerdict($0) }
                    : keyVerdict(Bytes(rebasing: p[keyRange]))
                childActive = !verdict.allowed
                rule = verdict.rule
            }
            segments.append(.key(start: keyRange.lowerBound, end: keyRange.upperBound, escaped: k.escaped))
            if let rule {
                guard sensitiveValue(rule, level: level + 1, sink: &sink) else { return false }
            } else {
                guard value(active: childActive, level: level + 1, sink: &sink) else { return false }
            }
            segments.removeLast()
            skipWS()
            guard i < p.count else { return false }
            if p[i] == UInt8(ascii: ",") {
                i += 1
                skipWS()
                continue
            }
            if p[i] == UInt8(ascii: "}") { i += 1; return true }
            return false
        }
    }

    private mutating func array(active: Bool, level: Int, sink: inout Sink) -> Bool {
        i += 1
        skipWS()
        if i < p.count, p[i] == UInt8(ascii: "]") { i += 1; return true }
        var index = 0
        while true {
            segments.append(.index(index))
            guard value(active: active, level: level + 1, sink: &sink) else { return false }
            segments.removeLast()
            index += 1
            skipWS()
            guard i < p.count else { return false }
            if p[i] == UInt8(ascii: ",") {
                i += 1
                skipWS()
                continue
            }
            if p[i] == UInt8(ascii: "]") { i += 1; return true }
            return false
        }
    }

    @inline(__always)
    private func keyVerdict(_ key: Bytes) -> (allowed: Bool, rule: RuleRef?) {
        if engine.isAllowed(key) { return (true, nil) }
        return (false, engine.keyRuleIgnoringAllowList(key))
    }

    /// The value of a member whose key tripped `rule`: validated, then replaced wholesale.
    private mutating func sensitiveValue(_ rule: RuleRef, level: Int, sink: inout Sink) -> Bool {
        let start = i
        guard let kind = skipValue(level: level) else { return false }
        let end = i
        var secret: [UInt8]? = nil
        switch kind {
        case .literal:
            return true
        case .string:
            let content = Bytes(rebasing: p[(start + 1) ..< (end - 1)])
            let decoded = JSONWalker.unescape(content)
            if decoded.withUnsafeBufferPointer({ isPlaceholder($0) }) { return true }
            secret = decoded
        case .number:
            secret = Array(Bytes(rebasing: p[start ..< end]))
        case .object, .array:
            break
        }
        edits.append(Edit(start: start, end: end, replacement: jsonStringLiteral(placeholderBytes(engine.name(rule)))))
        sink.records.append(.init(rel: relPath(), rule: rule, kind: .key))
        if let secret, !secret.isEmpty { sink.secrets.append(String(decoding: secret, as: UTF8.self)) }
        if sink.keyRule == nil { sink.keyRule = rule }
        return true
    }

    /// Validates one value without producing edits.
    private mutating func skipValue(level: Int) -> Kind? {
        guard i < p.count, level < Engine.maxJSONNesting else { return nil }
        switch p[i] {
        case UInt8(ascii: "\""):
            return string() == nil ? nil : .string
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let open = p[i]
            let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            i += 1
            skipWS()
            if i < p.count, p[i] == close { i += 1; return open == UInt8(ascii: "{") ? .object : .array }
            while true {
                if open == UInt8(ascii: "{") {
                    guard i < p.count, p[i] == UInt8(ascii: "\""), string() != nil else { return nil }
                    skipWS()
                    guard i < p.count, p[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    skipWS()
                }
                guard skipValue(level: level + 1) != nil else { return nil }
                skipWS()
                guard i < p.count else { return nil }
                if p[i] == UInt8(ascii: ",") {
                    i += 1
                    skipWS()
                    continue
                }
                if p[i] == close { i += 1; return open == UInt8(ascii: "{") ? .object : .array }
                return nil
            }
        default:
            return scalar()
        }
    }

    /// A string literal at `i`: its range including quotes, and whether it has escapes.
    private mutating func string() -> (start: Int, end: Int, escaped: Bool)? {
        let start = i
        var j = i + 1
        var escaped = false
        let n = p.count
        while j < n {
            let b = p[j]
            if b == UInt8(ascii: "\"") {
                i = j + 1
                return (start, j + 1, escaped)
            }
            if b == UInt8(ascii: "\\") {
                escaped = true
                j += 2
                continue
            }
            if b < 0x20 { return nil }
            j += 1
        }
        return nil
    }

    /// A number, `true`, `false` or `null` at `i`.
    private mutating func scalar() -> Kind? {
        if p.has("true", at: i) { i += 4; return .literal }
        if p.has("false", at: i) { i += 5; return .literal }
        if p.has("null", at: i) { i += 4; return .literal }
        let start = i
        while i < p.count {
            let b = p[i]
            if ASCII.isDigit(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".")
                || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                i += 1
            } else {
                break
            }
        }
        return i > start ? .number : nil
    }

    /// Decodes the content of a JSON string literal (without its quotes) to UTF-8.
    static func unescape(_ s: Bytes) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        let n = s.count
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= n else { return nil }
            var v: UInt32 = 0
            for k in 0 ..< 4 {
                let c = s[at + k]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0") ... UInt8(ascii: "9"): d = UInt32(c - 48)
                case UInt8(ascii: "a") ... UInt8(ascii: "f"): d = UInt32(c - 87)
                case UInt8(ascii: "A") ... UInt8(ascii: "F"): d = UInt32(c - 55)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }
        while i < n {
            let b = s[i]
            guard b == UInt8(ascii: "\\"), i + 1 < n else {
                out.append(b)
                i += 1
                continue
            }
            let e = s[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard var cp = hex4(i) else { out.append(contentsOf: [UInt8(ascii: "\\"), e]); continue }
                i += 4
                if cp >= 0xD800, cp < 0xDC00, i + 6 <= n, s[i] == UInt8(ascii: "\\"), s[i + 1] == UInt8(ascii: "u"),
                   let lo = hex4(i + 2), lo >= 0xDC00, lo < 0xE000 {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    i += 6
                }
                let scalar = Unicode.Scalar(cp) ?? "\u{FFFD}"
                out.append(contentsOf: String(Character(scalar)).utf8)
            default: out.append(e) // \" \\ \/ and anything lenient
            }
        }
        return out
    }
}
