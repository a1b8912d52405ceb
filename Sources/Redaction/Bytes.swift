// Byte-level helpers shared by the key scanner, the value detectors and the JSON walker.
// Everything in this module works on UTF-8 bytes; every cut point it makes is at an ASCII byte,
// so the output is always valid UTF-8 when the input was.

typealias Bytes = UnsafeBufferPointer<UInt8>

extension UnsafeBufferPointer where Element == UInt8 {
    init(_ raw: UnsafeRawBufferPointer) {
        self.init(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count)
    }
}

enum ASCII {
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { (b &- 65) < 26 ? b | 0x20 : b }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { (b &- 48) < 10 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { (b &- 65) < 26 }
    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { ((b | 0x20) &- 97) < 26 }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) }
    /// Python's `\w` on a `str`: letters, digits and `_`; any non-ASCII byte counts as a letter.
    @inline(__always) static func isWord(_ b: UInt8) -> Bool { isAlnum(b) || b == UInt8(ascii: "_") || b >= 0x80 }
    /// base64url alphabet (JWT segments, most API-token bodies).
    @inline(__always) static func isBase64URL(_ b: UInt8) -> Bool {
        isAlnum(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
    }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }
}

/// Runs `body` over the string's UTF-8 without copying when the storage is contiguous (always,
/// for native Swift strings, small ones included).
@inline(__always)
func withUTF8Bytes<R>(_ s: String, _ body: (Bytes) throws -> R) rethrows -> R {
    if let r = try s.utf8.withContiguousStorageIfAvailable(body) { return r }
    var copy = s
    return try copy.withUTF8(body)
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Case-insensitive (ASCII) comparison of the bytes at `i` with the lowercase literal `lit`.
    @inline(__always)
    func hasLowercased(_ lit: StaticString, at i: Int) -> Bool {
        let n = lit.utf8CodeUnitCount
        guard i >= 0, i + n <= count else { return false }
        let l = lit.utf8Start
        var k = 0
        while k < n {
            if ASCII.lower(self[i + k]) != l[k] { return false }
            k += 1
        }
        return true
    }

    /// Case-sensitive comparison of the bytes at `i` with `lit`.
    @inline(__always)
    func has(_ lit: StaticString, at i: Int) -> Bool {
        let n = lit.utf8CodeUnitCount
        guard i >= 0, i + n <= count else { return false }
        let l = lit.utf8Start
        var k = 0
        while k < n {
            if self[i + k] != l[k] { return false }
            k += 1
        }
        return true
    }

    /// First index `>= from` (and `< to`) where `needle` starts, or nil.
    func firstIndex(of needle: Bytes, from: Int, to: Int) -> Int? {
        let m = needle.count
        if m == 0 { return from <= to ? from : nil }
        guard to - from >= m else { return nil }
        let first = needle[0]
        var i = from
        let last = to - m
        while i <= last {
            if self[i] == first {
                var k = 1
                while k < m, self[i + k] == needle[k] { k += 1 }
                if k == m { return i }
            }
            i += 1
        }
        return nil
    }

    /// Last index `i` with `from <= i` and `i + needle.count <= to` where `needle` starts, or nil.
    func lastIndex(of needle: Bytes, from: Int, to: Int) -> Int? {
        let m = needle.count
        if m == 0 { return from <= to ? to : nil }
        guard to - from >= m else { return nil }
        var i = to - m
        while i >= from {
            var k = 0
            while k < m, self[i + k] == needle[k] { k += 1 }
            if k == m { return i }
            i -= 1
        }
        return nil
    }
}

/// Placeholder text: `[REDACTED:<rule>]`.
@inline(__always)
func placeholderBytes(_ rule: String) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(rule.utf8.count + 11)
    out.append(contentsOf: "[REDACTED:".utf8)
    out.append(contentsOf: rule.utf8)
    out.append(UInt8(ascii: "]"))
    return out
}

/// True when `p` (a whole value) is already a redaction placeholder: ours (`[REDACTED:…]`) or the
/// Logfire SDK's (`[Scrubbed due to '…']`). Such values are left alone and not reported again, which
/// makes redaction idempotent and keeps SDK-scrubbed attributes out of the audit trail.
func isPlaceholder(_ p: Bytes) -> Bool {
    guard p.count >= 12, p[p.count - 1] == UInt8(ascii: "]") else { return false }
    if p.has("[REDACTED:", at: 0) {
        // No nested brackets: "[REDACTED:x] and more [y]" is not a placeholder.
        var i = 10
        while i < p.count - 1 {
            let b = p[i]
            if b == UInt8(ascii: "]") || b == UInt8(ascii: "[") { return false }
            i += 1
        }
        return true
    }
    if p.has("[Scrubbed due to ", at: 0) {
        var i = 17
        while i < p.count - 1 {
            if p[i] == UInt8(ascii: "]") { return false }
            i += 1
        }
        return true
    }
    return false
}

/// True when the bytes starting at `i` begin a placeholder (used to avoid re-redacting one that
/// sits after `=` or inside quotes).
@inline(__always)
func startsPlaceholder(_ p: Bytes, at i: Int) -> Bool {
    p.has("[REDACTED:", at: i) || p.has("[Scrubbed due to ", at: i)
}

/// One replacement in a byte buffer; `edits` handed to `splice` are sorted and non-overlapping.
struct Edit {
    var start: Int
    var end: Int
    var replacement: [UInt8]
}

func splice(_ p: Bytes, _ edits: [Edit]) -> [UInt8] {
    var out: [UInt8] = []
    var extra = 0
    for e in edits { extra += e.replacement.count - (e.end - e.start) }
    out.reserveCapacity(Swift.max(0, p.count + extra))
    var cursor = 0
    for e in edits {
        if e.start > cursor { out.append(contentsOf: Bytes(rebasing: p[cursor ..< e.start])) }
        out.append(contentsOf: e.replacement)
        cursor = e.end
    }
    if cursor < p.count { out.append(contentsOf: Bytes(rebasing: p[cursor ..< p.count])) }
    return out
}

/// JSON string literal (with quotes) for `content`.
func jsonStringLiteral(_ content: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(content.count + 2)
    out.append(UInt8(ascii: "\""))
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    for b in content {
        switch b {
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(b)
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
        case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
        case 0 ..< 0x20:
            out.append(contentsOf: Array("\\u00".utf8))
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
        default: out.append(b)
        }
    }
    out.append(UInt8(ascii: "\""))
    return out
}

/// A three-byte prefilter: position `i` can start a pattern only if
/// `first[p[i]] & second[p[i+1]] & third[p[i+2]] != 0` (see `next(_:from:)`). Each pattern
/// family gets a bit, set in `first`/`second`/`third` for the bytes that can appear at that
/// offset (nil: any byte). Three table loads and one well-predicted branch per byte replace a
/// jump table that mispredicts on ordinary text, and the third byte rules out most common
/// letter pairs ("re", "se", "co", …). The tables are written in `init` and only read after.
final class PairFilter: @unchecked Sendable {
    typealias Family = (first: [UInt8], second: [UInt8]?, third: [UInt8]?)
    let first: UnsafeMutablePointer<UInt64>
    let second: UnsafeMutablePointer<UInt64>
    let third: UnsafeMutablePointer<UInt64>
    /// The bits of each group of families passed to `init(_:)`.
    let groupBits: [UInt64]

    convenience init(_ families: [Family]) { self.init(groups: [families]) }

    /// Several groups of families in one set of tables (at most 64 families in all);
    /// `groupBits[g]` tells which candidate bits belong to group `g`.
    init(groups: [[Family]]) {
        precondition(groups.reduce(0) { $0 + $1.count } <= 64)
        func table() -> UnsafeMutablePointer<UInt64> {
            let t = UnsafeMutablePointer<UInt64>.allocate(capacity: 256)
            t.initialize(repeating: 0, count: 256)
            return t
        }
        first = table()
        second = table()
        third = table()
        var bits: [UInt64] = []
        var k: UInt64 = 0
        for group in groups {
            var groupMask: UInt64 = 0
            for f in group {
                let bit = UInt64(1) << k
                k += 1
                groupMask |= bit
                PairFilter.add(f, bit, first, second, third)
            }
            bits.append(groupMask)
        }
        groupBits = bits
    }

    private static func add(
        _ f: Family, _ bit: UInt64,
        _ first: UnsafeMutablePointer<UInt64>, _ second: UnsafeMutablePointer<UInt64>, _ third: UnsafeMutablePointer<UInt64>
    ) {
        for b in f.first { first[Int(b)] |= bit }
        for (t, bytes) in [(second, f.second), (third, f.third)] {
            if let bytes {
                for b in bytes { t[Int(b)] |= bit }
            } else {
                for b in 0 ..< 256 { t[b] |= bit }
            }
        }
    }

    @inline(__always)
    func bits(_ p: Bytes, _ i: Int) -> UInt64 {
        first[Int(p[i])] & second[Int(p[i + 1])] & third[Int(p[i + 2])]
    }

    /// The first candidate position `>= i` (and `< p.count - 2`) with its family bits, or
    /// `(p.count, 0)`. The hot loop of every scan: three byte loads, three table loads, no
    /// overflow checks.
    @inline(__always)
    func next(_ p: Bytes, from i: Int) -> (index: Int, bits: UInt64) {
        let n = p.count
        guard n >= 3, let base = p.baseAddress else { return (n, 0) }
        let f = first, s = second, t = third
        let last = n &- 2
        var j = i
        while j < last {
            let m = f[Int(base[j])] & s[Int(base[j &+ 1])] & t[Int(base[j &+ 2])]
            if m != 0 { return (j, m) }
            j &+= 1
        }
        return (n, 0)
    }

    /// Both cases of ASCII letters.
    static func cases(_ s: String) -> [UInt8] {
        s.utf8.flatMap { b in ASCII.isAlpha(b) ? [b | 0x20, b & ~0x20] : [b] }
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Key-rule words, case-insensitive, by their first three letters; and JSON's `\u` escape.
    static let keyWords = PairFilter(keyWordFamilies)
    static let keyWordFamilies: [Family] = [
        (cases("p"), cases("a"), cases("s")), // password passwd passphrase
        (cases("p"), cases("r"), cases("i")), // private
        (cases("p"), cases("w"), cases("d")), // pwd
        (cases("m"), cases("y"), cases("s")), // mysql_pwd
        (cases("s"), cases("e"), cases("cs")), // secret security session
        (cases("s"), cases("o"), cases("c")), // social
        (cases("s"), cases("s"), cases("n")), // ssn
        (cases("a"), cases("u"), cases("t")), // auth
        (cases("a"), cases("p"), cases("i")), // api
        (cases("a"), cases("c"), cases("c")), // access
        (cases("c"), cases("r"), cases("e")), // credential credit
        (cases("c"), cases("o"), cases("o")), // cookie
        (cases("c"), cases("s"), cases("r")), // csrf
        (cases("l"), cases("o"), cases("g")), // logfire
        (cases("x"), cases("s"), cases("r")), // xsrf
        (cases("j"), cases("w"), cases("t")), // jwt
        (cases("r"), cases("e"), cases("f")), // refresh
        (cases("b"), cases("e"), cases("a")), // bearer
        (bytes("\\"), bytes("u"), nil), // a \u escape in JSON text could hide a key word
    ]

    /// Value-detector starts (case-sensitive except `bearer`).
    static let detectors = PairFilter(detectorFamilies)
    static let detectorFamilies: [Family] = [
        (bytes("A"), bytes("KS"), bytes("I")), // AKIA ASIA
        (bytes("A"), bytes("I"), bytes("z")), // AIza
        (bytes("e"), bytes("y"), bytes("J")), // eyJ
        (cases("b"), cases("e"), cases("a")), // Bearer
        (bytes("g"), bytes("h"), bytes("pousr")), // ghp_ gho_ ghu_ ghs_ ghr_
        (bytes("g"), bytes("i"), bytes("t")), // github_pat_
        (bytes("x"), bytes("o"), bytes("x")), // xox?-
        (bytes("x"), bytes("a"), bytes("p")), // xapp-
        (bytes("sr"), bytes("k"), bytes("-_")), // sk- sk_live_ rk_live_
        (bytes("p"), bytes("y"), bytes("l")), // pylf_
        (bytes("-"), bytes("-"), bytes("-")), // -----BEGIN
        (bytes("0123456789"), nil, nil), // card and SSN digit runs
        (bytes(":"), bytes("/"), bytes("/")), // scheme://user:password@
        (bytes(":="), nil, nil), // "key": value, key=value
    ]

    /// Detector starts (group 0) and key-rule words (group 1) in one pass.
    static let fused = PairFilter(groups: [detectorFamilies, keyWordFamilies])
}
