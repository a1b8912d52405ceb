/// A field whose value was redacted (or whose name is sensitive), so that its text must not
/// survive in a message formatted from a template.
public struct SensitiveField: Sendable, Hashable {
    /// The attribute key, as used in the template (`password` for `{password}`).
    public var name: String
    /// The rule that fired, used in the replacement (`[REDACTED:<rule>]`).
    public var rule: String
    /// The original secret text(s): the attribute's value, or the values under sensitive keys
    /// inside it. Only used to find them in the message when the template cannot be aligned
    /// with it; never reported, never stored.
    public var values: [String]

    public init(name: String, rule: String, values: [String] = []) {
        self.name = name
        self.rule = rule
        self.values = values
    }
}

/// A Python `str.format` / Logfire message template, parsed into literal text and fields.
/// `{{` / `}}` are literal braces; a field is `{name}`, `{name!r}`, `{name:fmt}`, `{name=}`,
/// `{obj.attr}`, `{obj[0]}` (nested braces in a format spec are skipped).
struct MessageTemplate {
    /// `literals.count == groups.count + 1`; groups[k] sits between literals[k] and literals[k+1].
    /// A group is one or more fields with no literal text between them.
    var literals: [[UInt8]]
    var groups: [[String]]

    init?(_ t: Bytes) {
        var literals: [[UInt8]] = []
        var groups: [[String]] = []
        var lit: [UInt8] = []
        var pendingGroup: [String] = []
        let n = t.count
        var i = 0
        while i < n {
            let b = t[i]
            if b == UInt8(ascii: "{"), !(i + 1 < n && t[i + 1] == UInt8(ascii: "{")) {
                guard let f = MessageTemplate.field(t, at: i) else { return nil }
                if pendingGroup.isEmpty {
                    literals.append(lit)
                    lit = []
                }
                pendingGroup.append(String(decoding: Bytes(rebasing: t[f.name]), as: UTF8.self))
                i = f.end
                continue
            }
            // Literal text ends the current group of adjacent fields.
            if !pendingGroup.isEmpty {
                groups.append(pendingGroup)
                pendingGroup = []
            }
            lit.append(b)
            let doubled = (b == UInt8(ascii: "{") || b == UInt8(ascii: "}")) && i + 1 < n && t[i + 1] == b
            i += doubled ? 2 : 1
        }
        if !pendingGroup.isEmpty { groups.append(pendingGroup) }
        literals.append(lit)
        guard literals.count == groups.count + 1 else { return nil }
        self.literals = literals
        self.groups = groups
    }

    /// Calls `body` with each field name (trimmed, without conversion/format spec) until it
    /// returns true; returns whether it did. Allocation-free: used to skip templates whose fields
    /// are all harmless, which is nearly all of them.
    static func anyField(_ t: Bytes, _ body: (Bytes) -> Bool) -> Bool {
        let n = t.count
        var i = 0
        while i < n {
            if t[i] != UInt8(ascii: "{") {
                i += 1
                continue
            }
            if i + 1 < n, t[i + 1] == UInt8(ascii: "{") {
                i += 2
                continue
            }
            guard let f = field(t, at: i) else { return false }
            if body(Bytes(rebasing: t[f.name])) { return true }
            i = f.end
        }
        return false
    }

    /// The replacement field opening at `i` (a `{` that is not `{{`): the range of its name
    /// (trimmed, without `!conversion`, `:format` or a trailing `=`) and the index after its `}`.
    /// Nil when the braces do not balance.
    static func field(_ t: Bytes, at i: Int) -> (name: Range<Int>, end: Int)? {
        let n = t.count
        var j = i + 1
        var depth = 1
        var nameEnd = -1
        while j < n, depth > 0 {
            let c = t[j]
            if c == UInt8(ascii: "{") { depth += 1 } else if c == UInt8(ascii: "}") { depth -= 1 }
            if depth == 1, nameEnd < 0, c == UInt8(ascii: "!") || c == UInt8(ascii: ":") { nameEnd = j }
            j += 1
        }
        guard depth == 0 else { return nil }
        if nameEnd < 0 { nameEnd = j - 1 }
        var a = i + 1, z = nameEnd
        while a < z, ASCII.isSpace(t[a]) { a += 1 }
        while z > a, ASCII.isSpace(t[z - 1]) || t[z - 1] == UInt8(ascii: "=") { z -= 1 }
        return (a ..< z, j)
    }

    /// For each group, the widest span of `m` it can cover in ANY alignment of the literals with
    /// the message (earliest possible start to latest possible end), or nil when the literals do
    /// not align at all. Leftmost matching gives every literal its earliest position and
    /// rightmost matching its latest, so the union of all alignments is bounded by the two.
    func spans(in m: Bytes) -> [Range<Int>]? {
        let g = groups.count
        guard g > 0 else { return [] }
        let first = literals[0], last = literals[g]
        guard m.count >= first.count + last.count else { return nil }
        let lo = first.count, hi = m.count - last.count
        let prefixOK = first.withUnsafeBufferPointer { f in (0 ..< f.count).allSatisfy { m[$0] == f[$0] } }
        let suffixOK = last.withUnsafeBufferPointer { l in (0 ..< l.count).allSatisfy { m[hi + $0] == l[$0] } }
        guard prefixOK, suffixOK else { return nil }
        // Forward (earliest) end of literal k, k = 0..<g.
        var fwdEnd = [Int](repeating: 0, count: g)
        fwdEnd[0] = lo
        var pos = lo
        for k in 1 ..< g {
            let found = literals[k].withUnsafeBufferPointer { m.firstIndex(of: $0, from: pos, to: hi) }
            guard let s = found else { return nil }
            pos = s + literals[k].count
            fwdEnd[k] = pos
        }
        // Backward (latest) start of literal k, k = 1...g.
        var bwdStart = [Int](repeating: 0, count: g + 1)
        bwdStart[g] = hi
        pos = hi
        var k = g - 1
        while k >= 1 {
            let found = literals[k].withUnsafeBufferPointer { m.lastIndex(of: $0, from: lo, to: pos) }
            guard let s = found else { return nil }
            bwdStart[k] = s
            pos = s
            k -= 1
        }
        return (0 ..< g).map { idx in
            let a = fwdEnd[idx], b = bwdStart[idx + 1]
            return a < b ? a ..< b : a ..< a
        }
    }
}
