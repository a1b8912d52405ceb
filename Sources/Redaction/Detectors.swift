/// The built-in value detectors. They match secret SHAPES, never words: a value such as
/// `"secret-egress"` or `"password reset requested"` is not touched by them.
///
/// All of them are hand-written byte matchers, tried only at positions whose first byte can
/// start the shape (`A` for `AKIA…`, `e` for `eyJ…`, a digit for card numbers, …), so a string
/// without any candidate costs one pass over its bytes and no allocation.
enum ValueDetector: Int, CaseIterable, Sendable {
    case awsAccessKey, privateKey, jwt, bearer, githubToken, slackToken, llmAPIKey, stripeKey
    case googleAPIKey, logfireToken, creditCard, ssn, urlPassword, assignment

    var name: String {
        switch self {
        case .awsAccessKey: "aws_access_key"
        case .privateKey: "private_key"
        case .jwt: "jwt"
        case .bearer: "bearer"
        case .githubToken: "github_token"
        case .slackToken: "slack_token"
        case .llmAPIKey: "llm_api_key"
        case .stripeKey: "stripe_key"
        case .googleAPIKey: "google_api_key"
        case .logfireToken: "logfire_token"
        case .creditCard: "credit_card"
        case .ssn: "ssn"
        case .urlPassword: "url_password"
        case .assignment: "assignment"
        }
    }

    @inline(__always) var bit: UInt64 { 1 << UInt64(rawValue) }
    static let allBits: UInt64 = allCases.reduce(0) { $0 | $1.bit }
}

/// Which rule produced a hit (resolved to its name only when a redaction is reported).
enum RuleRef: Equatable, Sendable {
    case key(KeyRule)
    case detector(ValueDetector)
    case customKey(Int)
    case customValue(Int)
}

struct Hit {
    var start: Int
    var end: Int
    var rule: RuleRef
    var kind: RedactionKind
}

/// Stateless shape matchers. Each returns the end of the match (exclusive) or -1.
enum Shapes {
    @inline(__always) static func isTokenChar(_ b: UInt8) -> Bool {
        ASCII.isAlnum(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_")
            || b == UInt8(ascii: "~") || b == UInt8(ascii: "+") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
    }

    /// `AKIA`/`ASIA` + 16 × [A-Z0-9], not inside a longer alphanumeric run.
    static func awsAccessKey(_ p: Bytes, _ i: Int) -> Int {
        let n = p.count
        guard i + 20 <= n, p[i + 2] == UInt8(ascii: "I"), p[i + 3] == UInt8(ascii: "A"),
              p[i + 1] == UInt8(ascii: "K") || p[i + 1] == UInt8(ascii: "S") else { return -1 }
        if i > 0, ASCII.isAlnum(p[i - 1]) { return -1 }
        var k = i + 4
        while k < i + 20 {
            let b = p[k]
            if !(ASCII.isUpper(b) || ASCII.isDigit(b)) { return -1 }
            k += 1
        }
        if k < n, ASCII.isAlnum(p[k]) { return -1 }
        return k
    }

    /// Google API key: `AIza` + 35 × base64url.
    static func googleAPIKey(_ p: Bytes, _ i: Int) -> Int {
        let n = p.count
        guard i + 39 <= n, p.has("AIza", at: i) else { return -1 }
        if i > 0, ASCII.isBase64URL(p[i - 1]) { return -1 }
        var k = i + 4
        while k < i + 39 {
            if !ASCII.isBase64URL(p[k]) { return -1 }
            k += 1
        }
        if k < n, ASCII.isBase64URL(p[k]) { return -1 }
        return k
    }

    /// JWT (and JWE): `eyJ…` `.` segment `.` segment (signature may be empty; further segments
    /// are absorbed).
    static func jwt(_ p: Bytes, _ i: Int) -> Int {
        let n = p.count
        guard p.has("eyJ", at: i) else { return -1 }
        if i > 0, ASCII.isBase64URL(p[i - 1]) || p[i - 1] == UInt8(ascii: ".") { return -1 }
        var j = i + 3
        while j < n, ASCII.isBase64URL(p[j]) { j += 1 }
        guard j - i >= 10, j < n, p[j] == UInt8(ascii: ".") else { return -1 }
        let s2 = j + 1
        j = s2
        while j < n, ASCII.isBase64URL(p[j]) { j += 1 }
        guard j - s2 >= 2, j < n, p[j] == UInt8(ascii: ".") else { return -1 }
        j += 1
        while j < n, ASCII.isBase64URL(p[j]) { j += 1 }
        while j + 1 < n, p[j] == UInt8(ascii: "."), ASCII.isBase64URL(p[j + 1]) {
            j += 1
            while j < n, ASCII.isBase64URL(p[j]) { j += 1 }
        }
        return j
    }

    /// `Bearer <token>` (any case). Returns the token range: the word `Bearer` stays readable.
    /// A token needs ≥ 8 characters and a digit, or ≥ 20 characters, so prose such as
    /// "Bearer authentication" is not a hit.
    static func bearer(_ p: Bytes, _ i: Int) -> (start: Int, end: Int)? {
        let n = p.count
        guard p.hasLowercased("bearer", at: i) else { return nil }
        if i > 0, ASCII.isAlpha(p[i - 1]) { return nil }
        var j = i + 6
        while j < n, p[j] == 0x20 || p[j] == 0x09 { j += 1 }
        guard j > i + 6 else { return nil }
        let t = j
        var digit = false
        while j < n, isTokenChar(p[j]) {
            if ASCII.isDigit(p[j]) { digit = true }
            j += 1
        }
        let len = j - t
        guard len >= 8, digit || len >= 20 else { return nil }
        return (t, j)
    }

    @inline(__always) static func leftClear(_ p: Bytes, _ i: Int) -> Bool {
        i == 0 || !(ASCII.isAlnum(p[i - 1]) || p[i - 1] == UInt8(ascii: "_"))
    }

    /// GitHub: `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` + ≥ 20 alphanumerics, `github_pat_` + ≥ 20 × [A-Za-z0-9_].
    static func github(_ p: Bytes, _ i: Int) -> Int {
        let n = p.count
        guard leftClear(p, i) else { return -1 }
        if i + 4 <= n, p[i + 1] == UInt8(ascii: "h"), p[i + 3] == UInt8(ascii: "_") {
            switch p[i + 2] {
            case UInt8(ascii: "p"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "s"), UInt8(ascii: "r"):
                var j = i + 4
                while j < n, ASCII.isAlnum(p[j]) { j += 1 }
                return j - (i + 4) >= 20 ? j : -1
            default:
                return -1
            }
        }
        if p.has("github_pat_", at: i) {
            var j = i + 11
            while j < n, ASCII.isAlnum(p[j]) || p[j] == UInt8(ascii: "_") { j += 1 }
            return j - (i + 11) >= 20 ? j : -1
        }
        return -1
    }

    /// Slack: `xoxb-`/`xoxp-`/`xoxa-`/`xoxr-`/`xoxs-`/`xoxe-`/`xapp-` + ≥ 10 × [A-Za-z0-9-].
    static func slack(_ p: Bytes, _ i: Int) -> Int {
        let n = p.count
        guard leftClear(p, i), i + 5 <= n else { return -1 }
        var start = -1
        if p.has("xox", at: i), p[i + 4] == UInt8(ascii: "-") {
            switch p[i + 3] {
            case UInt8(ascii: "b"), UInt8(ascii: "p"), UInt8(ascii: "a"), UInt8(ascii: "r"),
                 UInt8(ascii: "s"), UInt8(ascii: "e"):
                start = i + 5
            default: return -1
            }
        } else if p.has("xapp-", at: i) {
            start = i + 5
        } else {
            return -1
        }
        var j = start
        while j < n, ASCII.isAlnum(p[j]) || p[j] == UInt8(ascii: "-") { j += 1 }
        return j - start >= 10 ? j : -1
    }

    /// OpenAI/Anthropic-style `sk-…` (`sk-proj-…`, `sk-ant-api03-…`, `sk-live-123`): `sk-` + ≥ 6 ×
    /// [A-Za-z0-9_-] containing a digit, not preceded by [A-Za-z0-9_-] (so `task-force1234` is safe).
    static func llmAPIKey(_ p: Bytes, _ i: Int) -> Int {
        let n = p.count
        guard p.has("sk-", at: i) else { return -1 }
        if i > 0, ASCII.isBase64URL(p[i - 1]) { return -1 }
        var j = i + 3
        var digit = false
        while j < n, ASCII.isBase64URL(p[j]) {
            if ASCII.isDigit(p[j]) { digit = true }
            j += 1
        }
        return j - (i + 3) >= 6 && digit ? j : -1
    }

    /// Stripe secret and restricted keys: `sk_live_`, `sk_test_`, `rk_live_`, `rk_test_` + ≥ 10 alphanumerics.
    static func stripe(_ p: Bytes, _ i: Int) -> Int {
        let n = p.count
        guard leftClear(p, i), i + 8 <= n, p[i + 1] == UInt8(ascii: "k"), p[i + 2] == UInt8(ascii: "_"),
              p.has("live_", at: i + 3) || p.has("test_", at: i + 3) else { return -1 }
        var j = i + 8
        while j < n, ASCII.isAlnum(p[j]) { j += 1 }
        return j - (i + 8) >= 10 ? j : -1
    }

    /// Logfire write token: `pylf_v<digits>_` + ≥ 4 × [A-Za-z0-9_-].
    static func logfireToken(_ p: Bytes, _ i: Int) -> Int {
        let n = p.count
        guard leftClear(p, i), p.has("pylf_v", at: i) else { return -1 }
        var j = i + 6
        let d = j
        while j < n, ASCII.isDigit(p[j]) { j += 1 }
        guard j > d, j < n, p[j] == UInt8(ascii: "_") else { return -1 }
        j += 1
        let b = j
        while j < n, ASCII.isBase64URL(p[j]) { j += 1 }
        return j - b >= 4 ? j : -1
    }

    /// PEM private key block, `-----BEGIN <…>PRIVATE KEY<…>-----` through the matching
    /// `-----END …-----`. A block cut short (no END, e.g. truncated by an SDK) is redacted to the
    /// end of the value, or to the first `"` (so raw JSON text stays valid).
    static func pem(_ p: Bytes, _ i: Int) -> Int {
        let n = p.count
        guard p.has("-----BEGIN ", at: i) else { return -1 }
        var j = i + 11
        var sawPrivateKey = false
        while j < n, ASCII.isUpper(p[j]) || ASCII.isDigit(p[j]) || p[j] == 0x20 {
            if p[j] == UInt8(ascii: "P"), p.has("PRIVATE KEY", at: j) { sawPrivateKey = true }
            j += 1
        }
        guard sawPrivateKey, p.has("-----", at: j) else { return -1 }
        j += 5
        while j < n {
            let b = p[j]
            if b == UInt8(ascii: "\"") { return j }
            if b == UInt8(ascii: "-"), p.has("-----END ", at: j) {
                var k = j + 9
                while k < n, ASCII.isUpper(p[k]) || ASCII.isDigit(p[k]) || p[k] == 0x20 { k += 1 }
                return p.has("-----", at: k) ? k + 5 : k
            }
            j += 1
        }
        return n
    }

    /// Luhn checksum over the digits of `p[start..<end]` (separators skipped).
    static func luhn(_ p: Bytes, _ start: Int, _ end: Int) -> Bool {
        var sum = 0
        var double = false
        var k = end - 1
        while k >= start {
            let b = p[k]
            if ASCII.isDigit(b) {
                var d = Int(b &- 48)
                if double {
                    d *= 2
                    if d > 9 { d -= 9 }
                }
                sum += d
                double.toggle()
            }
            k -= 1
        }
        return sum % 10 == 0
    }

    /// Issuer prefix and length plausible for a payment card (Visa, Mastercard, Amex, Discover,
    /// Diners, JCB, UnionPay, Maestro). Rejects e.g. nanosecond timestamps (`17…`) even when
    /// they happen to pass Luhn.
    static func plausibleCard(_ digits: [Int]) -> Bool {
        let len = digits.count
        guard len >= 13, len <= 19 else { return false }
        let d1 = digits[0], d2 = digits[0] * 10 + digits[1]
        let d3 = d2 * 10 + digits[2], d4 = d3 * 10 + digits[3]
        switch d1 {
        case 4: return len == 13 || len == 16 || len == 19
        case 2: return len == 16 && d4 >= 2221 && d4 <= 2720
        case 5:
            if d2 >= 51 && d2 <= 55 { return len == 16 }
            return d2 == 50 || d2 >= 56 // Maestro
        case 3:
            if d2 == 34 || d2 == 37 { return len == 15 }
            if (d3 >= 300 && d3 <= 305) || d2 == 36 || d2 == 38 || d2 == 39 { return len >= 14 }
            if d4 >= 3528 && d4 <= 3589 { return len >= 16 }
            return false
        case 6: return true // Discover, UnionPay, Maestro: 13–19 all occur
        default: return false
        }
    }

    /// A run of digits starting at `i` (groups separated by single spaces or dashes). Returns where
    /// the run ends and, if the run is a valid-looking card number or SSN, which one.
    static func digitRun(_ p: Bytes, _ i: Int, cards: Bool, ssns: Bool) -> (end: Int, hit: ValueDetector?) {
        let n = p.count
        // Left boundary: not glued to a word, a decimal or a dashed number.
        if i > 0 {
            let b = p[i - 1]
            var bad = ASCII.isWord(b)
            if !bad, b == UInt8(ascii: ".") || b == UInt8(ascii: "-") {
                bad = i > 1 && ASCII.isAlnum(p[i - 2])
            }
            if bad {
                var j = i
                while j < n, ASCII.isAlnum(p[j]) { j += 1 }
                return (j, nil)
            }
        }
        var j = i
        var digits = 0
        var groups = 0
        var firstLen = 0, minOther = Int.max, maxOther = 0
        var lens: (Int, Int, Int) = (0, 0, 0)
        var sep: UInt8 = 0
        var mixed = false
        while true {
            let g = j
            while j < n, ASCII.isDigit(p[j]) { j += 1 }
            let len = j - g
            digits += len
            groups += 1
            if groups == 1 { firstLen = len } else {
                minOther = Swift.min(minOther, len)
                maxOther = Swift.max(maxOther, len)
            }
            switch groups {
            case 1: lens.0 = len
            case 2: lens.1 = len
            case 3: lens.2 = len
            default: break
            }
            if j + 1 < n, p[j] == 0x20 || p[j] == UInt8(ascii: "-"), ASCII.isDigit(p[j + 1]) {
                if sep == 0 { sep = p[j] } else if sep != p[j] { mixed = true }
                j += 1
                continue
            }
            break
        }
        let end = j
        // Right boundary.
        if end < n {
            let b = p[end]
            if ASCII.isWord(b) {
                var k = end
                while k < n, ASCII.isAlnum(p[k]) { k += 1 }
                return (k, nil)
            }
            if b == UInt8(ascii: ".") || b == UInt8(ascii: "-"), end + 1 < n, ASCII.isAlnum(p[end + 1]) {
                return (end, nil)
            }
        }
        if ssns, groups == 3, sep == UInt8(ascii: "-"), !mixed, lens == (3, 2, 4) {
            let area = Int(p[i] &- 48) * 100 + Int(p[i + 1] &- 48) * 10 + Int(p[i + 2] &- 48)
            let group = Int(p[i + 4] &- 48) * 10 + Int(p[i + 5] &- 48)
            var serial = 0
            for k in 0 ..< 4 { serial = serial * 10 + Int(p[i + 7 + k] &- 48) }
            if area != 0, area != 666, area < 900, group != 0, serial != 0 { return (end, .ssn) }
            return (end, nil)
        }
        guard cards, digits >= 13, digits <= 19, !mixed else { return (end, nil) }
        if groups > 1, firstLen != 4 || minOther < 3 || maxOther > 6 { return (end, nil) }
        var ds: [Int] = []
        ds.reserveCapacity(digits)
        var k = i
        while k < end {
            if ASCII.isDigit(p[k]) { ds.append(Int(p[k] &- 48)) }
            k += 1
        }
        guard plausibleCard(ds), luhn(p, i, end) else { return (end, nil) }
        return (end, .creditCard)
    }

    /// `scheme://user:password@host`: returns the password range.
    static func urlPassword(_ p: Bytes, _ i: Int) -> (start: Int, end: Int)? {
        let n = p.count
        guard p.has("://", at: i), i > 0, ASCII.isAlpha(p[i - 1]) else { return nil }
        var j = i + 3
        var colon = -1
        while j < n {
            let b = p[j]
            if b == UInt8(ascii: "@") { break }
            if b == UInt8(ascii: "/") || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") || ASCII.isSpace(b)
                || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">")
                || b == UInt8(ascii: "\\") { return nil }
            if b == UInt8(ascii: ":"), colon < 0 { colon = j }
            j += 1
        }
        guard j < n, colon >= 0, colon + 1 < j, !startsPlaceholder(p, at: colon + 1) else { return nil }
        return (colon + 1, j)
    }

    @inline(__always) static func isIdentChar(_ b: UInt8) -> Bool {
        ASCII.isAlnum(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
    }

    @inline(__always) static func isQuote(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "\"") || b == UInt8(ascii: "'")
    }

    /// The identifier right before `=` at `i` (`api_key=…`, `Cookie: session=…`, and with
    /// spaces, `password = '…'`), if any. `spaced` tells whether spaces precede the `=`; such an
    /// assignment only counts with a quoted value, so prose like "password = reset" is safe.
    static func bareAssignmentKey(_ p: Bytes, _ i: Int) -> (start: Int, end: Int, spaced: Bool)? {
        guard i + 1 < p.count, p[i + 1] != UInt8(ascii: "="), i > 0,
              p[i - 1] != UInt8(ascii: "!"), p[i - 1] != UInt8(ascii: "<"), p[i - 1] != UInt8(ascii: ">"),
              p[i - 1] != UInt8(ascii: "=") else { return nil }
        var end = i
        while end > 0, p[end - 1] == 0x20, i - end < 3 { end -= 1 }
        var k = end
        var letter = false
        while k > 0, isIdentChar(p[k - 1]), end - k < 64 {
            if ASCII.isAlpha(p[k - 1]) { letter = true }
            k -= 1
        }
        guard end - k >= 3, letter else { return nil }
        return (k, end, end < i)
    }

    /// The quoted key right before `:`/`=` at `i` (`"password": …`, `'api_key': …`), if any.
    static func quotedAssignmentKey(_ p: Bytes, _ i: Int) -> (start: Int, end: Int)? {
        var k = i - 1
        while k >= 0, p[k] == 0x20, i - k <= 3 { k -= 1 }
        guard k >= 1, isQuote(p[k]) else { return nil }
        let q = p[k]
        var s = k - 1
        while s >= 0, p[s] != q, isIdentChar(p[s]) || p[s] == 0x20, k - s <= 64 { s -= 1 }
        guard s >= 0, p[s] == q, k - s > 1 else { return nil }
        return (s + 1, k)
    }

    /// The value after `=` or `:` at `i`: quoted (`"…"`, `'…'`, escapes honoured) or, when
    /// `allowBare`, a run up to whitespace or `& ; , " ' < > ) ] } \`.
    static func assignmentValue(_ p: Bytes, _ i: Int, allowBare: Bool) -> (start: Int, end: Int)? {
        let n = p.count
        var v = i + 1
        while v < n, p[v] == 0x20, v - i <= 3 { v += 1 }
        guard v < n else { return nil }
        if isQuote(p[v]) {
            let q = p[v]
            var e = v + 1
            while e < n, p[e] != q {
                if p[e] == UInt8(ascii: "\\") { e += 1 }
                e += 1
            }
            e = Swift.min(e, n)
            guard e > v + 1, !startsPlaceholder(p, at: v + 1) else { return nil }
            return (v + 1, e)
        }
        guard allowBare, v == i + 1 else { return nil }
        var e = v
        while e < n {
            let b = p[e]
            if ASCII.isSpace(b) || b == UInt8(ascii: "&") || b == UInt8(ascii: ";") || b == UInt8(ascii: ",")
                || isQuote(b) || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: ")")
                || b == UInt8(ascii: "]") || b == UInt8(ascii: "}") || b == UInt8(ascii: "\\") { break }
            e += 1
        }
        guard e > v, !startsPlaceholder(p, at: v) else { return nil }
        return (v, e)
    }
}
