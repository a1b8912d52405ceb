/// A parsed JSON value: what the validator checks and what the ingest layer reads fields from.
///
/// Parse one with `JSONValue(parsing:)` (a strict RFC 8259 parser of this module, see
/// `JSONParser.swift`). Numbers are kept as `integer` when they are written without fraction or
/// exponent and fit in 64 bits (ids, offsets, sequence numbers stay exact), as `number` otherwise.
/// Objects keep their members in document order and never hold the same name twice.
///
/// Equality and hashing follow JSON Schema (`enum`, `const`, `uniqueItems`): numbers compare by
/// value (`1 == 1.0`), objects compare regardless of member order, booleans are not numbers.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    public var isNull: Bool { if case .null = self { true } else { false } }

    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }

    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }

    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }

    /// The value as an exact integer: `integer`, or a `number` with no fractional part that fits.
    public var int64Value: Int64? {
        switch self {
        case .integer(let i): i
        case .number(let d): Int64(exactly: d)
        default: nil
        }
    }

    /// The value of either numeric case as a Double.
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }

    /// A member of an object (nil for a missing member or a value that is not an object).
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { o[key] } else { nil }
    }

    /// The JSON Schema type name of the value (`integer` for whole numbers of either case).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number(let d): d.rounded(.towardZero) == d ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

// MARK: - JSON Schema equality

extension JSONValue: Hashable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)):
            return Int64(exactly: b) == a
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .integer(let i): hasher.combine(2); hasher.combine(i)
        case .number(let d):
            // Whole numbers hash like the integer they equal.
            if let i = Int64(exactly: d) { hasher.combine(2); hasher.combine(i) } else { hasher.combine(3); hasher.combine(d) }
        case .string(let s): hasher.combine(4); hasher.combine(s)
        case .array(let a): hasher.combine(5); hasher.combine(a)
        case .object(let o): hasher.combine(6); hasher.combine(o)
        }
    }
}

// MARK: - Literals (convenient in tests and in code that builds documents)

extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Members in literal order; a repeated name keeps the last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}

// MARK: - Object

/// The members of a JSON object, in document order, with unique names.
///
/// Small objects (the common case: envelopes have 13 members) are searched linearly, which is
/// faster than hashing; larger ones carry a name index.
public struct JSONObject: Sendable, RandomAccessCollection {
    public private(set) var keys: [String]
    public private(set) var values: [JSONValue]
    private var index: [String: Int]?

    static let indexThreshold = 32

    public init() {
        keys = []
        values = []
    }

    /// Builds an object from members; when a name repeats, the last value wins (in the first
    /// position). The parser does not use this: it rejects repeated names.
    public init(_ members: some Sequence<(String, JSONValue)>) {
        self.init()
        for (key, value) in members { self[key] = value }
    }

    /// The parser's builder: members arrive once each, already checked for uniqueness.
    init(uniqueKeys keys: [String], values: [JSONValue]) {
        self.keys = keys
        self.values = values
        if keys.count > Self.indexThreshold { index = Self.buildIndex(keys) }
    }

    private static func buildIndex(_ keys: [String]) -> [String: Int] {
        var index = [String: Int](minimumCapacity: keys.count)
        for (i, k) in keys.enumerated() { index[k] = i }
        return index
    }

    func position(of key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    public func contains(key: String) -> Bool { position(of: key) != nil }

    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { values[$0] } }
        set {
            if let i = position(of: key) {
                if let newValue {
                    values[i] = newValue
                } else {
                    keys.remove(at: i)
                    values.remove(at: i)
                    index = keys.count > Self.indexThreshold ? Self.buildIndex(keys) : nil
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
                if index != nil {
                    index![key] = keys.count - 1
                } else if keys.count > Self.indexThreshold {
                    index = Self.buildIndex(keys)
                }
            }
        }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { keys.count }
    public subscript(position: Int) -> (key: String, value: JSONValue) { (keys[position], values[position]) }
}

extension JSONObject: Hashable {
    /// Order-independent: two objects with the same members are equal.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for i in 0..<lhs.count {
            guard let other = rhs[lhs.keys[i]], other == lhs.values[i] else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        // Commutative combination, so member order does not matter.
        var sum = 0
        for i in 0..<count {
            var h = Hasher()
            h.combine(keys[i])
            h.combine(values[i])
            sum &+= h.finalize()
        }
        hasher.combine(sum)
    }
}

// MARK: - Serialization

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text (members in stored order; strings escaped per RFC 8259).
    public var jsonText: String {
        var out = ""
        write(to: &out)
        return out
    }

    public var description: String { jsonText }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .number(let d): out += d.isFinite ? "\(d)" : "null"
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for i in 0..<o.count {
                if i > 0 { out += "," }
                Self.writeString(o.keys[i], to: &out)
                out += ":"
                o.values[i].write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
