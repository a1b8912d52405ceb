import Foundation

/// Why a text is not one JSON value. `kind` lets the ingest layer file the line under the right
/// reject reason (an empty line, invalid UTF-8, or malformed JSON).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Nothing but whitespace.
        case empty
        /// Bytes that are not UTF-8 (RFC 8259 §8.1 requires UTF-8).
        case invalidUTF8 = "invalid_utf8"
        /// Not JSON: a syntax error, trailing data, a number out of range, a lone surrogate.
        case syntax
        /// An object names the same member twice. RFC 8259 leaves the meaning open and
        /// consumers disagree (first or last wins), so a contract check refuses it.
        case duplicateKey = "duplicate_key"
        /// Nested deeper than `JSONValue.maxDepth`.
        case tooDeep = "too_deep"
    }

    public let kind: Kind
    /// Byte offset in the input where the problem was found.
    public let offset: Int
    public let message: String

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

extension JSONValue {
    /// Deepest nesting of arrays and objects the parser accepts.
    public static let maxDepth = 128

    /// Parses one JSON text (RFC 8259, strict): UTF-8, optionally after a byte order mark,
    /// with nothing but whitespace around the value.
    public init(parsing bytes: some Collection<UInt8>) throws(JSONParseError) {
        let parsed = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try JSONValue.parse(buffer) }
        }
        if let parsed {
            self = try parsed.get()
        } else {
            let copy = Array(bytes)
            self = try copy.withUnsafeBufferPointer { buffer throws(JSONParseError) in try JSONValue.parse(buffer) }
        }
    }

    public init(parsing text: String) throws(JSONParseError) {
        try self.init(parsing: text.utf8)
    }

    static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var parser = JSONByteParser(buffer)
        return try parser.document()
    }
}

/// Recursive-descent parser over UTF-8 bytes.
struct JSONByteParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
    }

    private func fail(_ kind: JSONParseError.Kind, _ message: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(kind: kind, offset: offset ?? index, message: message)
    }

    mutating func document() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        if index == bytes.count { throw fail(.empty, "no JSON value (empty or blank input)") }
        let v = try value()
        skipWhitespace()
        guard index == bytes.count else { throw unexpected("after the JSON value") }
        return v
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// An error for the byte at `index`: a syntax error, or invalid UTF-8 when the byte cannot
    /// start a UTF-8 sequence or the sequence is malformed.
    private func unexpected(_ context: String) -> JSONParseError {
        guard index < bytes.count else { return fail(.syntax, "unexpected end of input \(context)") }
        let b = bytes[index]
        if b >= 0x80 {
            let rest = UnsafeBufferPointer(rebasing: bytes[index..<min(bytes.count, index + 4)])
            if String(validating: rest.prefix(Self.sequenceLength(b)), as: UTF8.self) == nil {
                return fail(.invalidUTF8, "invalid UTF-8 byte 0x\(String(b, radix: 16))")
            }
            return fail(.syntax, "unexpected character \(context)")
        }
        let shown = b >= 0x20 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(String(b, radix: 16))"
        return fail(.syntax, "unexpected \(shown) \(context)")
    }

    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xC0...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF7: 4
        default: 1
        }
    }

    private mutating func value() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw fail(.syntax, "unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw unexpected("where a value was expected")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard index + n <= bytes.count,
            memcmp(bytes.baseAddress! + index, word.utf8Start, n) == 0
        else { throw fail(.syntax, "invalid literal, expected '\(word)'") }
        index += n
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > JSONValue.maxDepth { throw fail(.tooDeep, "nested deeper than \(JSONValue.maxDepth) levels") }
    }

    private mutating func object() throws(JSONParseError) -> JSONValue {
        try enter()
        index += 1
        var keys: [String] = []
        var values: [JSONValue] = []
        keys.reserveCapacity(16)
        values.reserveCapacity(16)
        var seen: Set<String>? = nil
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(JSONObject(uniqueKeys: keys, values: values))
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw unexpected("where a member name was expected")
            }
            let keyOffset = index
            let key = try string()
            // Few members: compare with each; many: keep a set.
            if keys.count < JSONObject.indexThreshold {
                if keys.contains(key) { throw duplicate(key, at: keyOffset) }
            } else {
                if seen == nil { seen = Set(keys) }
                if !seen!.insert(key).inserted { throw duplicate(key, at: keyOffset) }
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw unexpected("where ':' was expected after a member name")
            }
            index += 1
            skipWhitespace()
            keys.append(key)
            values.append(try value())
            skipWhitespace()
            guard index < bytes.count else { throw fail(.syntax, "unexpected end of input inside an object") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(JSONObject(uniqueKeys: keys, values: values))
            default: throw unexpected("where ',' or '}' was expected in an object")
            }
        }
    }

    private func duplicate(_ key: String, at offset: Int) -> JSONParseError {
        fail(.duplicateKey, "member name \"\(key)\" appears twice in one object", at: offset)
    }

    private mutating func array() throws(JSONParseError) -> JSONValue {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value())
            skipWhitespace()
            guard index < bytes.count else { throw fail(.syntax, "unexpected end of input inside an array") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(elements)
            default: throw unexpected("where ',' or ']' was expected in an array")
            }
        }
    }

    // MARK: Strings

    private mutating func string() throws(JSONParseError) -> String {
        let start = index
        index += 1
        let contentStart = index
        var ascii = true
        // Fast path: no escapes.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let content = UnsafeBufferPointer(rebasing: bytes[contentStart..<index])
                index += 1
                if ascii { return String(decoding: content, as: UTF8.self) }
                guard let s = String(validating: content, as: UTF8.self) else {
                    throw fail(.invalidUTF8, "string is not valid UTF-8", at: contentStart + firstInvalidUTF8(content))
                }
                return s
            }
            if b == UInt8(ascii: "\\") { return try escapedString(from: start, contentStart: contentStart) }
            if b < 0x20 { throw fail(.syntax, "control character 0x\(String(b, radix: 16)) must be escaped in a string") }
            if b >= 0x80 { ascii = false }
            index += 1
        }
        throw fail(.syntax, "unterminated string", at: start)
    }

    private mutating func escapedString(from start: Int, contentStart: Int) throws(JSONParseError) -> String {
        var buffer = [UInt8](UnsafeBufferPointer(rebasing: bytes[contentStart..<index]))
        while index < bytes.count {
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                guard let s = String(validating: buffer, as: UTF8.self) else {
                    let at = buffer.withUnsafeBufferPointer { firstInvalidUTF8($0) }
                    throw fail(.invalidUTF8, "string is not valid UTF-8 (decoded byte \(at))", at: contentStart)
                }
                return s
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { break }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): buffer.append(0x22)
                case UInt8(ascii: "\\"): buffer.append(0x5C)
                case UInt8(ascii: "/"): buffer.append(0x2F)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw fail(.syntax, "lone high surrogate in \\u escape")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail(.syntax, "high surrogate not followed by a low surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail(.syntax, "lone low surrogate in \\u escape")
                    }
                    buffer.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
                default:
                    index -= 1
                    throw fail(.syntax, "invalid escape '\\\(Character(Unicode.Scalar(e)))'")
                }
            default:
                if b < 0x20 { throw fail(.syntax, "control character 0x\(String(b, radix: 16)) must be escaped in a string") }
                buffer.append(b)
                index += 1
            }
        }
        throw fail(.syntax, "unterminated string", at: start)
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail(.syntax, "truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail(.syntax, "invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }

    /// Offset of the first byte that breaks UTF-8 in `buffer` (for the error message).
    private func firstInvalidUTF8(_ buffer: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0
        while i < buffer.count {
            let n = Self.sequenceLength(buffer[i])
            if buffer[i] >= 0x80 {
                let end = min(buffer.count, i + n)
                if n == 1 || String(validating: UnsafeBufferPointer(rebasing: buffer[i..<end]), as: UTF8.self) == nil { return i }
            }
            i += n
        }
        return 0
    }

    // MARK: Numbers

    private mutating func number() throws(JSONParseError) -> JSONValue {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let digitsStart = index
        guard index < bytes.count, isDigit(bytes[index]) else { throw fail(.syntax, "a number needs a digit after '-'") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw fail(.syntax, "leading zeros are not allowed in a number") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let digitsEnd = index
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail(.syntax, "a number needs a digit after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail(.syntax, "a number needs a digit in its exponent") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if integral, digitsEnd - digitsStart <= 19 {
            // Accumulate negatively so Int64.min fits.
            var v: Int64 = 0
            var overflow = false
            for i in digitsStart..<digitsEnd {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.subtractingReportingOverflow(Int64(bytes[i] - UInt8(ascii: "0")))
                if o1 || o2 { overflow = true; break }
                v = s
            }
            if !overflow {
                if !negative {
                    if v == Int64.min { overflow = true } else { return .integer(-v) }
                } else {
                    return .integer(v)
                }
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw fail(.syntax, "number \(text) is out of range", at: start) }
        return .number(d)
    }

    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
