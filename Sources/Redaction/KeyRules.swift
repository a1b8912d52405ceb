/// The built-in key rules, matched case-insensitively anywhere inside an attribute key (or a key
/// inside a JSON-string value, or the key of a `key=value` / `"key": "value"` pair in text).
///
/// The first group mirrors Pydantic Logfire's scrubber `DEFAULT_PATTERNS`
/// (`logfire/_internal/scrubbing.py`):
///
///     password  passwd  mysql_pwd  secret  auth(?!ors?\b)  credential  private[._ -]?key
///     api[._ -]?key  session  cookie  social[._ -]?security  credit[._ -]?card
///     logfire[._ -]?token  (?:\b|_)csrf(?:\b|_)  …xsrf…  …jwt…  …ssn…
///
/// (Logfire's `pylf_v\d+_` is a value shape here: see `ValueDetector.logfireToken`.) The second
/// group is memoryd's own addition for credential keys Logfire lets through. A bare `token` is
/// deliberately NOT a rule: it would redact `llm.token_count.*`, `gen_ai.usage.input_tokens`, …
enum KeyRule: Int, CaseIterable, Sendable {
    // Logfire's defaults, in Logfire's order (which decides the name when two match at one place).
    case password, passwd, mysqlPwd, secret, auth, credential, privateKey, apiKey, session, cookie
    case socialSecurity, creditCard, logfireToken, csrf, xsrf, jwt, ssn
    // memoryd additions.
    case accessToken, refreshToken, apiToken, securityToken, bearer, passphrase, pwd

    var name: String {
        switch self {
        case .password: "password"
        case .passwd: "passwd"
        case .mysqlPwd: "mysql_pwd"
        case .secret: "secret"
        case .auth: "auth"
        case .credential: "credential"
        case .privateKey: "private_key"
        case .apiKey: "api_key"
        case .session: "session"
        case .cookie: "cookie"
        case .socialSecurity: "social_security"
        case .creditCard: "credit_card"
        case .logfireToken: "logfire_token"
        case .csrf: "csrf"
        case .xsrf: "xsrf"
        case .jwt: "jwt"
        case .ssn: "ssn"
        case .accessToken: "access_token"
        case .refreshToken: "refresh_token"
        case .apiToken: "api_token"
        case .securityToken: "security_token"
        case .bearer: "bearer"
        case .passphrase: "passphrase"
        case .pwd: "pwd"
        }
    }

    @inline(__always) var bit: UInt64 { 1 << UInt64(rawValue) }
    static let allBits: UInt64 = allCases.reduce(0) { $0 | $1.bit }
}

enum KeyScanner {
    /// `[._ -]?` between two words.
    @inline(__always)
    static func sepWords(_ p: Bytes, _ i: Int, _ a: StaticString, _ b: StaticString) -> Bool {
        guard p.hasLowercased(a, at: i) else { return false }
        var j = i + a.utf8CodeUnitCount
        if j < p.count {
            let c = p[j]
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: " ") || c == UInt8(ascii: "-") {
                j += 1
            }
        }
        return p.hasLowercased(b, at: j)
    }

    /// `(?:\b|_)word(?:\b|_)` where `word` starts with a word character.
    @inline(__always)
    static func acronym(_ p: Bytes, _ i: Int, _ w: StaticString) -> Bool {
        guard p.hasLowercased(w, at: i) else { return false }
        if i > 0 {
            let b = p[i - 1]
            if ASCII.isWord(b) && b != UInt8(ascii: "_") { return false }
        }
        let e = i + w.utf8CodeUnitCount
        if e < p.count {
            let b = p[e]
            if ASCII.isWord(b) && b != UInt8(ascii: "_") { return false }
        }
        return true
    }

    /// `auth(?!ors?\b)`: `author`, `authors`, `Author.name` pass; `authority`, `author_id`,
    /// `authorization`, `oauth` match (exactly Logfire's behaviour).
    @inline(__always)
    static func auth(_ p: Bytes, _ i: Int) -> Bool {
        guard p.hasLowercased("auth", at: i) else { return false }
        let j = i + 4
        guard p.hasLowercased("or", at: j) else { return true }
        var k = j + 2
        if k == p.count || !ASCII.isWord(p[k]) { return false } // "author\b"
        if ASCII.lower(p[k]) == UInt8(ascii: "s") {
            k += 1
            if k == p.count || !ASCII.isWord(p[k]) { return false } // "authors\b"
        }
        return true
    }

    /// The leftmost enabled rule matching anywhere in `p` (at one position, the earlier rule in
    /// `KeyRule` order wins, as in Logfire's alternation), or nil.
    static func firstMatch(_ p: Bytes, enabled: UInt64, _ filter: PairFilter) -> KeyRule? {
        var i = 0
        while true {
            let c = filter.next(p, from: i)
            if c.bits == 0 { return nil }
            if let r = match(p, at: c.index, enabled: enabled) { return r }
            i = c.index + 1
        }
    }

    /// Whether a JSON text needs a structural walk for key rules: a key-rule word occurs
    /// somewhere (in a key or not), or a `\u` escape could hide one.
    static func mayHaveSensitiveKey(_ p: Bytes, enabled: UInt64, _ filter: PairFilter) -> Bool {
        var i = 0
        while true {
            let c = filter.next(p, from: i)
            if c.bits == 0 { return false }
            if p[c.index] == UInt8(ascii: "\\") { return true }
            if match(p, at: c.index, enabled: enabled) != nil { return true }
            i = c.index + 1
        }
    }

    @inline(__always)
    static func match(_ p: Bytes, at i: Int, enabled: UInt64) -> KeyRule? {
        @inline(__always) func on(_ r: KeyRule) -> Bool { enabled & r.bit != 0 }
        switch ASCII.lower(p[i]) {
        case UInt8(ascii: "p"):
            if on(.password), p.hasLowercased("password", at: i) { return .password }
            if on(.passwd), p.hasLowercased("passwd", at: i) { return .passwd }
            if on(.privateKey), sepWords(p, i, "private", "key") { return .privateKey }
            if on(.passphrase), p.hasLowercased("passphrase", at: i) { return .passphrase }
            if on(.pwd), acronym(p, i, "pwd") { return .pwd }
        case UInt8(ascii: "m"):
            if on(.mysqlPwd), p.hasLowercased("mysql_pwd", at: i) { return .mysqlPwd }
        case UInt8(ascii: "s"):
            if on(.secret), p.hasLowercased("secret", at: i) { return .secret }
            if on(.session), p.hasLowercased("session", at: i) { return .session }
            if on(.socialSecurity), sepWords(p, i, "social", "security") { return .socialSecurity }
            if on(.ssn), acronym(p, i, "ssn") { return .ssn }
            if on(.securityToken), sepWords(p, i, "security", "token") { return .securityToken }
        case UInt8(ascii: "a"):
            if on(.auth), auth(p, i) { return .auth }
            if on(.apiKey), sepWords(p, i, "api", "key") { return .apiKey }
            if on(.accessToken), sepWords(p, i, "access", "token") { return .accessToken }
            if on(.apiToken), sepWords(p, i, "api", "token") { return .apiToken }
        case UInt8(ascii: "c"):
            if on(.credential), p.hasLowercased("credential", at: i) { return .credential }
            if on(.cookie), p.hasLowercased("cookie", at: i) { return .cookie }
            if on(.creditCard), sepWords(p, i, "credit", "card") { return .creditCard }
            if on(.csrf), acronym(p, i, "csrf") { return .csrf }
        case UInt8(ascii: "l"):
            if on(.logfireToken), sepWords(p, i, "logfire", "token") { return .logfireToken }
        case UInt8(ascii: "x"):
            if on(.xsrf), acronym(p, i, "xsrf") { return .xsrf }
        case UInt8(ascii: "j"):
            if on(.jwt), acronym(p, i, "jwt") { return .jwt }
        case UInt8(ascii: "r"):
            if on(.refreshToken), sepWords(p, i, "refresh", "token") { return .refreshToken }
        case UInt8(ascii: "b"):
            if on(.bearer), p.hasLowercased("bearer", at: i) { return .bearer }
        default:
            break
        }
        return nil
    }
}
