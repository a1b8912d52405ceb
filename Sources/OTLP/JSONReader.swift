#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A pull parser over a UTF-8 JSON document. The OTLP walk
/// (`JSONReader+*.swift`) asks it for the value it expects at each position,
/// so messages are built straight from the bytes without an intermediate
/// tree, and every error knows its JSON path.
///
/// Typing follows proto3 JSON: 64-bit integers may be strings or numbers,
/// doubles may be the strings "NaN", "Infinity" and "-Infinity", and `null`
/// for a member means the field is absent.
struct JSONReader {
    typealias Failure = OTLPDecodingError

    /// Deep enough for any real AnyValue nesting, shallow enough that a
    /// hostile body cannot overflow the stack.
    static let maxDepth = 128

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        // A UTF-8 byte order mark is allowed to precede JSON text (RFC 8259 §8.1).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    /// Fails unless only whitespace is left.
    mutating func expectEnd() throws(Failure) {
        skipWhitespace()
        guard index == bytes.count else { throw syntaxError("unexpected data after the JSON value") }
    }

    // MARK: Containers

    /// Calls `member` for each member of an object whose value is not `null`;
    /// `member` must consume the value.
    mutating func readObject(_ member: (inout JSONReader, JSONKey) throws(Failure) -> Void) throws(Failure) {
        try open(UInt8(ascii: "{"), "object")
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return close() }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw syntaxError("expected a member name") }
            let key = try readKey()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw syntaxError("expected ':' after a member name") }
            skipWhitespace()
            if !consumeLiteral("null") {
                do { try member(&self, key) } catch { throw error.under(key: key.name) }
            }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "}")) { return close() }
            throw syntaxError("expected ',' or '}' after an object member")
        }
    }

    /// Calls `element` for each element of an array; `element` must consume it.
    mutating func readArray(_ element: (inout JSONReader) throws(Failure) -> Void) throws(Failure) {
        try open(UInt8(ascii: "["), "array")
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return close() }
        var position = 0
        while true {
            skipWhitespace()
            do { try element(&self) } catch { throw error.under(index: position) }
            position += 1
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { return close() }
            throw syntaxError("expected ',' or ']' after an array element")
        }
    }

    mutating func readList<Element>(_ element: (inout JSONReader) throws(Failure) -> Element) throws(Failure) -> [Element] {
        var list: [Element] = []
        try readArray { reader throws(Failure) in list.append(try element(&reader)) }
        return list
    }

    /// Consumes any value, still checking that it is well-formed JSON.
    mutating func skipValue() throws(Failure) {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: "{"): try readObject { reader, _ throws(Failure) in try reader.skipValue() }
        case UInt8(ascii: "["): try readArray { reader throws(Failure) in try reader.skipValue() }
        case UInt8(ascii: "\""): _ = try readStringToken()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try readBool()
        case UInt8(ascii: "n"):
            guard consumeLiteral("null") else { throw syntaxError("invalid literal") }
        default: _ = try readNumberToken()
        }
    }

    // MARK: Scalars

    mutating func readBool() throws(Failure) -> Bool {
        skipWhitespace()
        if consumeLiteral("true") { return true }
        if consumeLiteral("false") { return false }
        throw try typeError("a boolean")
    }

    mutating func readString() throws(Failure) -> String {
        try withStringContent("a string") { text throws(Failure) in
            guard let string = String(validating: text, as: UTF8.self) else {
                throw OTLPDecodingError("string is not valid UTF-8")
            }
            return string
        }
    }

    /// A bytes field: base64 in proto3 JSON.
    mutating func readBase64() throws(Failure) -> Data {
        try withStringContent("a base64 string") { text throws(Failure) in
            guard let data = Base64.decode(text) else { throw OTLPDecodingError("expected a base64 string") }
            return data
        }
    }

    /// A trace or span id. OTLP/JSON sends hex; base64 (what generic proto3
    /// JSON encoders emit) is accepted when it gives exactly `length` bytes.
    /// Otherwise the bytes are kept whatever their length, so that ingest can
    /// reject that one span or record through partial_success instead of the
    /// whole request failing here.
    mutating func readID(length: Int) throws(Failure) -> Data {
        try withStringContent("a hex id string") { text throws(Failure) in
            let hex = OTLPHex.data(utf8: text)
            if let hex, hex.count == length { return hex }
            let base64 = Base64.decode(text)
            if let base64, base64.count == length { return base64 }
            guard let bytes = hex ?? base64 else { throw OTLPDecodingError("expected a hex id string") }
            return bytes
        }
    }

    mutating func readUInt64() throws(Failure) -> UInt64 {
        let (negative, magnitude) = try readInteger("an unsigned integer (string or number)")
        guard !negative || magnitude == 0 else { throw OTLPDecodingError("integer out of range for uint64") }
        return magnitude
    }

    mutating func readInt64() throws(Failure) -> Int64 {
        let (negative, magnitude) = try readInteger("an integer (string or number)")
        guard magnitude <= (negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)) else {
            throw OTLPDecodingError("integer out of range for int64")
        }
        return negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
    }

    mutating func readUInt32() throws(Failure) -> UInt32 {
        let value = try readUInt64()
        guard let result = UInt32(exactly: value) else { throw OTLPDecodingError("integer out of range for uint32") }
        return result
    }

    mutating func readInt32() throws(Failure) -> Int32 {
        let value = try readInt64()
        guard let result = Int32(exactly: value) else { throw OTLPDecodingError("integer out of range for int32") }
        return result
    }

    mutating func readDouble() throws(Failure) -> Double {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else {
            guard isNumberStart(peek()) else { throw try typeError("a number") }
            return Self.double(try readNumberToken().text)
        }
        return try withStringContent("a number") { text throws(Failure) in
            if text.elementsEqual("NaN".utf8) { return .nan }
            if text.elementsEqual("Infinity".utf8) { return .infinity }
            if text.elementsEqual("-Infinity".utf8) { return -.infinity }
            guard let number = Self.scanNumber(text, from: 0), number.end == text.count else {
                throw OTLPDecodingError("expected a number")
            }
            return Self.double(text)
        }
    }

    /// A proto enum: its number, or (tolerated, as proto3 JSON parsers do) its name.
    mutating func readEnum<Value: RawRepresentable>(names: [String: Int]) throws(Failure) -> Value where Value.RawValue == Int {
        skipWhitespace()
        let number: Int
        if peek() == UInt8(ascii: "\"") {
            let name = try readString()
            guard let known = names[name] ?? Int(name) else { throw OTLPDecodingError("unknown enum value \"\(name)\"") }
            number = known
        } else {
            number = Int(try readInt32())
        }
        guard let value = Value(rawValue: number) else { throw OTLPDecodingError("unknown enum value \(number)") }
        return value
    }

    // MARK: Tokens

    private mutating func readKey() throws(Failure) -> JSONKey {
        switch try readStringToken() {
        case .raw(let text): .raw(text)
        case .unescaped(let bytes): .unescaped(String(decoding: bytes, as: UTF8.self))
        }
    }

    private enum StringToken {
        /// The content between the quotes, which had no escapes.
        case raw(UnsafeBufferPointer<UInt8>)
        case unescaped([UInt8])
    }

    /// Runs `body` on the UTF-8 content of the string value at the cursor.
    private mutating func withStringContent<Result>(
        _ expected: String,
        _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw try typeError(expected) }
        switch try readStringToken() {
        case .raw(let text):
            return try body(text)
        case .unescaped(let bytes):
            // withUnsafeBufferPointer is typed-throws generic, so the error type survives.
            return try bytes.withUnsafeBufferPointer { (text) throws(Failure) in try body(text) }
        }
    }

    private mutating func readStringToken() throws(Failure) -> StringToken {
        index += 1  // opening quote
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                return .raw(UnsafeBufferPointer(rebasing: bytes[start..<index - 1]))
            }
            if c == UInt8(ascii: "\\") { return .unescaped(try readEscapedString(from: start)) }
            if c < 0x20 { throw syntaxError("control character in a string") }
            index += 1
        }
        throw syntaxError("unexpected end of input in a string")
    }

    /// The slow path of `readStringToken`, from the first backslash on.
    private mutating func readEscapedString(from start: Int) throws(Failure) -> [UInt8] {
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let c = bytes[index]
            index += 1
            switch c {
            case UInt8(ascii: "\""):
                return out
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): appendUTF8(of: try readUnicodeEscape(), to: &out)
                default: throw syntaxError("invalid escape sequence in a string")
                }
            case 0..<0x20:
                throw syntaxError("control character in a string")
            default:
                out.append(c)
            }
        }
        throw syntaxError("unexpected end of input in a string")
    }

    /// The scalar of a `\uXXXX` escape (the `\u` already consumed), joining
    /// a surrogate pair written as two escapes.
    private mutating func readUnicodeEscape() throws(Failure) -> Unicode.Scalar {
        let first = try readHex4()
        if (0xD800..<0xDC00).contains(first) {
            guard consumeLiteral("\\u") else { throw syntaxError("unpaired surrogate in a \\u escape") }
            let second = try readHex4()
            guard (0xDC00..<0xE000).contains(second) else { throw syntaxError("unpaired surrogate in a \\u escape") }
            let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw syntaxError("invalid \\u escape") }
            return scalar
        }
        guard let scalar = Unicode.Scalar(first) else { throw syntaxError("unpaired surrogate in a \\u escape") }
        return scalar
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw syntaxError("unexpected end of input in a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = hexDigitValue(bytes[index]) else { throw syntaxError("invalid \\u escape") }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func hexDigitValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    private func appendUTF8(of scalar: Unicode.Scalar, to out: inout [UInt8]) {
        UTF8.encode(scalar) { out.append($0) }
    }

    /// An integer from a number token or a string holding one, as sign and magnitude.
    private mutating func readInteger(_ expected: String) throws(Failure) -> (negative: Bool, magnitude: UInt64) {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else {
            guard isNumberStart(peek()) else { throw try typeError(expected) }
            let number = try readNumberToken()
            return try Self.integer(number.text, isInteger: number.isInteger)
        }
        return try withStringContent(expected) { text throws(Failure) in
            guard let number = Self.scanNumber(text, from: 0), number.end == text.count else {
                throw OTLPDecodingError("expected \(expected)")
            }
            return try Self.integer(text, isInteger: number.isInteger)
        }
    }

    private mutating func readNumberToken() throws(Failure) -> (text: UnsafeBufferPointer<UInt8>, isInteger: Bool) {
        guard let number = Self.scanNumber(bytes, from: index) else {
            if index == bytes.count { throw syntaxError("unexpected end of input") }
            throw syntaxError("invalid value")
        }
        let text = UnsafeBufferPointer(rebasing: bytes[index..<number.end])
        index = number.end
        return (text, number.isInteger)
    }

    /// Matches the JSON number grammar at `start`; returns where the number
    /// ends and whether it has neither fraction nor exponent.
    private static func scanNumber(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, isInteger: Bool)? {
        var i = start
        func digits() -> Int {
            let first = i
            while i < text.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[i]) { i += 1 }
            return i - first
        }
        if i < text.count, text[i] == UInt8(ascii: "-") { i += 1 }
        let integerStart = i
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || text[integerStart] != UInt8(ascii: "0") else { return nil }
        var isInteger = true
        if i < text.count, text[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return nil }
            isInteger = false
        }
        if i < text.count, text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E") {
            i += 1
            if i < text.count, text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return nil }
            isInteger = false
        }
        return (i, isInteger)
    }

    /// Sign and magnitude of a valid number lexeme that must be integral;
    /// `1e3` and `5.0` are accepted as proto3 JSON parsers do.
    private static func integer(_ text: UnsafeBufferPointer<UInt8>, isInteger: Bool) throws(Failure) -> (negative: Bool, magnitude: UInt64) {
        let negative = text.first == UInt8(ascii: "-")
        guard isInteger else {
            let value = double(text)
            guard value == value.rounded(.towardZero), let magnitude = UInt64(exactly: value.magnitude) else {
                throw OTLPDecodingError("expected an integer, got \(String(decoding: text, as: UTF8.self))")
            }
            return (negative, magnitude)
        }
        var magnitude: UInt64 = 0
        for c in text.dropFirst(negative ? 1 : 0) {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(c &- UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw OTLPDecodingError("integer out of range for 64 bits") }
            magnitude = sum
        }
        return (negative, magnitude)
    }

    /// The value of a lexeme already checked against the JSON number grammar.
    private static func double(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        // The grammar is a subset of what Double(String) parses, so this cannot be nil.
        Double(String(decoding: text, as: UTF8.self)) ?? .nan
    }

    // MARK: Cursor

    private mutating func open(_ bracket: UInt8, _ expected: String) throws(Failure) {
        skipWhitespace()
        guard consume(bracket) else { throw try typeError("an \(expected)") }
        depth += 1
        guard depth <= Self.maxDepth else { throw syntaxError("JSON nested deeper than \(Self.maxDepth) levels") }
    }

    private mutating func close() {
        depth -= 1
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func isNumberStart(_ c: UInt8?) -> Bool {
        guard let c else { return false }
        return c == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
    }

    private mutating func consume(_ c: UInt8) -> Bool {
        guard peek() == c else { return false }
        index += 1
        return true
    }

    private mutating func consumeLiteral(_ literal: StaticString) -> Bool {
        guard hasLiteral(literal) else { return false }
        index += literal.utf8CodeUnitCount
        return true
    }

    private func hasLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for i in 0..<count where bytes[index + i] != literal.utf8Start[i] { return false }
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    // MARK: Errors

    private func syntaxError(_ message: String) -> Failure {
        OTLPDecodingError("invalid JSON at byte \(index): \(message)")
    }

    /// "expected X, got Y" for the value at the cursor, or the syntax error
    /// if there is no valid value there at all.
    private func typeError(_ expected: String) throws(Failure) -> Failure {
        let found: String
        switch peek() {
        case nil: throw syntaxError("unexpected end of input")
        case UInt8(ascii: "{"): found = "an object"
        case UInt8(ascii: "["): found = "an array"
        case UInt8(ascii: "\""): found = "a string"
        case UInt8(ascii: "t") where hasLiteral("true"), UInt8(ascii: "f") where hasLiteral("false"): found = "a boolean"
        case UInt8(ascii: "n") where hasLiteral("null"): found = "null"
        case let c? where isNumberStart(c): found = "a number"
        default: throw syntaxError("invalid value")
        }
        return OTLPDecodingError("expected \(expected), got \(found)")
    }
}

/// An object member name, matched against string literals in `switch`
/// without allocating (`case "traceId", "trace_id":`).
enum JSONKey {
    /// The name between the quotes, which had no escapes.
    case raw(UnsafeBufferPointer<UInt8>)
    case unescaped(String)

    /// The name as sent, for error paths.
    var name: String {
        switch self {
        case .raw(let text): String(decoding: text, as: UTF8.self)
        case .unescaped(let name): name
        }
    }

    static func ~= (pattern: StaticString, key: JSONKey) -> Bool {
        let literal = UnsafeBufferPointer(start: pattern.utf8Start, count: pattern.utf8CodeUnitCount)
        switch key {
        case .raw(let text): return text.elementsEqual(literal)
        case .unescaped(let name): return name.utf8.elementsEqual(literal)
        }
    }
}
