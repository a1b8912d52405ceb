/// One way an instance fails a schema.
public struct SchemaError: Sendable, Hashable, CustomStringConvertible {
    /// JSON Pointer (RFC 6901) to the failing value in the instance; "" is the whole instance.
    public let instancePath: String
    /// The schema keyword that failed (`type`, `required`, `pattern`, `format`, …).
    public let keyword: String
    /// What is wrong, naming the value and the rule: `"maybe" is not one of "allow", "warn", "deny"`.
    public let message: String
    /// Where the failing keyword's schema is: `xtrlv2/guard_outcome.v1#/properties/decision`.
    public let schemaLocation: String

    public var description: String { instancePath.isEmpty ? message : "\(instancePath): \(message)" }
}

/// A step of an instance path, rendered as a JSON Pointer only when an error is reported.
enum PathElement {
    case key(String)
    case index(Int)

    static func pointer(_ path: [PathElement]) -> String {
        var out = ""
        for element in path {
            out += "/"
            switch element {
            case .key(let k): out += JSONPointer.escape(k)
            case .index(let i): out += String(i)
            }
        }
        return out
    }
}

enum JSONPointer {
    static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func unescape(_ token: String) -> String {
        guard token.contains("~") else { return token }
        return token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    static func render(_ tokens: [String]) -> String {
        tokens.map { "/" + escape($0) }.joined()
    }
}

// MARK: - Validation

extension SchemaTable {
    /// Whether `value` satisfies `node`. Stops at the first failure and builds no messages:
    /// the path every valid envelope takes.
    func isValid(_ node: SchemaNode, _ value: JSONValue) -> Bool {
        if let constant = node.constant { return constant }
        if let types = node.types, !types.admits(value) { return false }
        if let constValue = node.constValue, constValue != value { return false }
        if let enumValues = node.enumValues, !enumValues.contains(value) { return false }
        switch value {
        case .string(let s):
            if let rules = node.string, !Self.checkString(rules, s).isOK { return false }
        case .integer, .number:
            if let rules = node.number, Self.numberFailure(rules, value) != nil { return false }
        case .object(let o):
            if let rules = node.object, !objectIsValid(rules, o) { return false }
        case .array(let a):
            if let rules = node.array, !arrayIsValid(rules, a) { return false }
        default: break
        }
        if let ref = node.ref, !isValid(nodes[ref], value) { return false }
        for sub in node.allOf where !isValid(sub, value) { return false }
        if let anyOf = node.anyOf, !anyOf.contains(where: { isValid($0, value) }) { return false }
        if let oneOf = node.oneOf {
            var matched = 0
            for sub in oneOf where isValid(sub, value) {
                matched += 1
                if matched > 1 { return false }
            }
            if matched != 1 { return false }
        }
        if let not = node.not, isValid(not, value) { return false }
        if let condition = node.condition {
            if isValid(condition.if, value) {
                if let then = condition.then, !isValid(then, value) { return false }
            } else if let otherwise = condition.else, !isValid(otherwise, value) {
                return false
            }
        }
        return true
    }

    private func objectIsValid(_ rules: ObjectRules, _ o: JSONObject) -> Bool {
        if let min = rules.minProperties, o.count < min { return false }
        if let max = rules.maxProperties, o.count > max { return false }
        var requiredSeen = 0
        var cursor = 0
        let hasPatterns = !rules.patternProperties.isEmpty
        let additional = rules.additionalProperties
        // Walk through buffers: no retain of the arrays (or of their elements) per member.
        let valid = o.keys.withUnsafeBufferPointer { keys in
            o.values.withUnsafeBufferPointer { values in
                for i in 0..<keys.count {
                    var matched = false
                    if let property = rules.property(keys[i], cursor: &cursor) {
                        matched = true
                        if property.isRequired { requiredSeen += 1 }
                        if !isValid(property.node, values[i]) { return false }
                    }
                    if hasPatterns {
                        for pp in rules.patternProperties where pp.pattern.matches(keys[i]) {
                            matched = true
                            if !isValid(pp.node, values[i]) { return false }
                        }
                    }
                    if !matched, let additional, !isValid(additional, values[i]) { return false }
                }
                return true
            }
        }
        guard valid, requiredSeen == rules.requiredDeclaredCount else { return false }
        for name in rules.requiredUndeclared where !o.contains(key: name) { return false }
        return true
    }

    private func arrayIsValid(_ rules: ArrayRules, _ a: [JSONValue]) -> Bool {
        if let min = rules.minItems, a.count < min { return false }
        if let max = rules.maxItems, a.count > max { return false }
        if let items = rules.items {
            for element in a where !isValid(items, element) { return false }
        }
        if rules.uniqueItems, Self.firstDuplicate(a) != nil { return false }
        return true
    }

    // MARK: Errors

    /// Appends every way `value` fails `node`, with instance paths. `path` is where `value` is.
    func collect(_ node: SchemaNode, _ value: JSONValue, _ path: inout [PathElement], _ errors: inout [SchemaError]) {
        func report(_ keyword: String, _ message: String, at path: [PathElement]) {
            errors.append(
                SchemaError(
                    instancePath: PathElement.pointer(path), keyword: keyword, message: message,
                    schemaLocation: node.location))
        }
        if let constant = node.constant {
            if !constant { report("false", "no value is allowed here (the schema is false)", at: path) }
            return
        }
        if let types = node.types, !types.admits(value) {
            // Other rules would only repeat the mismatch.
            report("type", "expected \(types.description), found \(Self.describeWithType(value))", at: path)
            return
        }
        if let constValue = node.constValue, constValue != value {
            report("const", "expected \(Self.describe(constValue)), found \(Self.describe(value))", at: path)
        }
        if let enumValues = node.enumValues, !enumValues.contains(value) {
            let shown = enumValues.prefix(12).map(Self.describe).joined(separator: ", ")
            report("enum", "\(Self.describe(value)) is not one of \(shown)\(enumValues.count > 12 ? ", …" : "")", at: path)
        }
        switch value {
        case .string(let s):
            if let rules = node.string, case .failed(let keyword, let message) = Self.checkString(rules, s) {
                report(keyword, message, at: path)
            }
        case .integer, .number:
            if let rules = node.number, let (keyword, message) = Self.numberFailure(rules, value) {
                report(keyword, message, at: path)
            }
        case .object(let o):
            if let rules = node.object { collectObject(node, rules, o, &path, &errors) }
        case .array(let a):
            if let rules = node.array { collectArray(node, rules, a, &path, &errors) }
        default: break
        }
        if let ref = node.ref { collect(nodes[ref], value, &path, &errors) }
        for sub in node.allOf { collect(sub, value, &path, &errors) }
        if let anyOf = node.anyOf, !anyOf.contains(where: { isValid($0, value) }) {
            report("anyOf", "matches none of the \(anyOf.count) anyOf alternatives; \(closest(anyOf, value, path))", at: path)
        }
        if let oneOf = node.oneOf {
            let matching = oneOf.indices.filter { isValid(oneOf[$0], value) }
            if matching.isEmpty {
                report("oneOf", "matches none of the \(oneOf.count) oneOf alternatives; \(closest(oneOf, value, path))", at: path)
            } else if matching.count > 1 {
                let which = matching.map { "#\($0)" }.joined(separator: ", ")
                report("oneOf", "matches \(matching.count) oneOf alternatives (\(which)); exactly one must match", at: path)
            }
        }
        if let not = node.not, isValid(not, value) {
            report("not", "\(Self.describe(value)) matches the schema under \"not\"", at: path)
        }
        if let condition = node.condition {
            if isValid(condition.if, value) {
                if let then = condition.then { collect(then, value, &path, &errors) }
            } else if let otherwise = condition.else {
                collect(otherwise, value, &path, &errors)
            }
        }
    }

    /// The alternative with the fewest errors, and its first error, to say what was closest.
    private func closest(_ alternatives: [SchemaNode], _ value: JSONValue, _ path: [PathElement]) -> String {
        var best: (index: Int, errors: [SchemaError])?
        for (i, alt) in alternatives.enumerated() {
            var p = path
            var errs: [SchemaError] = []
            collect(alt, value, &p, &errs)
            if best == nil || errs.count < best!.errors.count { best = (i, errs) }
        }
        guard let best, let first = best.errors.first else { return "no alternative fits" }
        return "closest (#\(best.index)): \(first.description)"
    }

    private func collectObject(
        _ node: SchemaNode, _ rules: ObjectRules, _ o: JSONObject, _ path: inout [PathElement], _ errors: inout [SchemaError]
    ) {
        let here = PathElement.pointer(path)
        func report(_ keyword: String, _ message: String) {
            errors.append(SchemaError(instancePath: here, keyword: keyword, message: message, schemaLocation: node.location))
        }
        if let min = rules.minProperties, o.count < min {
            report("minProperties", "object has \(o.count) properties, fewer than minProperties \(min)")
        }
        if let max = rules.maxProperties, o.count > max {
            report("maxProperties", "object has \(o.count) properties, more than maxProperties \(max)")
        }
        for name in rules.required where !o.contains(key: name) {
            report("required", "missing required property \"\(name)\"")
        }
        for i in 0..<o.count {
            let key = o.keys[i]
            let value = o.values[i]
            path.append(.key(key))
            defer { path.removeLast() }
            var matched = false
            if let property = rules.property(key) {
                matched = true
                collect(property.node, value, &path, &errors)
            }
            for pp in rules.patternProperties where pp.pattern.matches(key) {
                matched = true
                collect(pp.node, value, &path, &errors)
            }
            if !matched, let additional = rules.additionalProperties {
                if additional.constant == false {
                    errors.append(
                        SchemaError(
                            instancePath: PathElement.pointer(path), keyword: "additionalProperties",
                            message: "property \"\(key)\" is not allowed (additionalProperties is false)",
                            schemaLocation: node.location))
                } else {
                    collect(additional, value, &path, &errors)
                }
            }
        }
    }

    private func collectArray(
        _ node: SchemaNode, _ rules: ArrayRules, _ a: [JSONValue], _ path: inout [PathElement], _ errors: inout [SchemaError]
    ) {
        let here = PathElement.pointer(path)
        func report(_ keyword: String, _ message: String) {
            errors.append(SchemaError(instancePath: here, keyword: keyword, message: message, schemaLocation: node.location))
        }
        if let min = rules.minItems, a.count < min { report("minItems", "array has \(a.count) items, fewer than minItems \(min)") }
        if let max = rules.maxItems, a.count > max { report("maxItems", "array has \(a.count) items, more than maxItems \(max)") }
        if rules.uniqueItems, let (i, j) = Self.firstDuplicate(a) {
            report("uniqueItems", "items \(i) and \(j) are equal (uniqueItems)")
        }
        if let items = rules.items {
            for (i, element) in a.enumerated() {
                path.append(.index(i))
                collect(items, element, &path, &errors)
                path.removeLast()
            }
        }
    }

    // MARK: Shared checks (one definition for both modes)

    enum StringCheck {
        case ok
        case failed(keyword: String, message: String)
        var isOK: Bool { if case .ok = self { true } else { false } }
    }

    static func checkString(_ rules: StringRules, _ s: String) -> StringCheck {
        if rules.minLength != nil || rules.maxLength != nil {
            // JSON Schema counts code points. A code point takes 1 to 4 UTF-8 bytes, so the
            // byte length (O(1)) decides most cases; the count runs only when it cannot.
            let bytes = s.utf8.count
            if let min = rules.minLength, bytes < 4 * min, s.unicodeScalars.count < min {
                return .failed(
                    keyword: "minLength",
                    message: "\(describe(.string(s))) has \(s.unicodeScalars.count) characters, fewer than minLength \(min)")
            }
            if let max = rules.maxLength, bytes > max, s.unicodeScalars.count > max {
                return .failed(
                    keyword: "maxLength",
                    message: "string of \(s.unicodeScalars.count) characters is longer than maxLength \(max)")
            }
        }
        if let pattern = rules.pattern, !pattern.matches(s) {
            return .failed(keyword: "pattern", message: "\(describe(.string(s))) does not match the pattern \(pattern.source)")
        }
        if let format = rules.format {
            switch format {
            case .dateTime:
                if let reason = RFC3339Timestamp.check(s) {
                    return .failed(keyword: "format", message: "\(describe(.string(s))) \(reason)")
                }
            }
        }
        return .ok
    }

    static func numberFailure(_ rules: NumberRules, _ v: JSONValue) -> (String, String)? {
        if let m = rules.minimum, compare(v, m) < 0 { return ("minimum", "\(v.jsonText) is less than minimum \(m.jsonText)") }
        if let m = rules.maximum, compare(v, m) > 0 { return ("maximum", "\(v.jsonText) is greater than maximum \(m.jsonText)") }
        if let m = rules.exclusiveMinimum, compare(v, m) <= 0 {
            return ("exclusiveMinimum", "\(v.jsonText) is not greater than exclusiveMinimum \(m.jsonText)")
        }
        if let m = rules.exclusiveMaximum, compare(v, m) >= 0 {
            return ("exclusiveMaximum", "\(v.jsonText) is not less than exclusiveMaximum \(m.jsonText)")
        }
        if let m = rules.multipleOf, !isMultiple(v, of: m) {
            return ("multipleOf", "\(v.jsonText) is not a multiple of \(m.jsonText)")
        }
        return nil
    }

    /// -1, 0 or 1; exact for two integers.
    static func compare(_ a: JSONValue, _ b: JSONValue) -> Int {
        if case .integer(let x) = a, case .integer(let y) = b { return x < y ? -1 : (x == y ? 0 : 1) }
        let x = a.doubleValue!
        let y = b.doubleValue!
        return x < y ? -1 : (x == y ? 0 : 1)
    }

    static func isMultiple(_ v: JSONValue, of m: JSONValue) -> Bool {
        if case .integer(let x) = v, case .integer(let y) = m { return x % y == 0 }
        let q = v.doubleValue! / m.doubleValue!
        guard q.isFinite else { return false }
        return abs(q - q.rounded()) <= 1e-9 * max(1, abs(q))
    }

    static func firstDuplicate(_ a: [JSONValue]) -> (Int, Int)? {
        guard a.count > 1 else { return nil }
        var seen: [JSONValue: Int] = [:]
        for (i, v) in a.enumerated() {
            if let j = seen.updateValue(i, forKey: v) { return (j, i) }
        }
        return nil
    }

    /// A short rendering of a value for a message (long strings are cut).
    static func describe(_ v: JSONValue) -> String {
        switch v {
        case .string(let s):
            let limit = 64
            if s.utf8.count <= limit { return JSONValue.string(s).jsonText }
            let scalars = s.unicodeScalars
            guard scalars.count > limit else { return JSONValue.string(s).jsonText }
            var cut = String(String.UnicodeScalarView(scalars.prefix(limit)))
            cut = JSONValue.string(cut).jsonText
            return String(cut.dropLast()) + "…\" (\(scalars.count) characters)"
        case .array(let a): return "an array of \(a.count) items"
        case .object(let o): return "an object with \(o.count) members"
        default: return v.jsonText
        }
    }

    static func describeWithType(_ v: JSONValue) -> String {
        switch v {
        case .array, .object, .null: describe(v)
        default: "\(v.typeName) \(describe(v))"
        }
    }
}
